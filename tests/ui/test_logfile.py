"""The wizard's log file: in the state directory, private, secrets masked."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from edgetui.ui.logfile import LOG_FILE_NAME, start_file_log, stop_file_log


def test_records_go_to_the_log_file_with_secrets_masked(tmp_path: Path) -> None:
    """A logged connection string reaches the file with its key masked."""
    directory = tmp_path / "state"
    handler = start_file_log(directory)
    try:
        logging.getLogger("edgetui.ui.test").info(
            "read HostName=hub.example;DeviceId=gw7;SharedAccessKey=c2VjcmV0a2V5MTIz"
        )
    finally:
        stop_file_log(handler)

    text = (directory / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "DeviceId=gw7" in text
    assert "c2VjcmV0a2V5MTIz" not in text
    assert "SharedAccessKey=<redacted>" in text


def test_the_log_file_is_private_and_detached_after_stop(tmp_path: Path) -> None:
    """Only the owner may read the log, and records stop after stop_file_log."""
    handler = start_file_log(tmp_path)
    stop_file_log(handler)
    logging.getLogger("edgetui.ui.test").warning("after the wizard ended")

    path = tmp_path / LOG_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "after the wizard ended" not in path.read_text(encoding="utf-8")
    assert handler not in logging.getLogger("edgetui").handlers
