"""The container engine, through the docker SDK (the only module importing it).

The engine is found through `DOCKER_HOST`, else the default socket. Every
SDK call blocks, so `read_engine` runs them in a worker thread with a short
socket timeout: a missing socket or a stopped engine gives an answer at once,
a hung one within the timeout. Operations that change the engine get a
client from `open_client` and catch `ENGINE_ERRORS` around its calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import requests
import urllib3.exceptions

from edgetui.device.runtime import parse_module_version

DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
"""Where the engine listens when `DOCKER_HOST` is not set."""

RUNTIME_MODULES = ("edgeAgent", "edgeHub")
"""The containers IoT Edge itself runs."""

LOG_TAIL_LINES = 2000
"""How many recent log lines are searched for the version line first."""

LOG_HEAD_LINES = 20000
"""How many lines from the start are searched when the tail has none."""

ENGINE_ERRORS = (
    docker.errors.DockerException,
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    OSError,
)
"""What an engine call can raise: the SDK's errors (`docker.errors.NotFound`,
`APIError` with `status_code`), the HTTP layer's (refused, timed out) and the
socket's, which a streamed answer raises directly."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContainerReading:
    """One runtime container as the engine describes it.

    Attributes:
        name: `edgeAgent` or `edgeHub`.
        image: the image reference the container was created from.
        status: `running`, `exited`, `restarting`, `created`, `dead`, ...
        version: from the module's `Version - x.y.z` log line.
    """

    name: str
    image: str | None
    status: str | None
    version: str | None


@dataclass(frozen=True)
class EngineReading:
    """What the engine answered, or why it did not.

    Attributes:
        host: the engine address used (`unix:///var/run/docker.sock`).
        available: the engine answered.
        version: the server version, `20.10.23+azure-2`.
        platform: the server's platform name (`Docker Engine - Community`).
        containers: the runtime containers that exist, by name.
        problem: why the engine did not answer: `no-socket`, `permission`,
            `refused`, `timeout` or `error`.
        detail: the SDK's message about the problem, for the log.
    """

    host: str
    available: bool
    version: str | None = None
    platform: str | None = None
    containers: dict[str, ContainerReading] = field(default_factory=dict)
    problem: str | None = None
    detail: str | None = None


def docker_host() -> str:
    """Gives the engine address: `DOCKER_HOST`, else the default socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


@contextlib.contextmanager
def open_client(
    host: str | None = None, timeout: float = 60.0
) -> Iterator[docker.DockerClient]:
    """Opens a docker SDK client for the engine and closes it afterwards.

    Opening asks the engine for its API version, so an engine that does not
    answer fails here rather than at the first call. Every call blocks.

    Args:
        host: the engine address; `DOCKER_HOST` or the default socket if `None`.
        timeout: seconds each engine request may take.

    Yields:
        The client.

    Raises:
        docker.errors.DockerException: the engine did not answer (one of
            `ENGINE_ERRORS`).
    """
    client = docker.DockerClient(base_url=host or docker_host(), timeout=timeout)
    try:
        yield client
    finally:
        client.close()


async def read_engine(host: str | None = None, timeout: float = 5.0) -> EngineReading:
    """Asks the engine for its version and the runtime containers.

    Args:
        host: the engine address; `DOCKER_HOST` or the default socket if `None`.
        timeout: seconds each engine request may take.

    Returns:
        The reading; `available` is false when the engine did not answer.
    """
    address = host or docker_host()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _read_engine_blocking, address, timeout)


def _read_engine_blocking(host: str, timeout: float) -> EngineReading:
    try:
        client = docker.DockerClient(base_url=host, timeout=timeout)
    except ENGINE_ERRORS as error:
        return _unavailable(host, error)
    try:
        version = client.version()
        containers = _read_containers(client)
    except ENGINE_ERRORS as error:
        return _unavailable(host, error)
    finally:
        client.close()
    platform = version.get("Platform") or {}
    return EngineReading(
        host=host,
        available=True,
        version=version.get("Version") or None,
        platform=platform.get("Name") or None,
        containers=containers,
    )


def _unavailable(host: str, error: BaseException) -> EngineReading:
    detail = str(error)
    logger.info("engine at %s did not answer: %s", host, detail)
    return EngineReading(
        host=host, available=False, problem=_problem(detail), detail=detail
    )


def _problem(detail: str) -> str:
    text = detail.lower()
    if "no such file" in text or "filenotfounderror" in text:
        return "no-socket"
    if "permission denied" in text:
        return "permission"
    if "connection refused" in text:
        return "refused"
    if "timed out" in text or "timeout" in text:
        return "timeout"
    return "error"


def _read_containers(client: Any) -> dict[str, ContainerReading]:
    containers: dict[str, ContainerReading] = {}
    for name in RUNTIME_MODULES:
        try:
            container = client.containers.get(name)
        except docker.errors.NotFound:
            continue
        config = container.attrs.get("Config") or {}
        containers[name] = ContainerReading(
            name=name,
            image=config.get("Image") or None,
            status=container.status or None,
            version=_module_version(container),
        )
    return containers


def _module_version(container: Any) -> str | None:
    try:
        tail = container.logs(tail=LOG_TAIL_LINES, stream=False)
        version = parse_module_version(_decode(tail).splitlines())
        if version is None:
            with contextlib.closing(_lines_from_start(container)) as lines:
                version = _first_version(lines)
    except ENGINE_ERRORS as error:
        logger.info("could not read the log of %s: %s", container.name, error)
        return None
    return version


def _first_version(lines: Iterable[str]) -> str | None:
    for line in lines:
        version = parse_module_version((line,))
        if version is not None:
            return version
    return None


def _lines_from_start(container: Any) -> Generator[str, None, None]:
    stream = container.logs(stream=True, follow=False)
    pending = b""
    count = 0
    try:
        for chunk in stream:
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield _decode(line)
                count += 1
                if count >= LOG_HEAD_LINES:
                    return
        if pending:
            yield _decode(pending)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def _decode(data: bytes | str) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")
