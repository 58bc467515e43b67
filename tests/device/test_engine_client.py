"""`open_client`: a docker SDK client for the simulated engine, or an engine error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from edgetui.device.engine import ENGINE_ERRORS, open_client
from edgetui.sim import SimDevice, launch


@pytest.fixture
def device() -> Iterator[SimDevice]:
    """The lts-1.4 simulated device, instant."""
    with launch("lts-1.4", speed=0) as device:
        yield device


def test_client_reaches_the_engine_named_by_docker_host(
    device: SimDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a host the client talks to DOCKER_HOST and lists its containers."""
    monkeypatch.setenv("DOCKER_HOST", device.env["DOCKER_HOST"])

    with open_client(timeout=10) as client:
        names = sorted(c.name for c in client.containers.list(all=True))

    assert {"edgeAgent", "edgeHub"} <= set(names)


def test_an_explicit_host_wins_over_docker_host(
    device: SimDevice, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The host argument is used even when DOCKER_HOST names a dead socket."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/missing.sock")

    with open_client(device.env["DOCKER_HOST"], timeout=10) as client:
        assert client.ping() is True


def test_the_client_is_closed_on_leaving(
    device: SimDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving the block closes the client, also when the block raised."""
    closed: list[docker.DockerClient] = []
    original_close = docker.DockerClient.close

    def close(self: docker.DockerClient) -> None:
        closed.append(self)
        original_close(self)

    monkeypatch.setattr(docker.DockerClient, "close", close)

    with pytest.raises(RuntimeError), open_client(device.env["DOCKER_HOST"]) as client:
        raise RuntimeError("the caller failed")

    assert closed == [client]


def test_a_missing_socket_raises_an_engine_error(tmp_path: Path) -> None:
    """No engine: opening fails with one of ENGINE_ERRORS, not something else."""
    with pytest.raises(ENGINE_ERRORS), open_client(f"unix://{tmp_path}/none.sock"):
        pytest.fail("a client was opened without an engine")
