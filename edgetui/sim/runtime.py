"""The simulated container engine's model: images, containers, logs, disk.

Functions here change a state dictionary (see `edgetui.sim.state`); the
caller holds the lock and saves it. The engine server, the package tools
(which start and stop the IoT Edge daemons) and the sandbox builder share
them, so a container created by one is seen by all.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from edgetui.sim.catalog import AGENT, HUB, SENSOR, ImageRelease, image_release

EDGE_OWNER_LABEL = "net.azure-devices.edge.owner"
EDGE_OWNER = "Microsoft.Azure.Devices.Edge.Agent"
DOCKER_ROOT = "/var/lib/docker"
ZERO_TIME = "0001-01-01T00:00:00Z"


class EngineError(Exception):
    """An engine request failed the way the real engine fails it.

    Attributes:
        status: the HTTP status the engine answers with (404, 409, 500).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


def engine_time(moment: datetime) -> str:
    """Formats a time as the engine does: `2024-05-01T10:00:00.123456789Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def parse_engine_time(text: str) -> datetime:
    """Reads a time written by `engine_time`."""
    return datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=timezone.utc
    )


def human_duration(seconds: float) -> str:
    """Docker's approximate durations: `About a minute`, `3 hours`, `12 days`."""
    if seconds < 60:
        if seconds < 1:
            return "Less than a second"
        return "1 second" if int(seconds) == 1 else f"{int(seconds)} seconds"
    minutes = int(seconds / 60)
    if minutes < 60:
        return "About a minute" if minutes == 1 else f"{minutes} minutes"
    hours = round(seconds / 3600)
    if hours < 48:
        return "About an hour" if hours == 1 else f"{hours} hours"
    for limit, divisor, unit in (
        (24 * 7 * 2, 24, "days"),
        (24 * 30 * 2, 24 * 7, "weeks"),
        (24 * 365 * 2, 24 * 30, "months"),
    ):
        if hours < limit:
            return f"{hours // divisor} {unit}"
    return f"{hours // (24 * 365)} years"


# Images ---------------------------------------------------------------------


def find_image(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    """Finds a local image by reference, full id or id prefix."""
    images: list[dict[str, Any]] = state["images"]
    reference = name if _has_tag(name) else f"{name}:latest"
    for image in images:
        if reference in image["tags"]:
            return image
    bare = name[len("sha256:") :] if name.startswith("sha256:") else name
    if len(bare) >= 4 and all(char in "0123456789abcdef" for char in bare):
        for image in images:
            if image["id"][len("sha256:") :].startswith(bare):
                return image
    return None


def _has_tag(name: str) -> bool:
    return ":" in name.rpartition("/")[2]


def add_image(
    state: dict[str, Any], release: ImageRelease, version: str | None = None
) -> dict[str, Any]:
    """Puts an image into the local store, moving its tag from an older image.

    Args:
        release: the registry's image for the reference.
        version: an older product version the local copy holds (a rolling
            tag pulled before the registry moved it).
    """
    held = ImageRelease(release.reference, version or release.version, release.size)
    images: list[dict[str, Any]] = state["images"]
    for image in images:
        if release.reference in image["tags"] and image["id"] != held.image_id:
            image["tags"].remove(release.reference)
    for image in images:
        if image["id"] == held.image_id:
            if release.reference not in image["tags"]:
                image["tags"].append(release.reference)
            return image
    image = {
        "id": held.image_id,
        "tags": [release.reference],
        "repository": release.repository,
        "version": held.version,
        "build": held.build,
        "commit": held.commit,
        "size": held.size,
        "created": engine_time(now() - timedelta(days=30)),
    }
    state["images"].append(image)
    _use_disk(state, DOCKER_ROOT, held.size)
    return image


def pull_image(state: dict[str, Any], reference: str) -> dict[str, Any]:
    """Pulls an image from the simulated registry.

    Raises:
        EngineError: unknown manifest (404) or no room on the disk (500).
    """
    if not _has_tag(reference):
        reference += ":latest"
    release = registry_image(reference)
    existing = find_image(state, reference)
    if existing is not None and existing["id"] == release.image_id:
        return existing
    mount = mount_for(state, DOCKER_ROOT)
    if mount["size"] - mount["used"] < release.size:
        raise EngineError(
            500,
            f"failed to register layer: write {DOCKER_ROOT}/overlay2/"
            f"{release.image_id[7:23]}/diff/app/lib: no space left on device",
        )
    return add_image(state, release)


def registry_image(reference: str) -> ImageRelease:
    """The image the simulated registry serves for `repository:tag`.

    Raises:
        EngineError: the registry has no such manifest (404).
    """
    release = image_release(reference)
    if release is None:
        raise EngineError(
            404,
            f"manifest for {reference} not found: manifest unknown: manifest unknown",
        )
    return release


def remove_image(
    state: dict[str, Any], name: str, force: bool = False
) -> list[dict[str, str]]:
    """Removes an image or one of its tags, as `docker rmi` does.

    Returns:
        The engine's answer: `Untagged` and `Deleted` entries.

    Raises:
        EngineError: no such image (404), or a container uses it and
            `force` is not set (409).
    """
    image = find_image(state, name)
    if image is None:
        raise EngineError(404, f"No such image: {name}")
    users = [c for c in state["containers"] if c["image_id"] == image["id"]]
    by_reference = not name.startswith("sha256:") and name in image["tags"]
    if users and not force and (not by_reference or len(image["tags"]) == 1):
        raise EngineError(409, _conflict_message(name, image, users[0], by_reference))
    actions: list[dict[str, str]] = []
    tags = [name] if by_reference else list(image["tags"])
    for tag in tags:
        image["tags"].remove(tag)
        actions.append({"Untagged": tag})
    if not image["tags"] and not users:
        state["images"].remove(image)
        _use_disk(state, DOCKER_ROOT, -image["size"])
        actions.append({"Deleted": image["id"]})
    return actions


def _conflict_message(
    name: str, image: dict[str, Any], user: dict[str, Any], by_reference: bool
) -> str:
    container = user["id"][:12]
    short = image["id"][7:19]
    if by_reference:
        return (
            f'conflict: unable to remove repository reference "{name}" '
            f"(must force) - container {container} is using its referenced "
            f"image {short}"
        )
    return (
        f"conflict: unable to delete {short} (must be forced) - image is being "
        f"used by stopped container {container}"
    )


# Disk -----------------------------------------------------------------------


def mount_for(state: dict[str, Any], device_path: str) -> dict[str, Any]:
    """Finds the mount that holds a device path (longest mount point wins)."""
    best: dict[str, Any] = state["mounts"][0]
    for mount in state["mounts"]:
        point = mount["mount"].rstrip("/") + "/"
        if (device_path.rstrip("/") + "/").startswith(point) and len(
            mount["mount"]
        ) > len(best["mount"]):
            best = mount
    return best


def _use_disk(state: dict[str, Any], device_path: str, size: int) -> None:
    mount = mount_for(state, device_path)
    mount["used"] = max(0, min(mount["size"], mount["used"] + size))


# Containers -----------------------------------------------------------------


def find_container(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    """Finds a container by name (with or without `/`), id or id prefix."""
    name = name.lstrip("/")
    containers: list[dict[str, Any]] = state["containers"]
    for container in containers:
        if container["name"] == name or container["id"] == name:
            return container
    if len(name) >= 3:
        matches = [c for c in containers if c["id"].startswith(name)]
        if len(matches) == 1:
            return matches[0]
    return None


def create_module(
    state: dict[str, Any],
    name: str,
    image: dict[str, Any],
    reference: str,
    *,
    storage: str | None = None,
    online: bool = True,
    started: datetime | None = None,
) -> dict[str, Any]:
    """Creates and starts an IoT Edge module container, with its first logs."""
    started = started or now()
    env = [
        f"IOTEDGE_MODULEID={name}",
        "IOTEDGE_WORKLOADURI=unix:///var/run/iotedge/workload.sock",
    ]
    binds: list[str] = []
    if storage:
        env.append("storageFolder=/iotedge/storage")
        binds.append(f"{storage}:/iotedge/storage")
    seed = f"{name}{engine_time(started)}{random.random()}"  # noqa: S311
    container = {
        "id": hashlib.sha256(seed.encode()).hexdigest(),
        "name": name,
        "image": reference,
        "image_id": image["id"],
        "created": engine_time(started - timedelta(seconds=2)),
        "started_at": engine_time(started),
        "finished_at": ZERO_TIME,
        "status": "running",
        "exit_code": 0,
        "restart_count": 0,
        "labels": {
            EDGE_OWNER_LABEL: EDGE_OWNER,
            "net.azure-devices.edge.original-image": reference,
        },
        "env": env,
        "binds": binds,
        "logs": [],
    }
    add_log(container, module_start_messages(name, image, online), started)
    state["containers"].append(container)
    return container


def module_start_messages(name: str, image: dict[str, Any], online: bool) -> list[str]:
    """What a module logs when it starts (edgeAgent and edgeHub name their version)."""
    version = f"Version - {image['version']}.{image['build']} ({image['commit']})"
    repository = image["repository"]
    if repository == AGENT:
        connected = (
            "Edge agent connected to IoT Hub via Amqp."
            if online
            else "Error while connecting to IoT Hub via Amqp: Name or service not known"
        )
        return [
            "Initializing Edge Agent.",
            version,
            "Edge agent attempting to connect to IoT Hub via Amqp...",
            connected,
        ]
    if repository == HUB:
        return [
            "Initializing Edge Hub",
            version,
            "Created persistent store at /iotedge/storage/edgeHub",
            "Starting Edge Hub",
            "Opened connection for edgeAgent" if online else "Cloud connection lost",
        ]
    if repository == SENSOR:
        return [
            "SimulatedTemperatureSensor Main() started.",
            "Initializing simulated temperature sensor to send 500 messages, "
            "at an interval of 5 seconds.",
        ]
    return [f"{name} started"]


def add_log(
    container: dict[str, Any],
    messages: list[str],
    moment: datetime | None = None,
    *,
    level: str = "INF",
    stream: str = "stdout",
) -> None:
    """Appends module log lines in the IoT Edge log format."""
    moment = moment or now()
    for offset, message in enumerate(messages):
        stamp = moment + timedelta(milliseconds=137 * offset)
        severity = {"INF": 6, "WRN": 4, "ERR": 3}.get(level, 6)
        if message.startswith("[") and message[1:4] in ("INF", "WRN", "ERR"):
            severity = {"INF": 6, "WRN": 4, "ERR": 3}[message[1:4]]
            text = message
        else:
            text = f"[{level}] - {message}"
        line = f"<{severity}> {stamp:%Y-%m-%d %H:%M:%S}.{stamp.microsecond // 1000:03d}"
        container["logs"].append([stream, engine_time(stamp), f"{line} +00:00 {text}"])


def stop_container(container: dict[str, Any], exit_code: int = 0) -> None:
    """Stops a running container."""
    if container["status"] == "running":
        container["status"] = "exited"
        container["exit_code"] = exit_code
        container["finished_at"] = engine_time(now())


def start_container(
    state: dict[str, Any], container: dict[str, Any], online: bool = True
) -> None:
    """Starts a stopped container again; it logs its start lines."""
    if container["status"] == "running":
        return
    started = now()
    container["status"] = "running"
    container["exit_code"] = 0
    container["started_at"] = engine_time(started)
    container["finished_at"] = ZERO_TIME
    container["restart_count"] += 1
    image = find_image(state, container["image_id"])
    if image is not None:
        messages = module_start_messages(container["name"], image, online)
        add_log(container, messages, started)
