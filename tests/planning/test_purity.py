"""Planning stays pure: plain data, the standard library, nothing with I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import edgetui.planning

PLANNING = Path(edgetui.planning.__file__).parent
ALLOWED_OURS = ("edgetui.facts", "edgetui.planning")
FORBIDDEN_STDLIB = {"subprocess", "socket", "shutil", "asyncio", "urllib", "http"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_planning_imports_only_facts_and_itself() -> None:
    """No planning module imports the runner, device probes, the UI or I/O modules."""
    for path in sorted(PLANNING.glob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top == "edgetui":
                assert name.startswith(ALLOWED_OURS), f"{path.name} imports {name}"
            assert top not in FORBIDDEN_STDLIB, f"{path.name} imports {name}"
            assert top not in ("textual", "docker", "pexpect", "psutil")


def test_planning_loads_without_the_rest_of_edgetui() -> None:
    """A fresh interpreter plans without loading the runner, probes or Textual."""
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from edgetui.facts.device import DeviceFacts\n"
        "from edgetui.planning.planner import plan_update\n"
        "from edgetui.planning.assess import assess\n"
        "assess(DeviceFacts(), date(2026, 3, 1))\n"
        "print(plan_update(DeviceFacts(), date(2026, 3, 1)).path)\n"
        "loaded = [m for m in sys.modules if m.startswith(('edgetui.runner',"
        " 'edgetui.device', 'edgetui.ui', 'textual', 'docker'))]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["unsupported", "[]"]
