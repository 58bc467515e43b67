"""Handing the terminal to an interactive program such as the pager."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgetui.runner.terminal import PROGRAM_MISSING, run_in_terminal, show_in_pager


def test_the_program_runs_and_its_status_comes_back(tmp_path: Path) -> None:
    """A program found on PATH runs to the end and its exit status is returned."""
    marker = tmp_path / "ran"
    status = run_in_terminal(["sh", "-c", f'touch "{marker}"; exit 3'])
    assert status == 3
    assert marker.exists()


def test_a_missing_program_is_reported_not_raised() -> None:
    """A program that is not on PATH gives the shell's 127 instead of an error."""
    assert run_in_terminal(["edgetui-no-such-pager"]) == PROGRAM_MISSING


def test_without_less_the_pager_says_it_could_not_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no `less` on PATH the wizard is told to show the file itself."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert show_in_pager(str(tmp_path / "output.log")) is False


def test_the_pager_gets_the_file_from_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`less +G -- FILE` is what runs, so the newest output shows first."""
    record = tmp_path / "argv"
    fake = tmp_path / "less"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert show_in_pager("/var/log/edgetui/run-output.log") is True
    assert record.read_text().split() == ["+G", "--", "/var/log/edgetui/run-output.log"]
