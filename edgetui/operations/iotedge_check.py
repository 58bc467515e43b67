"""`iotedge check`: run it and read its verdicts, as text or as JSON.

The text form prints sections (a name underlined with dashes) and one line
per check ending in ` - OK`, ` - Warning` or ` - Error`; the glyph before the
description is unreliable on terminals that are not UTF-8, so only the suffix
is trusted. The JSON form (`--output json`) keys checks by ID with a nested
`{"result": {"result": "warning", "details": [...]}}`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from edgetui.operations.errors import OperationError
from edgetui.runner.command import Command
from edgetui.runner.redact import redact
from edgetui.runner.runner import Runner

STATUSES = ("ok", "warning", "error", "fatal", "skipped", "ignored")
"""Every verdict `iotedge check` gives, in its own words."""

FAILING = frozenset({"error", "fatal"})

_CHECK_LINE = re.compile(
    r"^(?P<glyph>\S{1,4}) (?P<description>.+) - (?P<status>OK|Warning|Error)\s*$"
)
_SUMMARY_LINE = re.compile(
    r"^(?P<count>\d+) check\(s\) "
    r"(?P<what>succeeded|raised warnings|raised errors|were skipped)"
)
_SUMMARY_STATUS = {
    "succeeded": "ok",
    "raised warnings": "warning",
    "raised errors": "error",
    "were skipped": "skipped",
}
_SKIPPED_DETAIL = "skipping because of previous failures"


@dataclass(frozen=True)
class CheckOutcome:
    """One check and its verdict.

    Attributes:
        status: one of `STATUSES`.
        description: what was checked, from the text output.
        check_id: the check's ID, from the JSON output.
        section: the text section it was printed under.
        details: the messages under it (the error chain), redacted.
    """

    status: str
    description: str | None = None
    check_id: str | None = None
    section: str | None = None
    details: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The description, or the ID when only that is known."""
        return self.description or self.check_id or "?"


@dataclass(frozen=True)
class CheckReport:
    """Everything one run of `iotedge check` said.

    Attributes:
        checks: the checks in the order they were reported.
        reported: the counts from the summary lines (text output only); the
            text output hides skipped checks unless `--verbose`.
        versions: daemon and engine versions from the JSON `additional_info`.
    """

    checks: tuple[CheckOutcome, ...]
    reported: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Checks per status; a count the summary states higher wins."""
        counted = Counter(check.status for check in self.checks)
        return {
            status: max(counted[status], self.reported.get(status, 0))
            for status in STATUSES
        }

    @property
    def failed(self) -> tuple[CheckOutcome, ...]:
        """The checks that raised errors (fatal included)."""
        return tuple(check for check in self.checks if check.status in FAILING)

    @property
    def ok(self) -> bool:
        """True when no check raised an error (warnings allowed)."""
        counts = self.counts
        return counts["error"] == 0 and counts["fatal"] == 0

    def sections(self) -> dict[str, list[CheckOutcome]]:
        """Groups the checks by section, in the order the sections appeared."""
        grouped: dict[str, list[CheckOutcome]] = {}
        for check in self.checks:
            grouped.setdefault(check.section or "Checks", []).append(check)
        return grouped

    def to_json(self) -> dict[str, Any]:
        """Gives the JSON form `edgetui check --json` prints."""
        return {
            "ok": self.ok,
            "counts": self.counts,
            "versions": self.versions,
            "checks": [
                {
                    "id": check.check_id,
                    "description": check.description,
                    "section": check.section,
                    "status": check.status,
                    "details": list(check.details),
                }
                for check in self.checks
            ],
        }


def parse_check_text(text: str) -> CheckReport:
    """Reads the text output of `iotedge check` (1.0 to 1.6, any terminal).

    Args:
        text: everything the command printed.

    Returns:
        The checks with their sections and messages.
    """
    lines = text.splitlines()
    checks: list[CheckOutcome] = []
    reported: dict[str, int] = {}
    section: str | None = None
    current: dict[str, Any] | None = None

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _is_underline(following, line):
            section = line.strip()
            continue
        if _is_underline(line, lines[index - 1] if index else ""):
            continue
        match = _CHECK_LINE.match(line)
        if match:
            current = _text_check(match, section)
            checks.append(_outcome(current))
            continue
        summary = _SUMMARY_LINE.match(line)
        if summary:
            reported[_SUMMARY_STATUS[summary["what"]]] = int(summary["count"])
            current = None
            continue
        if current is not None and line.startswith("    ") and line.strip():
            current["details"].append(redact(line.strip()))
            checks[-1] = _outcome(current)

    return CheckReport(checks=tuple(checks), reported=reported)


def parse_check_json(text: str) -> CheckReport:
    """Reads the output of `iotedge check --output json`.

    Args:
        text: everything the command printed; the JSON object may follow
            other lines.

    Returns:
        The checks by ID (alphabetical, as printed) and the versions.

    Raises:
        OperationError: there is no JSON object with `checks` in the text.
    """
    data = _json_object(text)
    raw_checks = data.get("checks")
    if not isinstance(raw_checks, dict):
        raise OperationError(
            "`iotedge check --output json` printed no checks; run "
            "`sudo iotedge check` to see what it says"
        )
    checks = tuple(
        _json_check(check_id, entry) for check_id, entry in raw_checks.items()
    )
    return CheckReport(checks=checks, versions=_json_versions(data))


async def run_check(
    runner: Runner, *, as_json: bool = False, needs_root: bool = True
) -> CheckReport:
    """Runs `iotedge check` and reads its verdicts.

    Args:
        runner: runs the command.
        as_json: ask for `--output json` (check IDs and versions) instead of
            the text form (sections and descriptions).
        needs_root: run it as root (on a real device the check reads
            root-only files).

    Returns:
        The report; `iotedge check` exits 1 when a check failed, which is a
        verdict, not a failure of this function.

    Raises:
        OperationError: `iotedge` is missing, timed out, or printed no checks.
    """
    argv: tuple[str, ...] = ("iotedge", "check")
    if as_json:
        argv += ("--output", "json")
    result = await runner.run(
        Command(
            argv=argv,
            needs_root=needs_root,
            read_only=True,
            timeout=900.0,
            title="Check the IoT Edge configuration and connectivity",
        )
    )
    if result.error or result.exit_code is None:
        raise OperationError(
            f"`iotedge check` did not run ({result.error or 'no exit code'}); "
            "install IoT Edge, or put `iotedge` on PATH"
        )
    if result.timed_out:
        raise OperationError(
            "`iotedge check` did not finish in 15 minutes; check the network, "
            "then run `sudo iotedge check --verbose` to see where it stops"
        )
    report = parse_check_json(result.text) if as_json else parse_check_text(result.text)
    if not report.checks:
        last = redact(result.output[-1]) if result.output else "no output"
        raise OperationError(
            f"`iotedge check` exited {result.exit_code} without results ({last}); "
            "run `sudo iotedge check --verbose` to see why"
        )
    return report


def _is_underline(line: str, title: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= 3
        and set(stripped) == {"-"}
        and len(stripped) == len(title.strip())
    )


def _text_check(match: re.Match[str], section: str | None) -> dict[str, Any]:
    return {
        "status": match["status"].lower(),
        "description": match["description"].strip(),
        "section": section,
        "details": [],
    }


def _outcome(check: dict[str, Any]) -> CheckOutcome:
    status = check["status"]
    details = tuple(check["details"])
    if status == "warning" and details[:1] == (_SKIPPED_DETAIL,):
        status = "skipped"
    return CheckOutcome(
        status=status,
        description=check["description"],
        section=check["section"],
        details=details,
    )


def _json_object(text: str) -> dict[str, Any]:
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            data, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(data, dict) and "checks" in data:
            return data
        start = text.find("{", start + 1)
    raise OperationError(
        "`iotedge check --output json` printed no JSON report; run "
        "`sudo iotedge check` to see what it says"
    )


def _json_check(check_id: str, entry: Any) -> CheckOutcome:
    result = entry.get("result") if isinstance(entry, dict) else entry
    if isinstance(result, dict):
        status = str(result.get("result", "error"))
        details = result.get("details") or []
    else:
        status, details = str(result), []
    status = status.lower() if status.lower() in STATUSES else "error"
    lines = [
        redact(line.strip())
        for detail in details
        for line in str(detail).splitlines()
        if line.strip()
    ]
    return CheckOutcome(status=status, check_id=check_id, details=tuple(lines))


def _json_versions(data: dict[str, Any]) -> dict[str, str]:
    info = data.get("additional_info")
    if not isinstance(info, dict):
        return {}
    keys = ("aziot_edged_version", "iotedged_version", "docker_version")
    return {key: str(info[key]) for key in keys if info.get(key)}
