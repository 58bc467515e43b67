"""Only the runner (and the self-contained simulator) may start processes."""

from __future__ import annotations

import ast
from pathlib import Path

import edgetui

PACKAGE = Path(edgetui.__file__).resolve().parent
ALLOWED = ("runner", "sim")
PROCESS_MODULES = {"subprocess", "pexpect", "ptyprocess", "pty"}
PROCESS_CALLS = {
    ("os", "system"),
    ("os", "popen"),
    ("os", "fork"),
    ("os", "forkpty"),
    ("os", "posix_spawn"),
    ("os", "posix_spawnp"),
    ("asyncio", "create_subprocess_exec"),
    ("asyncio", "create_subprocess_shell"),
}


def outside_the_runner() -> list[Path]:
    """Every edgetui module that is not part of the runner or the simulator."""
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in ALLOWED
    ]


def process_uses(path: Path) -> list[str]:
    """Imports of process modules and calls that start processes, by line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Attribute)):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in PROCESS_CALLS:
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
            elif node.value.id == "os" and node.attr.startswith(("exec", "spawn")):
                found.append(f"line {node.lineno}: os.{node.attr}")
        for name in names:
            top = name.split(".")[0]
            dotted = tuple(name.split(".")[:2])
            if top in PROCESS_MODULES or dotted in PROCESS_CALLS:
                found.append(f"line {node.lineno}: import {name}")
    return found


def test_scan_finds_process_use_in_the_runner() -> None:
    """The scan is able to see imports: the runner's own modules are caught."""
    assert process_uses(PACKAGE / "runner" / "pty.py")
    assert process_uses(PACKAGE / "runner" / "pipes.py")


def test_no_module_outside_the_runner_starts_processes() -> None:
    """Outside edgetui/runner and edgetui/sim nothing imports subprocess or pexpect."""
    scanned = outside_the_runner()
    offenders = {
        str(path.relative_to(PACKAGE)): uses
        for path in scanned
        if (uses := process_uses(path))
    }

    assert len(scanned) > 5
    assert offenders == {}
