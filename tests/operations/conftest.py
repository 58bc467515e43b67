"""Fixtures for the operations tests."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from edgetui.sim import launch

from .programs import FakePrograms


@pytest.fixture
def programs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrograms]:
    """Fake programs first on PATH; only they and the system tools are found."""
    directory = tmp_path / "programs"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
    yield FakePrograms(directory)


Simulated = Callable[[str], AbstractContextManager[Path]]
"""Starts a simulated device by scenario name and gives its root."""


@pytest.fixture
def simulated(monkeypatch: pytest.MonkeyPatch) -> Simulated:
    """Starts a simulated device (instantly) and points PATH and DOCKER_HOST at it.

    Yields a function `simulated(name)` that is a context manager giving the
    device root. Engine clients reach the simulated engine through DOCKER_HOST.
    """

    @contextlib.contextmanager
    def start(name: str) -> Iterator[Path]:
        with launch(name, speed=0) as device:
            for key, value in device.env.items():
                monkeypatch.setenv(key, value)
            yield device.root

    return start
