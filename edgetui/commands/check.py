"""`edgetui check`: run `iotedge check` and summarise what it found."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from edgetui import exitcodes
from edgetui.commands.outcome import report_failure
from edgetui.commands.runners import runner_for
from edgetui.operations.errors import OperationError
from edgetui.operations.iotedge_check import CheckOutcome, CheckReport, run_check

if TYPE_CHECKING:
    from edgetui.cli import Context

_SHOWN_STATUSES = ("warning", "error", "fatal")


def run_check_command(context: Context) -> int:
    """Runs `iotedge check` (JSON form with `--json`) and prints a summary.

    Args:
        context: the output form; on the host root `iotedge check` runs as
            root.

    Returns:
        0 when no check raised an error, 1 otherwise.
    """
    try:
        checking = run_check(
            runner_for(context), as_json=context.json, needs_root=context.root.is_host
        )
        report = asyncio.run(checking)
    except OperationError as error:
        return report_failure(error)
    if context.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_summary(report)
    return exitcodes.OK if report.ok else exitcodes.FAILED


def _print_summary(report: CheckReport) -> None:
    for section, checks in report.sections().items():
        counts = Counter(check.status for check in checks)
        print(f"{section}: {_counts_text(counts)}")
        for check in checks:
            if check.status in _SHOWN_STATUSES:
                _print_check(check)
    print()
    print(f"total: {_counts_text(report.counts)}")
    if report.ok:
        print("ok: no check raised an error")
    else:
        print(
            "errors found: fix them, then run `edgetui check` again "
            "(`sudo iotedge check --verbose` shows the causes)"
        )


def _print_check(check: CheckOutcome) -> None:
    print(f"  {check.status}: {check.name}")
    for detail in check.details:
        print(f"      {detail}")


def _counts_text(counts: Mapping[str, int]) -> str:
    parts = [
        f"{counts[status]} {status}"
        for status in ("ok", "warning", "error", "fatal", "skipped")
        if counts.get(status)
    ]
    return ", ".join(parts) or "no checks"
