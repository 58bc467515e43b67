"""Fixtures: a fresh simulated device per test, instant (speed 0)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edgetui.sim import SimDevice, launch


@pytest.fixture
def legacy() -> Iterator[SimDevice]:
    """The legacy-1.1 device."""
    with launch("legacy-1.1", speed=0) as device:
        yield device


@pytest.fixture
def lts() -> Iterator[SimDevice]:
    """The lts-1.4 device."""
    with launch("lts-1.4", speed=0) as device:
        yield device


@pytest.fixture
def patch16() -> Iterator[SimDevice]:
    """The patch-1.6 device."""
    with launch("patch-1.6", speed=0) as device:
        yield device


@pytest.fixture
def rhel() -> Iterator[SimDevice]:
    """The rhel-1.5 device."""
    with launch("rhel-1.5", speed=0) as device:
        yield device


@pytest.fixture
def broken() -> Iterator[SimDevice]:
    """The broken device."""
    with launch("broken", speed=0) as device:
        yield device
