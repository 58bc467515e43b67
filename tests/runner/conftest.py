"""Shared pieces for the runner tests: scripts in tests/data/runner, a runner."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from edgetui.runner.runner import Runner
from edgetui.runner.stopping import StopPolicy

DATA = Path(__file__).resolve().parent.parent / "data" / "runner"

Script = Callable[..., tuple[str, ...]]


def _script_argv(name: str, *args: str) -> tuple[str, ...]:
    return (sys.executable, str(DATA / name), *args)


@pytest.fixture
def script() -> Script:
    """Gives the argv that runs a Python script from tests/data/runner."""
    return _script_argv


@pytest.fixture
def data_dir() -> Path:
    """The runner's test data folder."""
    return DATA


@pytest.fixture
def runner() -> Runner:
    """A runner that records nothing and stops children quickly."""
    return Runner(stop_policy=StopPolicy(interrupt_grace=0.5, terminate_grace=0.5))
