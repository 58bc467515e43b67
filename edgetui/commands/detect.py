"""`edgetui detect`: what is installed on the device, as text or one JSON object.

Detection reads the device, then the assessment adds what the facts mean
(end of support, mismatched lines, too little disk). The command exits 0
whenever detection ran, even with warnings: they are part of the answer.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from edgetui import exitcodes
from edgetui.commands.runners import runner_for
from edgetui.device.detect import detect_device
from edgetui.device.probe_system import format_bytes
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts, DeviceWarning
from edgetui.planning.assess import assess
from edgetui.runner.redact import redact
from edgetui.runner.runner import Runner

if TYPE_CHECKING:
    from edgetui.cli import Context


WIDTH = 80
"""Text output fits an 80-column terminal."""

LABEL_WIDTH = 20
_UNKNOWN = "unknown"
_NO_BREAK = "\N{NO-BREAK SPACE}"


def run_detect(context: Context) -> int:
    """Detects the device and prints the facts.

    Args:
        context: the device root and whether to print JSON.

    Returns:
        `exitcodes.OK`: detection ran (warnings are part of the output).
    """
    facts = asyncio.run(detect_and_assess(context.root, runner_for(context)))
    if context.json:
        print(json.dumps(_redacted(facts.to_json()), indent=2))
    else:
        print(redact(render_text(facts)))
    return exitcodes.OK


async def detect_and_assess(root: DeviceRoot, runner: Runner) -> DeviceFacts:
    """Detects the device, then adds the assessment's warnings.

    Args:
        root: the device root.
        runner: runs the probes' commands.

    Returns:
        The facts with detection's warnings first, then the assessment's.
    """
    facts = await detect_device(root, runner)
    for warning in assess(facts, date.today()):
        facts.warn(warning.code, warning.message)
    return facts


def _redacted(value: Any) -> Any:
    """Masks secrets in every string of a JSON value, keeping it valid JSON."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(key)): _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def render_text(facts: DeviceFacts) -> str:
    """Formats the facts for people: warnings first, then one fact per line.

    Args:
        facts: what detection and assessment found.

    Returns:
        Lines of at most `WIDTH` columns (long values wrap).
    """
    lines = list(_warning_lines(facts.warnings))
    for label, value in _fact_rows(facts):
        lines.extend(_row(label, value))
    return "\n".join(lines)


def _warning_lines(warnings: list[DeviceWarning]) -> Iterator[str]:
    if not warnings:
        return
    yield f"Warnings ({len(warnings)}):"
    for warning in warnings:
        yield f"  ! {warning.code}"
        yield from textwrap.wrap(
            warning.message, WIDTH, initial_indent="    ", subsequent_indent="    "
        )
    yield ""


def _row(label: str, value: str) -> list[str]:
    """Formats one fact: the label, then the value wrapped under itself."""
    if not value:
        return [label]
    width = max(LABEL_WIDTH, len(label) + 1)
    lines = textwrap.wrap(
        value,
        WIDTH,
        initial_indent=f"{label:<{width}}",
        subsequent_indent=" " * LABEL_WIDTH,
        break_on_hyphens=False,
    )
    return [line.replace(_NO_BREAK, " ") for line in lines]


def _fact_rows(facts: DeviceFacts) -> Iterator[tuple[str, str]]:
    yield "Operating system", _os(facts)
    yield "IoT Edge", _edge(facts)
    yield "Identity service", facts.identity_service.version or "not installed"
    yield from _config_rows(facts)
    yield from _runtime_rows(facts)
    yield "Container engine", _engine(facts)
    yield "TPM", _tpm(facts)
    yield from _offer_rows(facts)
    yield "Free disk", _disk(facts)
    yield "Session", _session(facts)


def _known(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def _os(facts: DeviceFacts) -> str:
    name = facts.os.pretty_name or _known(facts.os.id, facts.os.version_id)
    manager = facts.os.package_manager or "no package manager"
    return f"{name or _UNKNOWN} ({manager})"


def _edge(facts: DeviceFacts) -> str:
    subsystem = facts.security_subsystem
    if subsystem.package is None:
        return "not installed (or unknown)"
    version = subsystem.version or "version unknown"
    state = f" ({subsystem.state})" if subsystem.state else ""
    return f"{subsystem.package} {version}{state}"


def _config_rows(facts: DeviceFacts) -> Iterator[tuple[str, str]]:
    config = facts.config
    if config.path is None:
        yield "Configuration", "none found"
        return
    yield "Configuration", f"{config.path} ({config.format}, in force)"
    provisioning = config.provisioning or _UNKNOWN
    if config.attestation:
        provisioning += f", {config.attestation}"
    yield "  provisioning", provisioning
    yield "  agent image", config.agent_image or _UNKNOWN
    if config.other_path:
        yield "  also present", config.other_path


def _runtime_rows(facts: DeviceFacts) -> Iterator[tuple[str, str]]:
    runtime = facts.runtime
    if runtime.agent.image is None and runtime.hub.image is None:
        yield "Runtime", "no edgeAgent or edgeHub container"
        return
    for name, module in (("edgeAgent", runtime.agent), ("edgeHub", runtime.hub)):
        if module.image is None:
            yield name, "no container"
            continue
        version = module.version or "version unknown"
        yield name, f"{version}, {module.status or _UNKNOWN}, {module.image}"
    if runtime.tag_kind:
        yield "  image tags", runtime.tag_kind


def _engine(facts: DeviceFacts) -> str:
    engine = facts.engine
    product = engine.product or "product unknown"
    package = f" (package {engine.package})" if engine.package else ""
    if not engine.available:
        return f"not answering; {product}{package}"
    return f"{product} {engine.version or 'version unknown'}{package}"


def _tpm(facts: DeviceFacts) -> str:
    tpm = facts.tpm
    device = "TPM device present" if tpm.device_present else "no TPM device"
    if tpm.rule_path is None:
        return f"no udev rule; {device}"
    owner = f"OWNER={tpm.rule_owner}" if tpm.rule_owner else "no OWNER"
    return f"{tpm.rule_path} {owner}; {device}"


def _offer_rows(facts: DeviceFacts) -> Iterator[tuple[str, str]]:
    offers = facts.repository.versions
    if not offers:
        yield "Versions on offer", "none known"
        return
    yield "Versions on offer", ""
    for name, versions in offers.items():
        shown = ", ".join(versions[:4])
        more = f" (+{len(versions) - 4} older)" if len(versions) > 4 else ""
        yield f"  {name}", f"{shown}{more}"


def _disk(facts: DeviceFacts) -> str:
    """Groups the paths by free space: one filesystem usually holds several."""
    if not facts.disk:
        return _UNKNOWN
    paths_by_free: dict[int, list[str]] = {}
    for path, free in facts.disk.items():
        paths_by_free.setdefault(free, []).append(path)
    return "; ".join(
        f"{format_bytes(free).replace(' ', _NO_BREAK)} on {', '.join(paths)}"
        for free, paths in paths_by_free.items()
    )


def _session(facts: DeviceFacts) -> str:
    who = "root" if facts.privilege.root else "not root"
    where = "over SSH" if facts.session.ssh else "local"
    return f"{who}, {where}"
