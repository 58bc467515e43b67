"""Starts and stops a simulated device: `launch(name)`."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edgetui.sim import launchers, sandbox
from edgetui.sim.scenarios import SCENARIOS, Scenario

# A unix socket path must fit in sockaddr_un (108 bytes with its NUL).
_SOCKET_PATH_LIMIT = 100
_ENGINE_START_TIMEOUT = 15.0
_ENGINE_MODULE = "edgetui.sim.engine"
# Host programs a device also has, linked into the sandbox's PATH. The host's
# own package tools, systemctl and the like stay out of reach: the device has
# its own (or, like apt on RHEL, none).
_HOST_PROGRAMS = [
    "[",
    "awk",
    "basename",
    "bash",
    "cat",
    "chgrp",
    "chmod",
    "chown",
    "cmp",
    "cp",
    "curl",
    "cut",
    "date",
    "dd",
    "diff",
    "dirname",
    "docker",
    "du",
    "echo",
    "env",
    "false",
    "find",
    "grep",
    "gzip",
    "gunzip",
    "head",
    "hostname",
    "id",
    "install",
    "kill",
    "less",
    "ln",
    "ls",
    "md5sum",
    "mkdir",
    "mktemp",
    "more",
    "mount",
    "mv",
    "nano",
    "openssl",
    "printf",
    "ps",
    "python3",
    "readlink",
    "realpath",
    "rm",
    "rmdir",
    "sed",
    "sh",
    "sha256sum",
    "sleep",
    "sort",
    "stat",
    "su",
    "sudo",
    "sync",
    "tail",
    "tar",
    "tee",
    "test",
    "timeout",
    "tmux",
    "touch",
    "tr",
    "true",
    "uname",
    "uniq",
    "unzip",
    "vi",
    "vim",
    "wc",
    "which",
    "whoami",
    "xargs",
    "zip",
    "zstd",
]


class SimulatorError(RuntimeError):
    """The simulated device could not be started; the message says why."""


@dataclass
class SimDevice:
    """A running simulated device.

    Attributes:
        scenario: what it simulates.
        root: the directory that stands for the device's `/`.
        bin_dir: the simulated programs (first on PATH).
        socket_path: the container engine's unix socket.
        speed: the time factor (1.0 realistic, 0 instant).
        env: variables to run commands on the device: PATH, DOCKER_HOST,
            EDGETUI_SIM_ROOT, EDGETUI_SIM_SPEED.
        engine_pid: the engine server's process id.
    """

    scenario: Scenario
    root: Path
    bin_dir: Path
    socket_path: Path
    speed: float
    env: dict[str, str]
    engine_pid: int

    @property
    def docker_host(self) -> str:
        """The DOCKER_HOST value for the engine."""
        return f"unix://{self.socket_path}"


@contextlib.contextmanager
def launch(
    name: str,
    *,
    speed: float | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> Iterator[SimDevice]:
    """Creates a fresh simulated device, runs its engine, removes it afterwards.

    Args:
        name: a key of `SCENARIOS`.
        speed: the time factor; `None` reads `EDGETUI_SIM_SPEED` (default 1.0).
        workdir: where to create the sandbox (default: the temp folder).

    Yields:
        The running device.

    Raises:
        SimulatorError: unknown scenario, bad speed, or the engine did not start.
    """
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise SimulatorError(
            f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}"
        )
    factor = _speed(speed)
    base = Path(tempfile.mkdtemp(prefix="edgetui-sim-", dir=workdir)).resolve()
    extra_dirs: list[Path] = []
    engine: subprocess.Popen[bytes] | None = None
    try:
        root = base / "device"
        bin_dir = base / "bin"
        where = launchers.settings(bin_dir, root)
        launchers.write_base_programs(where, scenario.package_manager)
        sandbox.build(scenario, root, where)
        host_bin = base / "hostbin"
        _link_host_programs(host_bin)
        socket_path = _socket_path(root, extra_dirs)
        engine = _start_engine(root, socket_path, base / "engine.log", where, factor)
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{host_bin}",
            "DOCKER_HOST": f"unix://{socket_path}",
            "EDGETUI_SIM_ROOT": str(root),
            "EDGETUI_SIM_SPEED": repr(factor),
        }
        yield SimDevice(scenario, root, bin_dir, socket_path, factor, env, engine.pid)
    finally:
        if engine is not None:
            _stop_engine(engine)
        shutil.rmtree(base, ignore_errors=True)
        for directory in extra_dirs:
            shutil.rmtree(directory, ignore_errors=True)


def _speed(speed: float | None) -> float:
    if speed is None:
        text = os.environ.get("EDGETUI_SIM_SPEED", "1")
        try:
            speed = float(text)
        except ValueError:
            raise SimulatorError(
                f"EDGETUI_SIM_SPEED={text!r} is not a number"
            ) from None
    if speed < 0:
        raise SimulatorError(f"the speed factor must be 0 or more, not {speed}")
    return float(speed)


def _socket_path(root: Path, extra_dirs: list[Path]) -> Path:
    wanted = root / "run" / "docker.sock"
    if len(str(wanted).encode()) <= _SOCKET_PATH_LIMIT:
        return wanted
    short = Path(tempfile.mkdtemp(prefix="esim-", dir="/tmp"))
    extra_dirs.append(short)
    return short / "docker.sock"


def _link_host_programs(host_bin: Path) -> None:
    """Links the host's programs a device would also have (sh, tar, sudo, ...)."""
    host_bin.mkdir(parents=True, exist_ok=True)
    search_path = os.environ.get("PATH", os.defpath)
    for program in _HOST_PROGRAMS:
        target = shutil.which(program, path=search_path)
        if target is not None:
            os.symlink(target, host_bin / program)


def _start_engine(
    root: Path,
    socket_path: Path,
    log_path: Path,
    where: launchers.Settings,
    speed: float,
) -> subprocess.Popen[bytes]:
    bootstrap = (
        f"import sys; sys.path.insert(0, {where['import_root']!r}); "
        f"from {_ENGINE_MODULE} import main; sys.exit(main(sys.argv[1:]))"
    )
    argv = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        bootstrap,
        "--root",
        str(root),
        "--socket",
        str(socket_path),
        "--speed",
        repr(speed),
    ]
    with log_path.open("wb") as log:
        engine = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_ready(engine, socket_path, log_path)
    except BaseException:
        _stop_engine(engine)
        raise
    return engine


def _wait_until_ready(
    engine: subprocess.Popen[bytes], socket_path: Path, log_path: Path
) -> None:
    deadline = time.monotonic() + _ENGINE_START_TIMEOUT
    while time.monotonic() < deadline:
        if engine.poll() is not None:
            raise SimulatorError(
                f"the simulated container engine exited with status "
                f"{engine.returncode}: {_tail(log_path)}"
            )
        if _answers_ping(socket_path):
            return
        time.sleep(0.02)
    raise SimulatorError(
        f"the simulated container engine did not answer on {socket_path} "
        f"within {_ENGINE_START_TIMEOUT:.0f} s: {_tail(log_path)}"
    )


def _answers_ping(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1.0)
            client.connect(str(socket_path))
            client.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            status_line = client.recv(64).split(b"\r\n", 1)[0]
            return status_line.split(b" ")[1:2] == [b"200"]
    except OSError:
        return False


def _tail(log_path: Path) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "(no log)"
    return text.splitlines()[-1] if text else "(no output)"


def _stop_engine(engine: subprocess.Popen[bytes]) -> None:
    if engine.poll() is None:
        engine.terminate()
        try:
            engine.wait(timeout=5)
        except subprocess.TimeoutExpired:
            engine.kill()
            engine.wait()
