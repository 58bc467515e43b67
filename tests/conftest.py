"""Fixtures for every test: edgetui's state directory is the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def state_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points EDGETUI_STATE_DIR, also for child processes, at a fresh folder."""
    directory = tmp_path / "state"
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(directory))
    return directory
