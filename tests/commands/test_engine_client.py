"""The commands' engine client: a working client, or a message naming the fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edgetui.commands.engine_client import engine_client, optional_engine_client
from edgetui.operations.errors import OperationError
from edgetui.sim import SimDevice, launch


@pytest.fixture
def device() -> Iterator[SimDevice]:
    """The lts-1.4 simulated device, instant."""
    with launch("lts-1.4", speed=0) as device:
        yield device


def test_commands_name_the_fix_when_the_engine_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The commands' client says how to start the engine; the optional one is None."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")

    fix = "sudo systemctl start docker"
    with pytest.raises(OperationError, match=fix), engine_client():
        pytest.fail("a client was opened without an engine")
    with optional_engine_client() as client:
        assert client is None


def test_the_optional_client_answers_when_the_engine_does(
    device: SimDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an engine the optional client is a working client."""
    monkeypatch.setenv("DOCKER_HOST", device.env["DOCKER_HOST"])

    with optional_engine_client() as client:
        assert client is not None
        assert client.ping() is True
