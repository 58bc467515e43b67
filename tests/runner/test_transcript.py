"""The transcript: one redacted JSON line per command, append-only, private."""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from edgetui.runner.command import Command
from edgetui.runner.prompts import PACKAGE_PROMPTS
from edgetui.runner.runner import Runner
from edgetui.runner.statedir import state_directory
from edgetui.runner.transcript import TRANSCRIPT_NAME, Transcript

from .conftest import Script


def records(path: Path) -> list[dict[str, Any]]:
    """Every record in a transcript file, in order."""
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_record_holds_what_ran_and_how_it_ended(tmp_path: Path) -> None:
    """A record has argv, ISO start time, duration, exit status and the flags."""
    path = tmp_path / "state" / TRANSCRIPT_NAME
    runner = Runner(transcript=Transcript(path))
    before = datetime.datetime.now(datetime.timezone.utc)

    await runner.run(Command(("sh", "-c", "echo hello; exit 4"), title="Say hello"))

    (record,) = records(path)
    assert record["argv"] == ["sh", "-c", "echo hello; exit 4"]
    assert record["title"] == "Say hello"
    started = datetime.datetime.fromisoformat(record["start"])
    assert abs((started - before).total_seconds()) < 5
    assert 0 <= record["duration"] < 5
    assert record["exit"] == 4
    assert record["timed_out"] is False
    assert record["cancelled"] is False
    assert record["dry_run"] is False
    assert record["error"] is None
    assert record["output"] == ["hello"]
    assert record["dropped_lines"] == 0


async def test_transcript_file_and_directory_are_private(tmp_path: Path) -> None:
    """The directory is created 0700 and the file 0600."""
    path = tmp_path / "state" / TRANSCRIPT_NAME
    runner = Runner(transcript=Transcript(path))

    await runner.run(Command(("true",)))

    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_record_keeps_the_last_lines_and_counts_the_rest(tmp_path: Path) -> None:
    """A long output keeps its last 2,000 lines and says how many were dropped."""
    path = tmp_path / TRANSCRIPT_NAME
    runner = Runner(transcript=Transcript(path, kept_lines=2_000))

    await runner.run(Command(("seq", "1", "5000")))

    (record,) = records(path)
    assert len(record["output"]) == 2_000
    assert record["output"][0] == "3001"
    assert record["output"][-1] == "5000"
    assert record["dropped_lines"] == 3_000


async def test_secrets_never_reach_the_transcript(tmp_path: Path) -> None:
    """Connection strings in output and passwords in argv are redacted."""
    path = tmp_path / TRANSCRIPT_NAME
    runner = Runner(transcript=Transcript(path))
    key = "SharedAccessKey=c2VjcmV0LWtleS1ub3QtdG8tbGVhaw=="
    printed = f"connection_string = 'HostName=h;DeviceId=d;{key}'"

    result = await runner.run(Command(("echo", printed, "--password", "hunter2")))

    text = path.read_text()
    assert "c2VjcmV0LWtleS1ub3QtdG8tbGVhaw" not in text
    assert "hunter2" not in text
    assert "c2VjcmV0LWtleS1ub3QtdG8tbGVhaw" not in result.text
    assert records(path)[0]["argv"][-1] == "<redacted>"


async def test_prompt_answers_are_recorded(tmp_path: Path, script: Script) -> None:
    """A non-secret answer (a conffile choice) is recorded with its prompt kind."""
    path = tmp_path / TRANSCRIPT_NAME
    runner = Runner(transcript=Transcript(path))
    command = Command(
        script("dpkg_conffile.py"), interactive=True, prompt_rules=PACKAGE_PROMPTS
    )

    await runner.run(command, lambda prompt: "Y")

    assert records(path)[0]["prompts"] == [{"kind": "conffile", "answer": "Y"}]


async def test_two_processes_append_whole_lines(tmp_path: Path, data_dir: Path) -> None:
    """Large records appended by two processes at once never interleave."""
    path = tmp_path / TRANSCRIPT_NAME
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(data_dir / "append_records.py"),
            str(path),
            tag,
            "60",
            env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        )
        for tag in ("first", "second")
    ]
    assert [await writer.wait() for writer in writers] == [0, 0]

    entries = records(path)

    assert len(entries) == 120
    for tag in ("first", "second"):
        numbers = [int(e["argv"][1]) for e in entries if e["argv"][0] == tag]
        assert numbers == list(range(60))
    assert all(len(entry["output"]) == 500 for entry in entries)


async def test_unwritable_transcript_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A transcript that cannot be written does not fail the command."""
    runner = Runner(transcript=Transcript("/dev/null/edgetui/transcript.jsonl"))

    result = await runner.run(Command(("true",)))

    assert result.ok
    assert "cannot write the transcript" in caplog.text


def test_state_directory_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EDGETUI_STATE_DIR wins, and the directory is created 0700."""
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(tmp_path / "custom"))

    directory = state_directory(is_root=lambda: True)

    assert directory == tmp_path / "custom"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_state_directory_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root the state lives in /var/log/edgetui."""
    monkeypatch.delenv("EDGETUI_STATE_DIR", raising=False)

    directory = state_directory(create=False, is_root=lambda: True)

    assert directory == Path("/var/log/edgetui")


def test_state_directory_follows_xdg_when_not_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root: $XDG_STATE_HOME/edgetui, else ~/.local/state/edgetui."""
    monkeypatch.delenv("EDGETUI_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_directory(is_root=lambda: False) == tmp_path / "xdg" / "edgetui"

    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "state" / "edgetui"
    assert state_directory(is_root=lambda: False) == expected
    assert stat.S_IMODE(expected.stat().st_mode) == 0o700


def test_transcript_in_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default transcript is transcript.jsonl in the state directory."""
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(tmp_path))

    assert Transcript.in_state_directory().path == tmp_path / TRANSCRIPT_NAME
