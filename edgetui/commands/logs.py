"""`edgetui logs [MODULE|daemon] [--tail N]`: recent log lines, secrets masked."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from edgetui import exitcodes
from edgetui.commands.outcome import report_failure
from edgetui.commands.runners import runner_for
from edgetui.device.root import HostilePathError
from edgetui.operations.errors import OperationError
from edgetui.operations.logs import read_log

if TYPE_CHECKING:
    from edgetui.cli import Context


def run_logs(context: Context, target: str, tail: int) -> int:
    """Prints the last `tail` lines of a module's log or of the daemons' log.

    Args:
        context: the device root and output form.
        target: a module name (`edgeAgent`) or `daemon`.
        tail: how many lines.

    Returns:
        0 when the log was read, 1 when it could not be, 2 for bad input.
    """
    try:
        reading = read_log(context.root, runner_for(context), target, tail)
        excerpt = asyncio.run(reading)
    except (OperationError, HostilePathError) as error:
        return report_failure(error)
    if context.json:
        data = {
            "target": excerpt.target,
            "command": list(excerpt.argv),
            "lines": list(excerpt.lines),
        }
        print(json.dumps(data, indent=2))
    else:
        for line in excerpt.lines:
            print(line)
    return exitcodes.OK
