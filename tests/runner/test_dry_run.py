"""Dry-run mode records what would run and runs nothing that changes the device."""

from __future__ import annotations

import json
from pathlib import Path

from edgetui.runner.command import Command
from edgetui.runner.events import CommandFinished
from edgetui.runner.runner import Runner
from edgetui.runner.transcript import Transcript


async def test_dry_run_records_and_runs_nothing(tmp_path: Path) -> None:
    """A changing command is recorded with dry_run=true and does not run."""
    marker = tmp_path / "touched"
    path = tmp_path / "transcript.jsonl"
    runner = Runner(transcript=Transcript(path), dry_run=True)

    result = await runner.run(Command(("touch", str(marker)), title="Touch"))

    assert not marker.exists()
    assert result.dry_run
    assert result.exit_code is None
    assert result.error is None
    record = json.loads(path.read_text())
    assert record["argv"] == ["touch", str(marker)]
    assert record["dry_run"] is True
    assert record["exit"] is None


async def test_dry_run_still_runs_read_only_commands(tmp_path: Path) -> None:
    """A read_only command runs even in dry-run mode, so detection works."""
    runner = Runner(transcript=Transcript(tmp_path / "t.jsonl"), dry_run=True)

    result = await runner.run(Command(("echo", "read"), read_only=True))

    assert not result.dry_run
    assert result.output == ("read",)


async def test_dry_run_started_command_yields_only_the_end(tmp_path: Path) -> None:
    """start() in dry-run mode gives a single CommandFinished event."""
    runner = Runner(dry_run=True)
    running = runner.start(Command(("rm", "-rf", str(tmp_path / "nothing"))))

    events = [event async for event in running]

    assert len(events) == 1
    assert isinstance(events[0], CommandFinished)
    assert events[0].result.dry_run
    assert running.result is events[0].result


async def test_dry_run_of_root_command_shows_the_sudo_prefix(tmp_path: Path) -> None:
    """When not root, the dry-run record shows the command as sudo would run it."""
    runner = Runner(dry_run=True, is_root=lambda: False)

    result = await runner.run(
        Command(("apt-get", "install", "-y", "x"), needs_root=True)
    )

    assert result.argv[0] == "sudo"
    assert result.argv[-4:] == ("apt-get", "install", "-y", "x")
