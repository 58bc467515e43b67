"""edgetui's log: records go to edgetui.log in the state directory, not the terminal."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

from edgetui.cli import main
from edgetui.runner.logfile import LOG_FILE_NAME, logging_to_state_directory

SECRET_KEY = "bG9nLWtleS10aGF0LW11c3Qtc3RheS1oaWRkZW4tOTE="


def detect_bare_root(tmp_path: Path, state: Path) -> subprocess.CompletedProcess[str]:
    """Runs `edgetui detect --json` as a child on an empty root without an engine."""
    root = tmp_path / "root"
    root.mkdir()
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    env = {
        **os.environ,
        "PATH": str(empty_bin),
        "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock",
        "EDGETUI_STATE_DIR": str(state),
    }
    return subprocess.run(
        [sys.executable, "-m", "edgetui", "detect", "--json", "--root", str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_logs_to_the_state_directory_not_to_stderr(tmp_path: Path) -> None:
    """A headless command's records land in edgetui.log (0600); stderr stays empty."""
    state = tmp_path / "state"

    result = detect_bare_root(tmp_path, state)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    json.loads(result.stdout)
    log = state / LOG_FILE_NAME
    text = log.read_text(encoding="utf-8")
    assert "INFO edgetui.device.engine: engine at unix://" in text
    assert "did not answer" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_an_unwritable_state_directory_drops_the_log_silently(tmp_path: Path) -> None:
    """A state directory that cannot be created costs the log, not the command."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be\n", encoding="utf-8")

    result = detect_bare_root(tmp_path, blocker / "state")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["engine"]["available"] is False


def test_secrets_are_masked_in_messages_and_tracebacks(state_directory: Path) -> None:
    """A key in a message's arguments or in an exception never reaches the file."""
    logger = logging.getLogger("edgetui.commands.test")

    with logging_to_state_directory():
        logger.info("read SharedAccessKey=%s from the config", SECRET_KEY)
        try:
            raise ValueError(f"bad value: SharedAccessKey={SECRET_KEY}")
        except ValueError:
            logger.exception("parsing failed")

    text = (state_directory / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "read SharedAccessKey=<redacted> from the config" in text
    assert "ValueError: bad value: SharedAccessKey=<redacted>" in text
    assert SECRET_KEY not in text


def test_a_command_that_logs_nothing_leaves_the_state_directory_alone(
    state_directory: Path,
) -> None:
    """Listing the demos writes no record, so no state directory is created."""
    assert main(["demo", "--list"]) == 0

    assert not state_directory.exists()


def test_commands_in_one_process_do_not_stack_handlers(state_directory: Path) -> None:
    """Each main() call removes its handler, so a record is written once per run."""
    package = logging.getLogger("edgetui")
    before = list(package.handlers)

    main(["demo", "--list"])
    with logging_to_state_directory():
        logging.getLogger("edgetui.commands.test").warning("written once")
    main(["demo", "--list"])

    assert package.handlers == before
    text = (state_directory / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert text.count("written once") == 1
