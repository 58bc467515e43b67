"""launch(): a fresh sandbox device with its engine, and nothing left afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import edgetui
from edgetui.sim import SCENARIOS, SimDevice, SimulatorError, device, launch

from .helpers import run


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_every_scenario_has_a_name_and_a_one_line_summary() -> None:
    """The scenario table is what `edgetui demo --list` prints."""
    assert set(SCENARIOS) == {
        "legacy-1.1",
        "lts-1.4",
        "patch-1.6",
        "rhel-1.5",
        "broken",
    }
    for name, scenario in SCENARIOS.items():
        assert scenario.name == name
        assert scenario.summary and "\n" not in scenario.summary


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_scenario_starts_with_its_device_files(name: str) -> None:
    """Every scenario builds a root with os-release and an IoT Edge config."""
    with launch(name, speed=0) as sim:
        assert (sim.root / "etc/os-release").is_file()
        configs = [
            sim.root / "etc/iotedge/config.yaml",
            sim.root / "etc/aziot/config.toml",
        ]
        assert any(path.is_file() for path in configs)
        assert run(sim, "iotedge", "version").returncode == 0


def test_env_points_programs_engine_and_root_at_the_sandbox(legacy: SimDevice) -> None:
    """PATH starts with the simulated programs; DOCKER_HOST is the engine socket."""
    env = legacy.env
    assert env["PATH"].split(os.pathsep)[0] == str(legacy.bin_dir)
    assert env["DOCKER_HOST"] == f"unix://{legacy.socket_path}"
    assert env["EDGETUI_SIM_ROOT"] == str(legacy.root)
    assert env["EDGETUI_SIM_SPEED"] == "0.0"
    assert len(str(legacy.socket_path).encode()) < 108
    assert (legacy.bin_dir / "dpkg-query").is_file()


def test_rhel_device_has_dnf_and_no_apt(rhel: SimDevice) -> None:
    """A device's PATH has its own package manager only, not the host's."""
    assert run(rhel, "sh", "-c", "command -v dnf").returncode == 0
    assert run(rhel, "sh", "-c", "command -v apt-get").returncode != 0
    assert run(rhel, "sh", "-c", "command -v dpkg-query").returncode != 0


def test_exit_stops_the_engine_and_removes_the_sandbox() -> None:
    """Leaving the context stops the engine process and deletes every file."""
    with launch("lts-1.4", speed=0) as sim:
        pid = sim.engine_pid
        base = sim.root.parent
        assert _process_exists(pid)
    assert not base.exists()
    assert not _process_exists(pid)


def test_exit_cleans_up_after_an_exception() -> None:
    """An error inside the block still stops the engine and removes the sandbox."""
    with pytest.raises(RuntimeError, match="boom"), launch("lts-1.4", speed=0) as sim:
        base, pid = sim.root.parent, sim.engine_pid
        raise RuntimeError("boom")
    assert not base.exists()
    assert not _process_exists(pid)


def test_long_workdir_moves_the_socket_to_a_short_path(tmp_path: Path) -> None:
    """A sandbox deep in the file system still gets a usable unix socket."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    with launch("lts-1.4", speed=0, workdir=deep) as sim:
        assert str(sim.root).startswith(str(deep))
        assert len(str(sim.socket_path).encode()) < 108
        socket_dir = sim.socket_path.parent
        assert run(sim, "iotedge", "list").returncode == 0
    assert not socket_dir.exists()


def test_engine_that_cannot_start_raises_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A broken engine gives SimulatorError naming the failure, and no leftovers."""
    monkeypatch.setattr(device, "_ENGINE_MODULE", "edgetui.sim.no_such_engine")
    failure = pytest.raises(SimulatorError, match=r"engine exited.*no_such_engine")
    with failure, launch("lts-1.4", speed=0, workdir=tmp_path):
        pass
    assert list(tmp_path.iterdir()) == []


def test_unknown_scenario_and_bad_speed_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Wrong input is a SimulatorError with the choices, not a traceback."""
    with pytest.raises(SimulatorError, match=r"legacy-1\.1"), launch("nope"):
        pass
    monkeypatch.setenv("EDGETUI_SIM_SPEED", "fast")
    with pytest.raises(SimulatorError, match="not a number"), launch("lts-1.4"):
        pass


def test_speed_from_the_environment_scales_program_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """EDGETUI_SIM_SPEED stretches realistic delays; 0 makes them vanish."""

    def restart_seconds(speed: str) -> float:
        monkeypatch.setenv("EDGETUI_SIM_SPEED", speed)
        with launch("lts-1.4") as sim:
            started = time.monotonic()
            result = run(sim, "systemctl", "restart", "aziot-edged")
            assert result.returncode == 0, result.stderr
            return time.monotonic() - started

    instant = restart_seconds("0")
    slowed = restart_seconds("0.25")
    assert slowed - instant >= 0.4
    assert instant < 1.5


INSTALLED_COPY = """
import os, subprocess, sys
sys.path.insert(0, sys.argv[1])
from edgetui.sim import launch
with launch("lts-1.4", speed=0) as sim:
    env = {**os.environ, **sim.env}
    version = subprocess.run(
        ["iotedge", "version"], env=env, capture_output=True, text=True
    )
    launcher = (sim.bin_dir / "dpkg-query").read_text()
print(version.stdout.strip())
print(sys.argv[1] in launcher)
"""


def test_launchers_work_from_an_installed_copy(tmp_path: Path) -> None:
    """A copy of the package outside the source tree (as a wheel installs it) works."""
    site = tmp_path / "site-packages"
    shutil.copytree(
        Path(edgetui.__file__).parent,
        site / "edgetui",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", INSTALLED_COPY, str(site)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.stdout.splitlines() == ["iotedge 1.4.41", "True"], result.stderr
