"""Commands that need root: run directly as root, through sudo otherwise."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import pytest

from edgetui.runner.command import Command
from edgetui.runner.events import Prompt
from edgetui.runner.prompts import SUDO_MARKER
from edgetui.runner.runner import Runner
from edgetui.runner.stopping import StopPolicy
from edgetui.runner.transcript import Transcript

PASSWORD = "correct-horse-battery"


@pytest.fixture
def sudo_path(tmp_path: Path, data_dir: Path) -> dict[str, str]:
    """A PATH with a fake sudo first; it accepts only PASSWORD."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sudo = bin_dir / "sudo"
    sudo.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{data_dir / "fake_sudo.py"}" "$@"\n'
    )
    sudo.chmod(0o755)
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "EDGETUI_FAKE_SUDO_PASSWORD_FILE": str(password_file),
    }


def not_root_runner(env: dict[str, str], tmp_path: Path) -> Runner:
    """A runner that believes it is not root, recording to tmp_path."""
    return Runner(
        transcript=Transcript(tmp_path / "transcript.jsonl"),
        env=env,
        is_root=lambda: False,
        stop_policy=StopPolicy(interrupt_grace=0.3, terminate_grace=0.3),
    )


async def test_not_root_runs_through_sudo_with_password_prompt(
    sudo_path: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """sudo's marker prompt becomes a secret password prompt; the command runs."""
    caplog.set_level(logging.DEBUG)
    runner = not_root_runner(sudo_path, tmp_path)
    asked: list[Prompt] = []

    def reply(prompt: Prompt) -> str:
        asked.append(prompt)
        return PASSWORD

    command = Command(
        ("sh", "-c", "echo ran as $LC_ALL with $EDGETUI_CHOSEN"),
        env={"EDGETUI_CHOSEN": "chosen"},
        needs_root=True,
    )
    result = await runner.run(command, reply)

    assert result.exit_code == 0, result
    assert result.output[-1] == "ran as C with chosen"
    assert result.argv[:4] == ("sudo", "-p", SUDO_MARKER, "--")
    assert [(p.kind, p.secret, p.text) for p in asked] == [
        ("password", True, SUDO_MARKER.rstrip())
    ]
    recorded = (tmp_path / "transcript.jsonl").read_text()
    assert PASSWORD not in recorded
    assert PASSWORD not in "\n".join(result.output)
    assert PASSWORD not in caplog.text
    assert json.loads(recorded)["prompts"] == [
        {"kind": "password", "answer": "<redacted>"}
    ]


async def test_wrong_password_is_asked_again(
    sudo_path: dict[str, str], tmp_path: Path
) -> None:
    """After a wrong password sudo asks again, and a new prompt is raised."""
    runner = not_root_runner(sudo_path, tmp_path)
    answers = iter(["wrong-password-1", PASSWORD])

    result = await runner.run(
        Command(("echo", "done"), needs_root=True), lambda prompt: next(answers)
    )

    assert result.exit_code == 0
    assert "Sorry, try again." in result.output
    assert result.output[-1] == "done"
    recorded = (tmp_path / "transcript.jsonl").read_text()
    assert "wrong-password-1" not in recorded
    assert PASSWORD not in recorded


async def test_root_runs_directly_without_sudo(
    sudo_path: dict[str, str], tmp_path: Path
) -> None:
    """As root, a command that needs root runs as it is, on pipes."""
    runner = Runner(env=sudo_path, is_root=lambda: True)

    result = await runner.run(Command(("echo", "direct"), needs_root=True))

    assert result.argv == ("echo", "direct")
    assert result.output == ("direct",)


async def test_command_not_needing_root_skips_sudo(
    sudo_path: dict[str, str], tmp_path: Path
) -> None:
    """Without needs_root nothing asks for a password, even when not root."""
    runner = not_root_runner(sudo_path, tmp_path)

    result = await runner.run(Command(("echo", "plain")))

    assert result.argv == ("echo", "plain")
    assert result.ok


async def test_password_prompt_without_answer_cancels(
    sudo_path: dict[str, str], tmp_path: Path
) -> None:
    """With no answer callable, sudo's question stops the command."""
    runner = not_root_runner(sudo_path, tmp_path)

    result = await runner.run(Command(("echo", "never"), needs_root=True))

    assert result.cancelled
    assert "never" not in result.output


async def test_missing_sudo_says_to_run_as_root(tmp_path: Path) -> None:
    """Not root and no sudo: the command does not start, and the error says why."""
    runner = Runner(env={"PATH": str(tmp_path)}, is_root=lambda: False)

    result = await runner.run(Command(("/bin/echo", "x"), needs_root=True))

    assert result.exit_code is None
    assert result.error == (
        "/bin/echo needs root and sudo is not installed: run edgetui as root"
    )
