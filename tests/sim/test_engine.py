"""The simulated engine, driven by the real docker SDK (7.2.0)."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import docker
import pytest

from edgetui.sim import SimDevice, launch

from .helpers import run

OWNER = "net.azure-devices.edge.owner=Microsoft.Azure.Devices.Edge.Agent"
VERSION_LINE = re.compile(
    r"^<6> \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+00:00 \[INF\] - "
    r"Version - (\d+\.\d+\.\d+)\.(\d{8}) \(([0-9a-f]{40})\)$"
)


@pytest.fixture
def client(lts: SimDevice) -> Iterator[Any]:
    """A docker SDK client for the lts-1.4 device's engine."""
    engine = docker.DockerClient(base_url=lts.env["DOCKER_HOST"])
    yield engine
    engine.close()


def test_ping_and_version_look_like_moby(client: Any) -> None:
    """The SDK negotiates the API and sees a Moby server version."""
    assert client.ping() is True
    version = client.version()
    assert version["Version"] == "20.10.23+azure-2"
    assert version["ApiVersion"] == "1.41"
    assert version["Platform"]["Name"] == ""
    assert client.info()["Name"] == "line2-edge01"


def test_docker_ce_scenario_reports_its_product() -> None:
    """The broken device runs docker-ce, with its own platform name and version."""
    with launch("broken", speed=0) as sim:
        engine = docker.DockerClient(base_url=sim.env["DOCKER_HOST"])
        version = engine.version()
        engine.close()
    assert version["Platform"]["Name"] == "Docker Engine - Community"
    assert version["Version"] == "24.0.7"


def test_containers_filter_by_the_edge_owner_label(client: Any) -> None:
    """Edge modules carry the owner label; inspect has image, state and binds."""
    containers = client.containers.list(all=True, filters={"label": [OWNER]})
    names = sorted(c.name for c in containers)
    assert names == ["SimulatedTemperatureSensor", "edgeAgent", "edgeHub"]
    agent = client.containers.get("edgeAgent")
    assert (
        agent.attrs["Config"]["Image"] == "mcr.microsoft.com/azureiotedge-agent:1.4.43"
    )
    assert agent.status == "running"
    assert agent.attrs["HostConfig"]["Binds"] == [
        "/srv/iotedge/edgeAgent:/iotedge/storage"
    ]
    assert agent.attrs["Mounts"][0]["Source"] == "/srv/iotedge/edgeAgent"
    assert "storageFolder=/iotedge/storage" in agent.attrs["Config"]["Env"]
    assert client.containers.list(filters={"label": ["no.such.label"]}) == []


def test_runtime_logs_carry_the_version_line(client: Any) -> None:
    """edgeAgent and edgeHub log `Version - 1.4.43.<build> (<commit>)`."""
    for name in ("edgeAgent", "edgeHub"):
        text = client.containers.get(name).logs().decode()
        versions = [m.group(1) for m in map(VERSION_LINE.match, text.splitlines()) if m]
        assert versions == ["1.4.43"]
    tail = client.containers.get("edgeAgent").logs(tail=1).decode().splitlines()
    assert len(tail) == 1


def test_image_in_use_cannot_be_removed_without_force(client: Any) -> None:
    """Removing a used image is a 409 conflict; force untags it."""
    hub = "mcr.microsoft.com/azureiotedge-hub:1.4.43"
    with pytest.raises(docker.errors.APIError) as raised:
        client.images.remove(hub)
    assert raised.value.status_code == 409
    assert "must force" in str(raised.value)
    client.images.remove(hub, force=True)
    tags = [tag for image in client.images.list() for tag in image.tags]
    assert hub not in tags


def test_stop_start_and_remove_containers(client: Any, lts: SimDevice) -> None:
    """Stop, start and remove change what the engine and `iotedge list` report."""
    sensor = client.containers.get("SimulatedTemperatureSensor")
    with pytest.raises(docker.errors.APIError) as raised:
        sensor.remove()
    assert raised.value.status_code == 409
    sensor.stop()
    sensor.reload()
    assert sensor.status == "exited"
    listing = run(lts, "iotedge", "list").stdout
    assert re.search(r"SimulatedTemperatureSensor\s+stopped\s+Stopped", listing)
    sensor.remove()
    with pytest.raises(docker.errors.NotFound):
        client.containers.get("SimulatedTemperatureSensor")
    client.containers.get("edgeHub").restart()
    assert client.containers.get("edgeHub").attrs["RestartCount"] == 1


def test_pull_adds_the_registry_image_and_unknown_tags_fail(client: Any) -> None:
    """Pulling a rolling tag gives the newest patch; unknown tags are 404."""
    image = client.images.pull("mcr.microsoft.com/azureiotedge-agent", tag="1.5")
    assert "mcr.microsoft.com/azureiotedge-agent:1.5" in image.tags
    assert image.attrs["Config"]["Labels"]["version"] == "1.5.44"
    with pytest.raises(docker.errors.NotFound):
        client.images.pull("mcr.microsoft.com/azureiotedge-agent", tag="9.9")


def test_volumes_and_unknown_routes(client: Any) -> None:
    """Volumes list (empty here); an unknown volume is NotFound."""
    assert client.volumes.list() == []
    with pytest.raises(docker.errors.NotFound):
        client.volumes.get("nope")


def test_stopped_engine_refuses_connections(client: Any, lts: SimDevice) -> None:
    """With docker.service stopped, the engine no longer answers."""
    assert run(lts, "systemctl", "stop", "docker").returncode == 0
    with pytest.raises((docker.errors.DockerException, OSError)):
        client.ping()
    assert run(lts, "systemctl", "start", "docker").returncode == 0
    assert client.ping() is True


def test_followed_logs_stream_new_lines_until_the_container_stops(
    client: Any, lts: SimDevice
) -> None:
    """`logs(stream=True, follow=True)` delivers later lines and ends on stop."""
    agent = client.containers.get("edgeAgent")
    stream = agent.logs(stream=True, follow=True)
    first = next(stream).decode()
    assert first.endswith("[INF] - Initializing Edge Agent.\n")
    other = docker.DockerClient(base_url=lts.env["DOCKER_HOST"])
    other.containers.get("edgeAgent").restart()
    other.containers.get("edgeAgent").stop()
    other.close()
    rest = b"".join(stream).decode()
    assert rest.count("Initializing Edge Agent.") == 1
    versions = [m for m in map(VERSION_LINE.match, rest.splitlines()) if m]
    assert [m.group(1) for m in versions] == ["1.4.43", "1.4.43"]


def test_engine_takes_scaled_time_to_pull() -> None:
    """Pulls take realistic time scaled by the speed factor; 0 is instant."""

    def pull_seconds(speed: float) -> float:
        with launch("lts-1.4", speed=speed) as sim:
            engine = docker.DockerClient(base_url=sim.env["DOCKER_HOST"])
            started = time.monotonic()
            engine.images.pull("mcr.microsoft.com/azureiotedge-hub", tag="1.5")
            elapsed = time.monotonic() - started
            engine.close()
        return elapsed

    assert pull_seconds(0.1) - pull_seconds(0) >= 0.3


def test_kill_and_prune(client: Any, lts: SimDevice) -> None:
    """kill exits 137 (failed); prune drops unused images and stopped containers."""
    client.containers.get("SimulatedTemperatureSensor").kill()
    listing = run(lts, "iotedge", "list").stdout
    assert re.search(r"SimulatedTemperatureSensor\s+failed\s+Failed \(137\)", listing)
    client.images.pull("mcr.microsoft.com/azureiotedge-agent", tag="1.5")
    pruned = client.images.prune(filters={"dangling": False})
    untagged = [
        entry["Untagged"] for entry in pruned["ImagesDeleted"] if "Untagged" in entry
    ]
    assert untagged == ["mcr.microsoft.com/azureiotedge-agent:1.5"]
    assert pruned["SpaceReclaimed"] == 184_000_000
    assert client.containers.prune()["ContainersDeleted"] is not None
    names = sorted(c.name for c in client.containers.list(all=True))
    assert names == ["edgeAgent", "edgeHub"]


def test_pull_progress_is_chunked_json_the_sdk_decodes(client: Any) -> None:
    """The SDK's `decode=True` reads each progress message; a repeat is up to date."""
    agent = "mcr.microsoft.com/azureiotedge-agent"

    messages = list(client.api.pull(agent, tag="1.5", stream=True, decode=True))
    repeat = list(client.api.pull(agent, tag="1.5", stream=True, decode=True))

    statuses = [message["status"] for message in messages]
    assert statuses[0] == "Pulling from azureiotedge-agent"
    assert statuses.count("Pull complete") == 3
    downloading = [m for m in messages if m["status"] == "Downloading"]
    assert (
        downloading[-1]["progressDetail"]["current"]
        == (downloading[-1]["progressDetail"]["total"])
    )
    assert statuses[-1] == (
        "Status: Downloaded newer image for mcr.microsoft.com/azureiotedge-agent:1.5"
    )
    assert [message["status"] for message in repeat][-1] == (
        "Status: Image is up to date for mcr.microsoft.com/azureiotedge-agent:1.5"
    )


def test_pull_answers_with_http_chunks(lts: SimDevice) -> None:
    """On the wire the pull is `Transfer-Encoding: chunked`, ending with a 0 chunk."""
    request = (
        b"POST /v1.41/images/create?fromImage=mcr.microsoft.com%2Fazureiotedge-hub"
        b"&tag=1.5 HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
        raw.settimeout(30)
        raw.connect(str(lts.socket_path))
        raw.sendall(request)
        answer = b""
        while not answer.endswith(b"0\r\n\r\n"):
            data = raw.recv(65536)
            assert data, answer[-200:]
            answer += data

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Transfer-Encoding: chunked" in head.split(b"\r\n")
    size, _, rest = body.partition(b"\r\n")
    first = json.loads(rest[: int(size, 16)])
    assert first == {"status": "Pulling from azureiotedge-hub", "id": "1.5"}


def test_a_pull_that_fills_the_disk_fails_in_the_stream() -> None:
    """With too little room the engine reports the error after the progress."""
    with launch("broken", speed=0) as sim:
        engine = docker.DockerClient(base_url=sim.env["DOCKER_HOST"])
        messages = list(
            engine.api.pull(
                "mcr.microsoft.com/azureiotedge-agent",
                tag="1.5",
                stream=True,
                decode=True,
            )
        )
        engine.close()

    assert messages[0]["status"] == "Pulling from azureiotedge-agent"
    assert "no space left on device" in messages[-1]["error"]
    assert messages[-1]["errorDetail"]["message"] == messages[-1]["error"]
