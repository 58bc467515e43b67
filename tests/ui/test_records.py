"""The wizard's log file: in the state directory, private, secrets masked."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from edgetui.runner.logfile import LOG_FILE_NAME
from edgetui.ui.records import close_records, open_records


def test_records_go_to_the_log_file_with_secrets_masked(
    state_directory: Path,
) -> None:
    """A logged connection string reaches the file with its key masked."""
    records = open_records()
    try:
        logging.getLogger("edgetui.ui.test").info(
            "read HostName=hub.example;DeviceId=gw7;SharedAccessKey=c2VjcmV0a2V5MTIz"
        )
    finally:
        close_records(records)

    assert records.log_path == state_directory / LOG_FILE_NAME
    text = records.log_path.read_text(encoding="utf-8")
    assert "DeviceId=gw7" in text
    assert "c2VjcmV0a2V5MTIz" not in text
    assert "SharedAccessKey=<redacted>" in text


def test_the_log_file_is_private_and_detached_after_close(
    state_directory: Path,
) -> None:
    """The log exists from the start, only root reads it, and closing detaches it."""
    records = open_records()
    path = state_directory / LOG_FILE_NAME
    created = path.exists()
    close_records(records)
    logging.getLogger("edgetui.ui.test").warning("after the wizard ended")

    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "after the wizard ended" not in path.read_text(encoding="utf-8")
    assert records.log is not None
    assert records.log.handler not in logging.getLogger("edgetui").handlers


def test_an_unwritable_state_directory_is_said_and_the_wizard_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state directory under a file cannot exist: the problem names it."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(blocker / "state"))

    records = open_records()
    close_records(records)

    assert records.log is None
    assert records.transcript is None
    assert records.problem is not None
    assert str(blocker / "state") in records.problem
    assert "EDGETUI_STATE_DIR" in records.problem
