"""Only edgetui.ui imports Textual: the core runs where Textual is absent."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_PACKAGES = (
    "edgetui.facts",
    "edgetui.runner",
    "edgetui.device",
    "edgetui.planning",
    "edgetui.sim",
    "edgetui.operations",
    "edgetui.execution",
    "edgetui.commands",
)

_PROBE = """
import importlib, json, pkgutil, sys
imported = []
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    imported.append(name)
    path = getattr(package, "__path__", [])
    for module in pkgutil.walk_packages(path, name + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
            imported.append(module.name)
import edgetui.cli
imported.append("edgetui.cli")
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": imported, "textual": loaded}))
"""


def test_core_modules_leave_textual_unimported() -> None:
    """Every core module and the CLI import in a fresh interpreter without Textual."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *CORE_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["textual"] == []
    assert "edgetui.cli" in report["imported"]
    assert len(report["imported"]) > len(CORE_PACKAGES)


def test_the_probe_notices_textual() -> None:
    """The same probe reports Textual once a UI module is imported."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "edgetui.ui"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert "textual" in report["textual"]
