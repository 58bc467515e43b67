"""`edgetui runtime status|refresh`: the edgeAgent and edgeHub images."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from edgetui import exitcodes
from edgetui.commands.confirmation import confirm_destructive
from edgetui.commands.engine_client import engine_client
from edgetui.commands.outcome import report_failure
from edgetui.commands.runners import runner_for
from edgetui.device.root import HostilePathError
from edgetui.operations.errors import OperationError, require_root
from edgetui.operations.installed import find_installed_edge
from edgetui.operations.runtime_images import (
    RuntimeRefresh,
    RuntimeStatus,
    read_runtime_status,
    refresh_runtime,
    skip_reasons,
)

if TYPE_CHECKING:
    from edgetui.cli import Context


def run_runtime(
    context: Context,
    action: str,
    *,
    yes: bool = False,
    pull: bool = True,
    wait: float = 300.0,
) -> int:
    """Shows the runtime modules (`status`) or refreshes rolling tags (`refresh`).

    Args:
        context: the device root and output form.
        action: `status` or `refresh`.
        yes: refresh without asking (needed when stdin is not a terminal).
        pull: pull the rolling tags before removing anything.
        wait: seconds to wait for edgeAgent to run again.

    Returns:
        The exit code: 4 when the technician declined or `--yes` is missing
        without a terminal.
    """
    try:
        status = asyncio.run(read_runtime_status())
        if action == "status":
            return _show_status(context, status)
        return _refresh(context, status, yes=yes, pull=pull, wait=wait)
    except (OperationError, HostilePathError) as error:
        return report_failure(error)


def _show_status(context: Context, status: RuntimeStatus) -> int:
    if context.json:
        agent = next((m for m in status.modules if m.name == "edgeAgent"), None)
        data = {
            "engine": {"host": status.engine_host, "version": status.engine_version},
            "modules": [asdict(module) for module in status.modules],
            "tag_kind": agent.tag_kind if agent else None,
        }
        print(json.dumps(data, indent=2))
        return exitcodes.OK

    print(f"engine {status.engine_host} ({status.engine_version or 'version unknown'})")
    if not status.modules:
        print(
            "no edgeAgent or edgeHub container: the IoT Edge daemon creates "
            "edgeAgent when it runs; see `sudo iotedge system status`"
        )
    for module in status.modules:
        print(
            f"{module.name:10} {module.status or '?':9} {module.image or '?'}  "
            f"{module.tag_kind or 'untagged'}  version {module.version or 'unknown'}"
        )
    if status.rolling:
        print("rolling tags: `sudo edgetui runtime refresh` fetches the newest images")
    for name, reason in skip_reasons(status).items():
        print(f"{name}: {reason}")
    return exitcodes.OK


def _refresh(
    context: Context, status: RuntimeStatus, *, yes: bool, pull: bool, wait: float
) -> int:
    skipped = skip_reasons(status)
    if not status.rolling:
        for name, reason in skipped.items():
            print(f"{name}: {reason}")
        print("nothing to refresh: no runtime module uses a rolling tag")
        return exitcodes.OK

    require_root(context.root, "refreshing the runtime images")
    if not yes and not _confirmed(status, skipped, pull):
        return exitcodes.ABORTED

    refresh = asyncio.run(_refresh_with_engine(context, pull, wait))
    if context.json:
        print(json.dumps(asdict(refresh), indent=2))
    else:
        _print_refresh(refresh)
    return exitcodes.OK


async def _refresh_with_engine(
    context: Context, pull: bool, wait: float
) -> RuntimeRefresh:
    runner = runner_for(context)
    installed = await find_installed_edge(context.root, runner)
    with engine_client() as client:
        return await refresh_runtime(
            context.root, runner, client, installed, pull_first=pull, wait_seconds=wait
        )


def _confirmed(status: RuntimeStatus, skipped: dict[str, str], pull: bool) -> bool:
    for name, reason in skipped.items():
        print(f"{name} is left alone: {reason}")
    names = " and ".join(module.name for module in status.rolling)
    images = ", ".join(module.image or "?" for module in status.rolling)
    consequence = (
        f"This removes the {names} containers and their images ({images}); "
        "the IoT Edge daemon then creates them again from the newest images. "
        "Module data in volumes and host folders stays."
    )
    if not pull:
        consequence += (
            " The images are not pulled first: without network the runtime "
            "stays down until the registry is reachable."
        )
    return confirm_destructive(
        consequence,
        "Refresh the runtime now?",
        "sudo edgetui runtime refresh --yes",
    )


def _print_refresh(refresh: RuntimeRefresh) -> None:
    for name, reason in refresh.skipped.items():
        print(f"{name} left alone: {reason}")
    if refresh.up_to_date:
        pulled = ", ".join(refresh.pulled)
        print(f"already the newest images ({pulled}); nothing was removed")
        return
    for image in refresh.pulled:
        print(f"pulled {image}")
    for name in refresh.removed_containers:
        print(f"removed container {name}")
    for image in refresh.removed_images:
        print(f"removed image {_short(image)}")
    for image, reason in refresh.kept_images.items():
        print(f"kept image {_short(image)}: {reason}")
    print(f"edgeAgent runs again: {refresh.agent_image}")
    print("edgeAgent now creates edgeHub from the deployment")


def _short(image: str) -> str:
    """Shortens an image id as `docker images` does; keeps references whole."""
    return image[:19] if image.startswith("sha256:") else image
