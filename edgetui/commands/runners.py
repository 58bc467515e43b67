"""The runner every headless command runs the device's programs with."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from edgetui.runner.runner import Runner, running_as_root
from edgetui.runner.transcript import Transcript

if TYPE_CHECKING:
    from edgetui.cli import Context

logger = logging.getLogger(__name__)


def runner_for(context: Context, *, dry_run: bool = False) -> Runner:
    """Gives a runner that records every command in the state directory.

    On a simulated device (`--demo`) nothing goes through sudo: its programs
    stand in for root themselves.

    Args:
        context: the device the command works on.
        dry_run: record what would run without running it.

    Returns:
        The runner; without a transcript when the state directory cannot be
        created (the reason is logged).
    """
    try:
        transcript: Transcript | None = Transcript.in_state_directory()
    except OSError as error:
        logger.warning("commands are not recorded: %s", error)
        transcript = None
    is_root = _simulated_root if context.demo is not None else running_as_root
    return Runner(transcript=transcript, dry_run=dry_run, is_root=is_root)


def _simulated_root() -> bool:
    return True
