"""The engine API's routes: one handler per endpoint, in the engine's JSON shapes.

Each handler takes the device root, the path's captured groups and the
query, reads or changes the device state, and returns a status with a
JSON body, raw bytes (`Raw`), a stream (`Stream`) or nothing.
"""

from __future__ import annotations

import json
import re
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from edgetui.sim import pulls, runtime
from edgetui.sim.programs.common import pause
from edgetui.sim.runtime import EngineError
from edgetui.sim.state import State, changing_state, read_state

MIN_API = "1.12"
_PRODUCT_NAMES = {"moby": "", "docker-ce": "Docker Engine - Community"}
_KERNEL = "5.15.0-105-generic"
_FOLLOW_INTERVAL = 0.3
_CONTAINER_SECONDS = {"start": 0.5, "stop": 1.5, "restart": 2.0, "kill": 0.1}


Reply = tuple[int, Any]


class Raw:
    def __init__(self, data: bytes, content_type: str) -> None:
        self.data = data
        self.content_type = content_type


class Stream:
    """A response written as it is produced; `chunked` frames it as HTTP/1.1
    chunks (as the engine does for pulls), else the connection closes at
    its end."""

    def __init__(
        self, chunks: Iterator[bytes], content_type: str, chunked: bool = False
    ) -> None:
        self.chunks = chunks
        self.content_type = content_type
        self.chunked = chunked


Handler = Callable[[Path, list[str], dict[str, str]], Reply]


def _flag(query: dict[str, str], name: str) -> bool:
    return query.get(name, "0").lower() in ("1", "true", "yes")


# System --------------------------------------------------------------------


def _ping(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    return 200, Raw(b"OK", "text/plain; charset=utf-8")


def _version(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    engine = state["engine"]
    arch = "arm64" if state["arch"] == "arm64" else "amd64"
    return 200, {
        "Platform": {"Name": _PRODUCT_NAMES.get(engine["product"], "")},
        "Components": [
            {
                "Name": "Engine",
                "Version": engine["version"],
                "Details": {
                    "ApiVersion": engine["api_version"],
                    "Arch": arch,
                    "GitCommit": "5d6db84",
                    "GoVersion": "go1.20.10",
                    "KernelVersion": _KERNEL,
                    "MinAPIVersion": MIN_API,
                    "Os": "linux",
                },
            },
            {"Name": "containerd", "Version": "1.6.26", "Details": {}},
        ],
        "Version": engine["version"],
        "ApiVersion": engine["api_version"],
        "MinAPIVersion": MIN_API,
        "GitCommit": "5d6db84",
        "GoVersion": "go1.20.10",
        "Os": "linux",
        "Arch": arch,
        "KernelVersion": _KERNEL,
        "BuildTime": "2023-10-26T09:08:17.000000000+00:00",
    }


def _info(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    containers = state["containers"]
    running = sum(1 for c in containers if c["status"] == "running")
    return 200, {
        "ID": "SIMU:LATE:DDEV:ICE0:0000:0000:0000:0000:0000:0000:0000:0001",
        "Containers": len(containers),
        "ContainersRunning": running,
        "ContainersPaused": 0,
        "ContainersStopped": len(containers) - running,
        "Images": len(state["images"]),
        "Driver": "overlay2",
        "DockerRootDir": runtime.DOCKER_ROOT,
        "LoggingDriver": "local" if _has_log_rotation(root) else "json-file",
        "CgroupDriver": "systemd",
        "KernelVersion": _KERNEL,
        "OperatingSystem": _pretty_name(root),
        "OSType": "linux",
        "Architecture": "x86_64",
        "NCPU": 4,
        "MemTotal": 3_953_000_000,
        "Name": state["hostname"],
        "ServerVersion": state["engine"]["version"],
        "Runtimes": {"runc": {"path": "runc"}},
        "DefaultRuntime": "runc",
        "Warnings": None,
    }


def _has_log_rotation(root: Path) -> bool:
    return (root / "etc/docker/daemon.json").is_file()


def _pretty_name(root: Path) -> str:
    try:
        text = (root / "etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return "Linux"
    for line in text.splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return "Linux"


# Containers ----------------------------------------------------------------


def _list_containers(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    filters = _filters(query.get("filters"))
    show_all = _flag(query, "all")
    found = [
        _container_summary(state, c)
        for c in state["containers"]
        if (show_all or c["status"] == "running") and _matches(c, filters)
    ]
    found.sort(key=lambda summary: summary["Created"], reverse=True)
    return 200, found


def _filters(text: str | None) -> dict[str, list[str]]:
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        raise EngineError(400, f"invalid filter '{text}'") from None
    return {
        key: list(value) if isinstance(value, (list, dict)) else [str(value)]
        for key, value in raw.items()
    }


def _matches(container: dict[str, Any], filters: dict[str, list[str]]) -> bool:
    for label in filters.get("label", []):
        key, has_value, value = label.partition("=")
        if key not in container["labels"]:
            return False
        if has_value and container["labels"][key] != value:
            return False
    names = filters.get("name", [])
    if names and not any(re.search(name, container["name"]) for name in names):
        return False
    statuses = filters.get("status", [])
    if statuses and container["status"] not in statuses:
        return False
    ids = filters.get("id", [])
    return not ids or any(container["id"].startswith(i) for i in ids)


def _container_summary(state: State, container: dict[str, Any]) -> dict[str, Any]:
    return {
        "Id": container["id"],
        "Names": ["/" + container["name"]],
        "Image": container["image"],
        "ImageID": container["image_id"],
        "Command": "/bin/sh -c 'exec /app/start.sh'",
        "Created": int(runtime.parse_engine_time(container["created"]).timestamp()),
        "State": container["status"],
        "Status": status_text(container),
        "Ports": [],
        "Labels": container["labels"],
        "HostConfig": {"NetworkMode": "azure-iot-edge"},
        "Mounts": _mounts(container),
    }


def status_text(container: dict[str, Any]) -> str:
    """The `docker ps` STATUS column: `Up 12 days`, `Exited (139) 3 hours ago`."""
    if container["status"] == "running":
        started = runtime.parse_engine_time(container["started_at"])
        return "Up " + runtime.human_duration(time.time() - started.timestamp())
    if container["status"] == "created":
        return "Created"
    finished = runtime.parse_engine_time(container["finished_at"])
    ago = runtime.human_duration(time.time() - finished.timestamp())
    return f"Exited ({container['exit_code']}) {ago} ago"


def _mounts(container: dict[str, Any]) -> list[dict[str, Any]]:
    mounts = []
    for bind in container["binds"]:
        source, _, destination = bind.partition(":")
        mounts.append(
            {
                "Type": "bind",
                "Source": source,
                "Destination": destination.split(":")[0],
                "Mode": "",
                "RW": True,
                "Propagation": "rprivate",
            }
        )
    return mounts


def _container(state: State, name: str) -> dict[str, Any]:
    container = runtime.find_container(state, name)
    if container is None:
        raise EngineError(404, f"No such container: {name}")
    return container


def _inspect_container(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    container = _container(state, groups[0])
    running = container["status"] == "running"
    log_type = "local" if _has_log_rotation(root) else "json-file"
    return 200, {
        "Id": container["id"],
        "Created": container["created"],
        "Path": "/bin/sh",
        "Args": ["-c", "exec /app/start.sh"],
        "State": {
            "Status": container["status"],
            "Running": running,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": container["status"] == "dead",
            "Pid": 1000 + int(container["id"][:4], 16) % 30000 if running else 0,
            "ExitCode": container["exit_code"],
            "Error": "",
            "StartedAt": container["started_at"],
            "FinishedAt": container["finished_at"],
        },
        "Image": container["image_id"],
        "Name": "/" + container["name"],
        "RestartCount": container["restart_count"],
        "Driver": "overlay2",
        "Platform": "linux",
        "HostConfig": {
            "Binds": container["binds"] or None,
            "NetworkMode": "azure-iot-edge",
            "RestartPolicy": {"Name": "", "MaximumRetryCount": 0},
            "LogConfig": {"Type": log_type, "Config": {}},
        },
        "Mounts": _mounts(container),
        "Config": {
            "Hostname": container["id"][:12],
            "Image": container["image"],
            "Labels": container["labels"],
            "Env": container["env"],
            "Tty": False,
            "OpenStdin": False,
            "Cmd": None,
            "Entrypoint": ["/bin/sh", "-c", "exec /app/start.sh"],
        },
        "NetworkSettings": {
            "Networks": {"azure-iot-edge": {"IPAddress": "172.18.0.3"}}
        },
    }


def _container_logs(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    container = _container(state, groups[0])
    streams = {name for name in ("stdout", "stderr") if _flag(query, name)} or {
        "stdout",
        "stderr",
    }
    entries = [entry for entry in container["logs"] if entry[0] in streams]
    since = float(query.get("since") or 0)
    if since:
        entries = [
            e for e in entries if runtime.parse_engine_time(e[1]).timestamp() >= since
        ]
    tail = query.get("tail", "all")
    if tail != "all":
        try:
            count = int(tail)
        except ValueError:
            raise EngineError(400, f"invalid tail value {tail!r}") from None
        entries = entries[-count:] if count > 0 else []
    timestamps = _flag(query, "timestamps")
    frames = b"".join(_frame(entry, timestamps) for entry in entries)
    kind = "application/vnd.docker.multiplexed-stream"
    if _flag(query, "follow"):
        seen = len(container["logs"])
        follow = _follow(root, container["id"], seen, streams, timestamps)
        return 200, Stream(_chain(frames, follow), kind)
    return 200, Raw(frames, kind)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _follow(
    root: Path, ident: str, seen: int, streams: set[str], timestamps: bool
) -> Iterator[bytes]:
    """New log frames as the container writes them, until it stops."""
    while True:
        time.sleep(_FOLLOW_INTERVAL)
        container = runtime.find_container(read_state(root), ident)
        if container is None:
            return
        for entry in container["logs"][seen:]:
            if entry[0] in streams:
                yield _frame(entry, timestamps)
        seen = len(container["logs"])
        if container["status"] != "running":
            return


def _frame(entry: list[str], timestamps: bool) -> bytes:
    stream, stamp, text = entry
    line = f"{stamp} {text}\n" if timestamps else f"{text}\n"
    payload = line.encode()
    kind = 1 if stream == "stdout" else 2
    return struct.pack(">BxxxL", kind, len(payload)) + payload


def _change_container(action: str) -> Handler:
    def handle(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
        pause(_CONTAINER_SECONDS[action])
        with changing_state(root) as state:
            container = _container(state, groups[0])
            online = bool(state["online"])
            if action == "start":
                if container["status"] == "running":
                    return 304, None
                runtime.start_container(state, container, online)
            elif action in ("stop", "kill"):
                if container["status"] != "running":
                    return (304 if action == "stop" else 409), None
                runtime.stop_container(container, 137 if action == "kill" else 0)
            else:
                runtime.stop_container(container)
                runtime.start_container(state, container, online)
        return 204, None

    return handle


def _remove_container(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    with changing_state(root) as state:
        container = _container(state, groups[0])
        if container["status"] == "running" and not _flag(query, "force"):
            raise EngineError(
                409,
                f"You cannot remove a running container {container['id']}. Stop the "
                "container before attempting removal or force remove",
            )
        state["containers"].remove(container)
    return 204, None


def _prune_containers(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    with changing_state(root) as state:
        stopped = [c for c in state["containers"] if c["status"] != "running"]
        for container in stopped:
            state["containers"].remove(container)
    return 200, {
        "ContainersDeleted": [c["id"] for c in stopped] or None,
        "SpaceReclaimed": 0,
    }


# Images --------------------------------------------------------------------


def _list_images(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    return 200, [
        {
            "Id": image["id"],
            "ParentId": "",
            "RepoTags": list(image["tags"]),
            "RepoDigests": [f"{image['repository']}@{image['id']}"],
            "Created": int(runtime.parse_engine_time(image["created"]).timestamp()),
            "Size": image["size"],
            "VirtualSize": image["size"],
            "SharedSize": -1,
            "Labels": {},
            "Containers": -1,
        }
        for image in state["images"]
    ]


def _inspect_image(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    image = runtime.find_image(state, groups[0])
    if image is None:
        raise EngineError(404, f"No such image: {groups[0]}")
    return 200, {
        "Id": image["id"],
        "RepoTags": list(image["tags"]),
        "RepoDigests": [f"{image['repository']}@{image['id']}"],
        "Created": image["created"],
        "Size": image["size"],
        "VirtualSize": image["size"],
        "Architecture": "amd64",
        "Os": "linux",
        "Config": {
            "Labels": {"version": image["version"]},
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"],
        },
    }


def _remove_image(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    with changing_state(root) as state:
        return 200, runtime.remove_image(state, groups[0], _flag(query, "force"))


def _prune_images(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    """Removes unused images: dangling ones, or all unused with dangling=false."""
    filters = _filters(query.get("filters"))
    only_dangling = filters.get("dangling", ["true"]) != ["false"]
    deleted: list[dict[str, str]] = []
    reclaimed = 0
    with changing_state(root) as state:
        used = {c["image_id"] for c in state["containers"]}
        for image in list(state["images"]):
            if image["id"] in used or (only_dangling and image["tags"]):
                continue
            reclaimed += image["size"]
            for tag in list(image["tags"]):
                deleted += runtime.remove_image(state, tag)
            if image in state["images"]:
                deleted += runtime.remove_image(state, image["id"])
    return 200, {"ImagesDeleted": deleted or None, "SpaceReclaimed": reclaimed}


def _pull_image(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    name = query.get("fromImage", "")
    tag = query.get("tag") or "latest"
    reference = name if ":" in name.rpartition("/")[2] else f"{name}:{tag}"
    runtime.registry_image(reference)
    messages = pulls.pull_messages(root, reference)
    return 200, Stream(messages, "application/json", chunked=True)


# Volumes and networks ------------------------------------------------------


def _list_volumes(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    return 200, {
        "Volumes": [_volume(root, v) for v in state["volumes"]],
        "Warnings": None,
    }


def _inspect_volume(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    state = read_state(root)
    for volume in state["volumes"]:
        if volume["name"] == groups[0]:
            return 200, _volume(root, volume)
    raise EngineError(404, f"get {groups[0]}: no such volume")


def _volume(root: Path, volume: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": volume["name"],
        "Driver": "local",
        "Mountpoint": str(root / "var/lib/docker/volumes" / volume["name"] / "_data"),
        "CreatedAt": volume.get("created", runtime.engine_time(runtime.now())),
        "Labels": volume.get("labels") or None,
        "Scope": "local",
        "Options": None,
    }


def _list_networks(root: Path, groups: list[str], query: dict[str, str]) -> Reply:
    return 200, [
        {"Name": name, "Id": f"{index:064x}", "Driver": driver, "Scope": "local"}
        for index, (name, driver) in enumerate(
            (
                ("bridge", "bridge"),
                ("host", "host"),
                ("none", "null"),
                ("azure-iot-edge", "bridge"),
            ),
            start=1,
        )
    ]


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"^/_ping$"), _ping),
    ("GET", re.compile(r"^/version$"), _version),
    ("GET", re.compile(r"^/info$"), _info),
    ("GET", re.compile(r"^/containers/json$"), _list_containers),
    ("GET", re.compile(r"^/containers/([^/]+)/json$"), _inspect_container),
    ("GET", re.compile(r"^/containers/([^/]+)/logs$"), _container_logs),
    ("POST", re.compile(r"^/containers/([^/]+)/start$"), _change_container("start")),
    ("POST", re.compile(r"^/containers/([^/]+)/stop$"), _change_container("stop")),
    (
        "POST",
        re.compile(r"^/containers/([^/]+)/restart$"),
        _change_container("restart"),
    ),
    ("POST", re.compile(r"^/containers/([^/]+)/kill$"), _change_container("kill")),
    ("POST", re.compile(r"^/containers/prune$"), _prune_containers),
    ("DELETE", re.compile(r"^/containers/([^/]+)$"), _remove_container),
    ("GET", re.compile(r"^/images/json$"), _list_images),
    ("POST", re.compile(r"^/images/create$"), _pull_image),
    ("POST", re.compile(r"^/images/prune$"), _prune_images),
    ("GET", re.compile(r"^/images/(.+)/json$"), _inspect_image),
    ("DELETE", re.compile(r"^/images/(.+)$"), _remove_image),
    ("GET", re.compile(r"^/volumes$"), _list_volumes),
    ("GET", re.compile(r"^/volumes/([^/]+)$"), _inspect_volume),
    ("GET", re.compile(r"^/networks$"), _list_networks),
]
