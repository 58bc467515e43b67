"""`runner_for`: every headless command's runner records what it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from edgetui.cli import Context
from edgetui.commands.runners import runner_for
from edgetui.device.root import DeviceRoot
from edgetui.runner.command import Command
from edgetui.runner.transcript import TRANSCRIPT_NAME


def transcript_records(state: Path) -> list[dict[str, Any]]:
    """The records in the state directory's transcript, oldest first."""
    lines = (state / TRANSCRIPT_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def context(tmp_path: Path, demo: str | None = None) -> Context:
    """A context for a device root in the test's folder."""
    return Context(root=DeviceRoot(tmp_path), json=False, demo=demo)


def test_check_on_a_demo_device_appends_a_transcript_record(
    state_directory: Path,
) -> None:
    """`edgetui check --demo lts-1.4` records `iotedge check` with its output."""
    result = subprocess.run(
        [sys.executable, "-m", "edgetui", "check", "--demo", "lts-1.4"],
        env={**os.environ, "EDGETUI_SIM_SPEED": "0"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    records = transcript_records(state_directory)
    check = [record for record in records if record["argv"][:2] == ["iotedge", "check"]]
    assert len(check) == 1
    assert check[0]["exit"] == 0
    assert any("config.toml" in line for line in check[0]["output"])


async def test_the_runner_records_in_the_state_directory(
    tmp_path: Path, state_directory: Path
) -> None:
    """A command run by the runner is appended to the state directory's transcript."""
    runner = runner_for(context(tmp_path))

    await runner.run(Command(argv=("true",), title="Nothing at all", read_only=True))

    assert [record["title"] for record in transcript_records(state_directory)] == [
        "Nothing at all"
    ]


def test_a_demo_device_needs_no_sudo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a simulated device the runner counts as root; on this machine it asks."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    assert runner_for(context(tmp_path, demo="lts-1.4")).is_root() is True
    assert runner_for(context(tmp_path)).is_root() is False


def test_dry_run_is_passed_on(tmp_path: Path) -> None:
    """`dry_run=True` gives a runner that only records."""
    assert runner_for(context(tmp_path), dry_run=True).dry_run is True
    assert runner_for(context(tmp_path)).dry_run is False


def test_an_unwritable_state_directory_runs_without_a_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the state directory cannot be created the commands still run."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be\n", encoding="utf-8")
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(blocker / "state"))

    assert runner_for(context(tmp_path)).transcript is None
