"""Fake device programs on PATH that record how they were called."""

from __future__ import annotations

import json
import sys
from pathlib import Path

_RECORDER = """#!{python}
import json, os, sys
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps([os.path.basename(sys.argv[0])] + sys.argv[1:]) + "\\n")
{body}
"""


class FakePrograms:
    """Writes executable Python scripts into a directory placed first on PATH.

    Each script appends its argv to a shared log (one JSON list a line) and
    then runs the body it was given.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.log = directory / "calls.jsonl"

    def add(self, name: str, body: str = "") -> Path:
        """Creates the program `name` running `body` (Python) after recording."""
        script = self.directory / name
        script.write_text(
            _RECORDER.format(python=sys.executable, log=str(self.log), body=body)
        )
        script.chmod(0o755)
        return script

    def calls(self) -> list[list[str]]:
        """Gives every recorded call, oldest first, as argv lists."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


def iotedge_version_body(version: str) -> str:
    """The body of a fake `iotedge` that answers `iotedge version`."""
    return (
        "if sys.argv[1:] == ['version']:\n"
        f"    print('iotedge {version}')\n"
        "    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
