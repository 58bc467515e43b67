"""`iotedge check` and `iotedge check-list`: run the checks, print text or JSON.

The checks themselves are in `checks_legacy` (1.0/1.1) and `checks_modern`
(1.2 and later); `checkbase` says what they look at.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from typing import Any

from edgetui.sim.programs.checkbase import SKIPPED, Check, Outcome, Probe
from edgetui.sim.programs.checks_legacy import LEGACY_CHECKS
from edgetui.sim.programs.checks_modern import MODERN_CHECKS
from edgetui.sim.programs.common import complain, pause, run_tool, say
from edgetui.sim.programs.iotedge import Edge, UsageError

_SYMBOLS = {"ok": "√", "warning": "‼", "error": "×", "fatal": "×"}
_WORDS = {"ok": "OK", "warning": "Warning", "error": "Error", "fatal": "Error"}
_COLORS = {
    "ok": "\x1b[32m",
    "warning": "\x1b[33m",
    "error": "\x1b[31m",
    "fatal": "\x1b[31m",
}


def checks_for(edge: Edge) -> tuple[Check, ...]:
    """The checks this version runs, in order."""
    return LEGACY_CHECKS if edge.legacy else MODERN_CHECKS


def check_list(edge: Edge, args: list[str]) -> int:
    """`iotedge check-list`: CATEGORY, ID, DESCRIPTION per check."""
    if args:
        raise UsageError(args[0])
    checks = checks_for(edge)
    widths = [
        max(len("CATEGORY"), *(len(c.section) for c in checks)) + 1,
        max(len("ID"), *(len(c.id) for c in checks)) + 1,
    ]
    say(f"{'CATEGORY':<{widths[0]}}{'ID':<{widths[1]}}DESCRIPTION")
    section = None
    for item in checks:
        if section is not None and item.section != section:
            say()
        section = item.section
        say(f"{item.section:<{widths[0]}}{item.id:<{widths[1]}}{item.description}")
    say()
    return 0


def check(edge: Edge, args: list[str]) -> int:
    """`iotedge check [-o json] [--verbose] [--dont-run ID...] ...`."""
    options = _options(edge, args)
    probe = Probe(edge, options)
    results: list[tuple[Check, Outcome]] = []
    fatal = False
    for item in checks_for(edge):
        if item.id in options["dont_run"]:
            results.append((item, Outcome("ignored")))
            continue
        if fatal:
            results.append((item, SKIPPED))
            continue
        pause(item.seconds)
        outcome = item.run(probe)
        fatal = outcome.kind == "fatal"
        results.append((item, outcome))
    if options["output"] == "json":
        _print_json(probe, results)
    else:
        _print_text(edge, results, options["verbose"])
    return _exit_status(results, options["warnings_as_errors"])


_VALUE_FLAGS = {
    "-c": "config_file",
    "--config-file": "config_file",
    "--iotedged": "daemon",
    "--aziot-edged": "daemon",
    "--expected-iotedged-version": "expected_iotedged",
    "--expected-aziot-edged-version": "expected_aziot-edge",
    "--expected-aziot-version": "expected_aziot-identity-service",
    "--diagnostics-image-name": "diagnostics_image",
    "--iothub-hostname": "iothub_hostname",
    "--ntp-server": "ntp_server",
    "--proxy-uri": "proxy_uri",
    "--container-engine-config-file": "engine_config",
    "-o": "output",
    "--output": "output",
}


def _options(edge: Edge, args: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {
        "output": "text",
        "verbose": False,
        "warnings_as_errors": False,
        "dont_run": set(),
    }
    index = 0
    while index < len(args):
        arg = args[index]
        name, has_value, value = arg.partition("=")
        if name in _VALUE_FLAGS:
            if not has_value:
                index += 1
                if index >= len(args):
                    raise UsageError(arg)
                value = args[index]
            options[_VALUE_FLAGS[name]] = value
        elif arg == "--verbose":
            options["verbose"] = True
        elif arg == "--warnings-as-errors":
            options["warnings_as_errors"] = True
        elif arg == "--dont-run":
            while index + 1 < len(args) and not args[index + 1].startswith("-"):
                index += 1
                options["dont_run"].update(args[index].split())
        else:
            raise UsageError(arg)
        index += 1
    if options["output"] not in ("text", "json"):
        raise UsageError(options["output"])
    return options


def _print_text(
    edge: Edge, results: list[tuple[Check, Outcome]], verbose: bool
) -> None:
    color = (
        sys.stdout.isatty()
        and os.environ.get("TERM") != "dumb"
        and not os.environ.get("NO_COLOR")
    )
    section = None
    for item, outcome in results:
        shown = outcome.kind in _SYMBOLS or (
            verbose and outcome.kind in ("skipped", "not_required")
        )
        if not shown:
            continue
        if item.section != section:
            if section is not None and edge.legacy:
                say()
            say()
            say(item.section)
            say("-" * len(item.section))
            section = item.section
        _print_result(item, outcome, verbose, bool(color))
    if edge.legacy:
        say()
    _print_summary(results, verbose)


def _print_result(item: Check, outcome: Outcome, verbose: bool, color: bool) -> None:
    if outcome.kind == "skipped":
        say(f"‼ {item.description} - Warning")
        say("    skipping because of previous failures")
        return
    if outcome.kind == "not_required":
        say(f"√ {item.description} - OK")
        say("    skipping because of not required in this configuration")
        return
    line = f"{_SYMBOLS[outcome.kind]} {item.description} - {_WORDS[outcome.kind]}"
    if color:
        line = f"{_COLORS[outcome.kind]}{line}\x1b[0m"
    say(line)
    if not outcome.details:
        return
    message, causes = outcome.details[0], outcome.details[1:]
    for line in message.splitlines():
        say(f"    {line}")
    if verbose:
        for cause in outcome.details:
            lines = cause.splitlines()
            say(f"        caused by: {lines[0]}")
            for line in lines[1:]:
                say(" " * 19 + line)
    del causes


def _print_summary(results: list[tuple[Check, Outcome]], verbose: bool) -> None:
    counts = {kind: 0 for kind in ("ok", "warning", "error", "skipped")}
    for _, outcome in results:
        kind = "error" if outcome.kind == "fatal" else outcome.kind
        if kind in counts:
            counts[kind] += 1
    tail = "" if verbose else " Re-run with --verbose for more details."
    say(f"{counts['ok']} check(s) succeeded.")
    if counts["warning"]:
        say(f"{counts['warning']} check(s) raised warnings.{tail}")
    if counts["error"]:
        say(f"{counts['error']} check(s) raised errors.{tail}")
    if counts["skipped"]:
        say(
            f"{counts['skipped']} check(s) were skipped due to errors from other "
            f"checks.{tail}"
        )


def _print_json(probe: Probe, results: list[tuple[Check, Outcome]]) -> None:
    checks = {}
    for item, outcome in sorted(results, key=lambda pair: pair[0].id):
        kind = "skipped" if outcome.kind == "not_required" else outcome.kind
        result: dict[str, Any] = {"result": kind}
        if outcome.kind in ("warning", "error", "fatal"):
            result["details"] = outcome.details
        checks[item.id] = {"result": result, "additional_info": outcome.info}
    document = {"additional_info": _additional_info(probe), "checks": checks}
    say(json.dumps(document))


def _additional_info(probe: Probe) -> dict[str, Any]:
    version_key = "iotedged_version" if probe.edge.legacy else "aziot_edged_version"
    now = datetime.now(timezone.utc)
    return {
        "docker_version": probe.engine_version,
        version_key: probe.edge.version,
        "now": now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z",
        "os": _os_info(probe),
        "system_info": {
            "used_ram": "550.38 MiB",
            "total_ram": "3.68 GiB",
            "used_swap": "0.00 B",
            "total_swap": "1024.00 MiB",
            "disks": _disks(),
        },
    }


def _os_info(probe: Probe) -> dict[str, Any]:
    values: dict[str, str] = {}
    try:
        text = probe.edge.file("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        values[key] = value.strip().strip('"')
    return {
        "id": values.get("ID"),
        "version_id": values.get("VERSION_ID"),
        "arch": "x86_64",
        "bitness": 64,
    }


def _disks() -> list[dict[str, str]]:
    result = run_tool(["df", "-P", "-B1"])
    disks = []
    for line in result.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 6:
            continue
        total, available = int(parts[1]), int(parts[3])
        disks.append(
            {
                "name": parts[0].rsplit("/", 1)[-1],
                "percent_free": f"{available * 100 / total:.1f}%" if total else "0%",
                "available_space": _gib(available),
                "total_space": _gib(total),
                "file_system": "ext4",
                "file_type": "Unknown(-1)",
            }
        )
    return disks


def _gib(value: int) -> str:
    if value >= 1024**3:
        return f"{value / 1024**3:.2f} GiB"
    return f"{value / 1024**2:.2f} MiB"


def _exit_status(results: list[tuple[Check, Outcome]], warnings_as_errors: bool) -> int:
    failing = {"error", "fatal"} | ({"warning"} if warnings_as_errors else set())
    if any(outcome.kind in failing for _, outcome in results):
        complain("")
        return 1
    return 0
