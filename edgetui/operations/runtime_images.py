"""The runtime modules edgeAgent and edgeHub: their images, and refreshing them.

A rolling tag (`azureiotedge-agent:1.4`) is re-pointed at every patch release,
but an engine that already holds the tag never looks again. Refreshing means:
pull the tags (so a device without network stops here, with nothing
removed), stop the daemon, remove the two containers and the images they
ran, and start the daemon, which creates edgeAgent from the new image;
edgeAgent then creates edgeHub. Since 1.2 a container outlives the removal
of its image, which is why the containers go too. A specific tag
(`1.4.43`) never moves: only a deployment naming a newer tag updates it.

Engine calls are standard docker SDK calls on a client from
`edgetui.device.engine`; they block, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from edgetui.device.engine import EngineReading, read_engine
from edgetui.device.root import DeviceRoot
from edgetui.device.runtime import image_tag, tag_kind
from edgetui.operations.errors import OperationError
from edgetui.operations.installed import InstalledEdge
from edgetui.runner.command import Command
from edgetui.runner.runner import Runner

log = logging.getLogger(__name__)

T = TypeVar("T")

CONFLICT = 409
NOT_FOUND = 404


@dataclass(frozen=True)
class RuntimeModule:
    """One runtime container as the engine reports it.

    Attributes:
        name: `edgeAgent` or `edgeHub`.
        image: the image reference it was created from.
        status: `running`, `exited`, ...
        version: from its `Version - x.y.z` log line.
        tag_kind: `rolling`, `specific`, or `None` (no tag, `latest`, digest).
    """

    name: str
    image: str | None
    status: str | None
    version: str | None
    tag_kind: str | None


@dataclass(frozen=True)
class RuntimeStatus:
    """The runtime modules and the engine that runs them.

    Attributes:
        engine_host: the engine address.
        engine_version: the engine's server version.
        modules: the runtime containers that exist, edgeAgent first.
    """

    engine_host: str
    engine_version: str | None
    modules: tuple[RuntimeModule, ...]

    @property
    def rolling(self) -> tuple[RuntimeModule, ...]:
        """The modules whose image follows a release line."""
        return tuple(m for m in self.modules if m.tag_kind == "rolling")

    @property
    def pinned(self) -> tuple[RuntimeModule, ...]:
        """The modules whose image a refresh leaves alone."""
        return tuple(m for m in self.modules if m.tag_kind != "rolling")


@dataclass
class RuntimeRefresh:
    """What a refresh did.

    Attributes:
        pulled: the rolling tags pulled before anything was removed.
        up_to_date: true when the pulls changed no image, so nothing else ran.
        removed_containers: the containers removed.
        removed_images: the images removed (references or ids).
        kept_images: images left in place, with the engine's reason.
        skipped: modules left alone (specific tags), with the reason.
        agent_running: edgeAgent runs again after the restart.
        agent_image: the image edgeAgent runs after the restart.
    """

    pulled: list[str] = field(default_factory=list)
    up_to_date: bool = False
    removed_containers: list[str] = field(default_factory=list)
    removed_images: list[str] = field(default_factory=list)
    kept_images: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    agent_running: bool = False
    agent_image: str | None = None


async def read_runtime_status() -> RuntimeStatus:
    """Reads the runtime containers from the engine.

    Raises:
        OperationError: the engine did not answer (the message says why and
            what to do).
    """
    reading = await read_engine(timeout=10.0)
    if not reading.available:
        raise OperationError(engine_problem(reading))
    modules = tuple(
        RuntimeModule(
            name=name,
            image=container.image,
            status=container.status,
            version=container.version,
            tag_kind=tag_kind(container.image),
        )
        for name, container in reading.containers.items()
    )
    return RuntimeStatus(reading.host, reading.version, modules)


def engine_problem(reading: EngineReading) -> str:
    """Says why the engine did not answer, and what to do about it."""
    actions = {
        "no-socket": "start it (`sudo systemctl start docker`) or set DOCKER_HOST",
        "permission": "run edgetui as root (sudo)",
        "refused": "start it (`sudo systemctl start docker`)",
        "timeout": "check `sudo systemctl status docker`; it may be overloaded",
    }
    action = actions.get(reading.problem or "", "check `sudo systemctl status docker`")
    return f"the container engine at {reading.host} did not answer; {action}"


def skip_reasons(status: RuntimeStatus) -> dict[str, str]:
    """Says, for each module a refresh leaves alone, why."""
    reasons = {}
    for module in status.pinned:
        if module.tag_kind == "specific":
            reasons[module.name] = (
                f"{module.image} names a specific release, which never changes; "
                "update the deployment in IoT Hub to name the new tag"
            )
        else:
            reasons[module.name] = (
                f"{module.image or 'its image'} follows no release line; update "
                "the deployment in IoT Hub to name the image to run"
            )
    return reasons


async def refresh_runtime(
    root: DeviceRoot,
    runner: Runner,
    client: Any,
    installed: InstalledEdge,
    *,
    pull_first: bool = True,
    wait_seconds: float = 300.0,
) -> RuntimeRefresh:
    """Refreshes the rolling-tag runtime images, then verifies edgeAgent runs.

    Args:
        root: the device root (decides whether the daemon commands need root).
        runner: runs the daemon's stop and restart commands.
        client: a docker SDK client for the engine.
        installed: the installed daemon (1.1 restarts through systemctl).
        pull_first: pull the rolling tags before removing anything; without
            it the daemon pulls them (with its own registry credentials).
        wait_seconds: how long to wait for edgeAgent to run again.

    Returns:
        What was done. Modules on specific tags are listed in `skipped`.

    Raises:
        OperationError: the engine failed, a pull failed (nothing removed),
            the daemon did not stop or start, or edgeAgent did not come back.
    """
    if installed.daemon is None:
        raise OperationError(
            "IoT Edge is not installed, so nothing would create the runtime "
            "containers again; install IoT Edge first"
        )
    status = await read_runtime_status()
    refresh = RuntimeRefresh(skipped=skip_reasons(status))
    rolling = status.rolling
    if not rolling:
        return refresh

    old_ids = {m.name: await _blocking(_image_id, client, m.name) for m in rolling}
    if pull_first:
        new_ids = {m.name: await _pull(client, m.image or "") for m in rolling}
        refresh.pulled = [m.image or "" for m in rolling]
        if new_ids == old_ids:
            refresh.up_to_date = True
            refresh.agent_running = _agent_running(status)
            return refresh

    needs_root = root.is_host
    await _run_daemon_command(runner, installed.stop_command(needs_root=needs_root))
    try:
        await _remove(client, rolling, old_ids, refresh, by_tag=not pull_first)
    finally:
        restart = installed.restart_command(needs_root=needs_root)
        await _run_daemon_command(runner, restart)

    await _wait_for_agent(client, refresh, wait_seconds)
    return refresh


async def _blocking(call: Callable[..., T], *args: Any) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, call, *args)


def _image_id(client: Any, name: str) -> str | None:
    try:
        container = client.containers.get(name)
    except Exception as error:
        if status_code(error) == NOT_FOUND:
            return None
        raise OperationError(_engine_failed(f"reading {name}", error)) from None
    image_id = container.attrs.get("Image")
    return str(image_id) if image_id else None


async def _pull(client: Any, image: str) -> str | None:
    repository, tag = image.rsplit(":", 1) if image_tag(image) else (image, None)
    log.info("pulling %s", image)
    try:
        pulled = await _blocking(_pull_blocking, client, repository, tag)
    except Exception as error:
        raise OperationError(
            f"could not pull {image} ({_reason(error)}); nothing was removed. "
            "The device needs the registry to refresh: check the network and "
            "the registry, or use --no-pull to let the daemon pull with its "
            "own credentials"
        ) from None
    return pulled


def _pull_blocking(client: Any, repository: str, tag: str | None) -> str | None:
    """Pulls through the low-level API: the engine reports failures mid-stream.

    `images.pull()` drains the progress stream without looking at it, so a
    pull that fails half-way (a full disk) would pass for a success.
    """
    progress = client.api.pull(repository, tag=tag, stream=True, decode=False)
    text = "".join(_text(chunk) for chunk in progress)
    for event in _json_objects(text):
        if isinstance(event, dict) and event.get("error"):
            raise PullFailedError(str(event["error"]))
    reference = f"{repository}:{tag}" if tag else repository
    image_id = getattr(client.images.get(reference), "id", None)
    return str(image_id) if image_id else None


class PullFailedError(Exception):
    """The engine reported an error in the middle of a pull."""


def _text(chunk: bytes | str) -> str:
    return (
        chunk.decode("utf-8", errors="replace") if isinstance(chunk, bytes) else chunk
    )


def _json_objects(text: str) -> Iterator[Any]:
    """Yields the JSON values of a progress stream (one after another)."""
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return
        yield value


async def _remove(
    client: Any,
    modules: tuple[RuntimeModule, ...],
    old_ids: dict[str, str | None],
    refresh: RuntimeRefresh,
    *,
    by_tag: bool,
) -> None:
    for module in modules:
        if await _blocking(_remove_container, client, module.name):
            refresh.removed_containers.append(module.name)
    for module in modules:
        target = module.image if by_tag else old_ids.get(module.name)
        if not target or target in refresh.removed_images:
            continue
        kept = await _blocking(_remove_image, client, target)
        if kept is None:
            refresh.removed_images.append(target)
        else:
            refresh.kept_images[target] = kept


def _remove_container(client: Any, name: str) -> bool:
    """Removes a container (its volumes stay); False when it was already gone."""
    try:
        client.containers.get(name).remove(force=True)
    except Exception as error:
        if status_code(error) == NOT_FOUND:
            return False
        action = f"removing the {name} container"
        raise OperationError(_engine_failed(action, error)) from None
    log.info("removed container %s", name)
    return True


def _remove_image(client: Any, image: str) -> str | None:
    """Removes an image; gives the engine's reason when it must stay."""
    try:
        client.images.remove(image=image, force=True)
    except Exception as error:
        code = status_code(error)
        if code == NOT_FOUND:
            return None
        if code == CONFLICT:
            log.info("kept image %s: %s", image, _reason(error))
            return _reason(error)
        raise OperationError(_engine_failed(f"removing {image}", error)) from None
    log.info("removed image %s", image)
    return None


async def _run_daemon_command(runner: Runner, command: Command) -> None:
    result = await runner.run(command)
    if not result.ok:
        reason = result.error or (result.output[-1] if result.output else "")
        raise OperationError(
            f"`{' '.join(command.argv)}` failed ({reason or result.exit_code}); "
            "run `sudo iotedge system status` (1.1: `sudo systemctl status "
            "iotedge`) to see why"
        )


async def _wait_for_agent(
    client: Any, refresh: RuntimeRefresh, wait_seconds: float
) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        state = await _blocking(_container_state, client, "edgeAgent")
        if state is not None and state[0] == "running":
            refresh.agent_running = True
            refresh.agent_image = state[1]
            return
        if time.monotonic() >= deadline:
            raise OperationError(
                f"edgeAgent is not running {wait_seconds:.0f} s after the "
                "restart; the daemon may still be pulling its image. Run "
                "`edgetui runtime status` in a few minutes, and `edgetui logs` "
                "if it stays down"
            )
        await asyncio.sleep(min(2.0, max(0.05, wait_seconds / 100)))


def _container_state(client: Any, name: str) -> tuple[str, str | None] | None:
    try:
        container = client.containers.get(name)
    except Exception as error:
        if status_code(error) == NOT_FOUND:
            return None
        raise OperationError(_engine_failed(f"reading {name}", error)) from None
    image = (container.attrs.get("Config") or {}).get("Image")
    return str(container.status), image


def _agent_running(status: RuntimeStatus) -> bool:
    return any(m.name == "edgeAgent" and m.status == "running" for m in status.modules)


def status_code(error: BaseException) -> int | None:
    """Gives the HTTP status of an engine error (404, 409, ...), if it has one."""
    code = getattr(error, "status_code", None)
    if isinstance(code, int):
        return code
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def _reason(error: BaseException) -> str:
    explanation = getattr(error, "explanation", None)
    text = str(explanation or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _engine_failed(action: str, error: BaseException) -> str:
    return (
        f"the container engine failed {action} ({_reason(error)}); run "
        "`edgetui runtime status` to see what is left, then try again"
    )
