"""`edgetui config agent-image`: show, check or set the edgeAgent image."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from edgetui import exitcodes
from edgetui.commands.outcome import report_failure
from edgetui.commands.runners import runner_for
from edgetui.device.root import HostilePathError
from edgetui.operations.agent_image import (
    CONFIG_PATH,
    AgentImage,
    image_for_line,
    image_line,
    read_agent_image,
    set_agent_image,
    validate_image,
)
from edgetui.operations.errors import OperationError
from edgetui.operations.installed import find_installed_edge

if TYPE_CHECKING:
    from edgetui.cli import Context


def run_agent_image(
    context: Context,
    *,
    image: str | None = None,
    line: str | None = None,
    check: bool = False,
) -> int:
    """Shows the image; with `image` or `line` sets it; with `check` only compares.

    Args:
        context: the device root and output form.
        image: the exact image to name (`--set`).
        line: a release line whose rolling tag to name (`--line 1.5`).
        check: compare only, write nothing; exit 1 when a change is needed.

    Returns:
        The exit code.
    """
    try:
        current = read_agent_image(context.root)
        wanted = _wanted_image(current, image, line)
        if wanted is None and not check:
            return _show(context, current)
        if wanted is None:
            return _check_against_installed(context, current)
        if check:
            return _check_wanted(context, current, wanted)
        return _set(context, wanted)
    except (OperationError, HostilePathError) as error:
        return report_failure(error)


def _wanted_image(
    current: AgentImage, image: str | None, line: str | None
) -> str | None:
    if image is not None:
        return validate_image(image)
    if line is not None:
        return image_for_line(current.image, line)
    return None


def _show(context: Context, current: AgentImage) -> int:
    if context.json:
        _print_json(
            {"path": current.path, "image": current.image, "line": current.line}
        )
    elif current.image is None:
        print(
            f"{current.path} names no [agent.config] image; "
            "aziot-edged uses its built-in default"
        )
    else:
        print(f"{current.path}: [agent.config] image = {current.image}")
    return exitcodes.OK


def _check_against_installed(context: Context, current: AgentImage) -> int:
    finding = find_installed_edge(context.root, runner_for(context))
    installed = asyncio.run(finding)
    line = installed.version.line if installed.version else None
    matches = line is not None and current.line == line
    if context.json:
        _print_json(
            {
                "path": current.path,
                "image": current.image,
                "line": current.line,
                "installed_line": line,
                "ok": matches,
            }
        )
    elif line is None:
        print(
            "cannot tell the installed IoT Edge version (`iotedge version` did "
            "not answer); give the line to compare with: --line MAJOR.MINOR --check"
        )
    elif matches:
        print(f"{current.path} names {current.image}, matching IoT Edge {line}")
    else:
        print(
            f"{current.path} names {current.image or 'no image'} but IoT Edge "
            f"{installed.version} is installed; run "
            f"`sudo edgetui config agent-image --line {line}`"
        )
    return exitcodes.OK if matches else exitcodes.FAILED


def _check_wanted(context: Context, current: AgentImage, wanted: str) -> int:
    matches = current.image == wanted
    if context.json:
        _print_json(
            {
                "path": current.path,
                "image": current.image,
                "wanted": wanted,
                "ok": matches,
            }
        )
    elif matches:
        print(f"{current.path} already names {wanted}")
    else:
        print(
            f"{current.path} names {current.image or 'no image'}; setting it "
            f"would name {wanted} (run again without --check to write it)"
        )
    return exitcodes.OK if matches else exitcodes.FAILED


def _set(context: Context, wanted: str) -> int:
    change = set_agent_image(context.root, wanted)
    if context.json:
        _print_json(
            {
                "path": change.path,
                "previous": change.previous,
                "image": change.image,
                "line": image_line(change.image),
                "changed": change.changed,
                "previous_copy": change.previous_copy,
            }
        )
    elif not change.changed:
        print(f"{CONFIG_PATH} already names {wanted}; nothing changed")
    else:
        print(f"{CONFIG_PATH}: [agent.config] image = {change.image}")
        was = change.previous or "not set"
        print(f"  was {was}; old file kept as {change.previous_copy}")
        print("  next: run `sudo iotedge config apply` so the daemon uses it")
    return exitcodes.OK


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2))
