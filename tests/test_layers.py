"""The layers of edgetui import only the layers below them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "edgetui"

# What each layer may import besides itself, `edgetui` and `edgetui.exitcodes`.
ALLOWED = {
    "facts": set(),
    "runner": {"facts"},
    "device": {"runner", "facts"},
    "planning": {"facts"},
    "operations": {"device", "runner", "facts"},
    "execution": {"planning", "operations", "device", "runner", "facts"},
    "commands": {"cli", "execution", "operations", "planning", "device"}
    | {"runner", "facts"},
    "cli": {"commands", "device", "runner", "sim", "ui"},
    "ui": {"execution", "operations", "planning", "device", "runner", "facts"},
    "sim": set(),
}
SHARED = {"exitcodes"}


def _layer_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        layers |= {name.split(".")[1] for name in names if name.startswith("edgetui.")}
    return layers


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if _layer_of(path) in ALLOWED and path.name != "__main__.py"
    )


@pytest.mark.parametrize("module", _modules(), ids=lambda path: str(path.name))
def test_module_imports_only_lower_layers(module: Path) -> None:
    """Each module imports its own layer, shared modules and the layers below."""
    layer = _layer_of(module)
    imported = _imported_layers(module) - {layer} - SHARED
    assert imported <= ALLOWED[layer], f"{module}: {sorted(imported - ALLOWED[layer])}"


def test_the_layer_check_notices_an_upward_import(tmp_path: Path) -> None:
    """A planning module importing the runner is caught by the same check."""
    module = tmp_path / "planner.py"
    module.write_text("from edgetui.runner.runner import Runner\n", encoding="utf-8")
    assert _imported_layers(module) - ALLOWED["planning"] == {"runner"}
