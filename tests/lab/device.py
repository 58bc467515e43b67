"""A booted lab device: systemd-nspawn on a fresh overlay of read-only layers.

Every device gets its own overlay upper directory over the layers below it
(the Debian root, edgetui installed, a prepared device state), so a test can
change anything and the next test starts clean. The overlay is mounted in a
private mount namespace that disappears with the device.

Commands run inside the device through `nsenter` into its namespaces, with
a clean environment (`env -i`), as a technician's root shell would have.
Device files are reached from the host through /proc/LEADER/root.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .workspace import DIE_WITH_PARENT, LAB_SOURCES, TIMINGS

logger = logging.getLogger(__name__)

BOOT_SCRIPT = LAB_SOURCES / "device" / "boot"
DEVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NSPAWN_RUNTIME = Path("/run/systemd/nspawn")


@dataclass(frozen=True)
class Bind:
    """A host path bound into the device.

    Attributes:
        source: the host path.
        target: the device path; the same as `source` when empty.
        read_only: the device cannot change it.
    """

    source: Path
    target: str = ""
    read_only: bool = False

    def option(self) -> str:
        kind = "--bind-ro" if self.read_only else "--bind"
        return f"{kind}={self.source}:{self.target or self.source}"


@dataclass
class DeviceError(Exception):
    """A device command failed, or the device did not boot."""

    message: str
    output: str = ""

    def __str__(self) -> str:
        return f"{self.message}\n{self.output}" if self.output else self.message


@dataclass
class Device:
    """One lab device.

    Attributes:
        name: unique among this run's devices; names its folder.
        layers: read-only layers, the top one first.
        folder: holds the overlay upper, work and merged directories and the
            console log.
        binds: host paths bound into the device.
    """

    name: str
    layers: Sequence[Path]
    folder: Path
    binds: Sequence[Bind] = ()
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    leader: int = 0

    @property
    def upper(self) -> Path:
        """The device's own changes (a layer for the next device, once stopped)."""
        return self.folder / "upper"

    @property
    def console_log(self) -> Path:
        return self.folder / "console.log"

    def boot(self, timeout: float = 60.0) -> None:
        """Boots the device and waits until systemd reports it is up.

        Raises:
            DeviceError: the container stopped, or systemd did not finish
                booting in time.
        """
        start = time.monotonic()
        self.process = self._start_nspawn(["--boot", "--console=passive"])
        self.leader = self._wait_for_leader(timeout)
        state = self._wait_until_booted(start + timeout)
        TIMINGS.add("device boot", time.monotonic() - start)
        if state not in ("running", "degraded"):
            raise DeviceError(f"device {self.name} did not boot: {state}")
        if state == "degraded":
            failed = self.run(["systemctl", "--failed", "--no-legend"], check=False)
            logger.warning("device %s is degraded:\n%s", self.name, failed.stdout)

    def run_once(self, argv: Sequence[str], timeout: float = 600.0) -> str:
        """Runs one command in the (not booted) device root and returns its output.

        Used to install software into a layer; systemd is not running.

        Raises:
            DeviceError: the command failed.
        """
        process = self._start_nspawn(
            ["--pipe", "--setenv=PATH=" + DEVICE_PATH, "--", *argv]
        )
        try:
            process.wait(timeout=timeout)
        finally:
            self.process = None
        output = self.console_log.read_text(errors="replace")
        if process.returncode != 0:
            raise DeviceError(f"{' '.join(argv)} failed in {self.name}", output)
        return output

    def _start_nspawn(self, arguments: list[str]) -> subprocess.Popen[bytes]:
        for name in ("upper", "work", "merged"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        lower = ":".join(str(layer) for layer in self.layers)
        argv = [
            *DIE_WITH_PARENT,
            "unshare", "--mount", "--propagation", "private", "--",
            str(BOOT_SCRIPT), lower, str(self.upper), str(self.folder / "work"),
            str(self.folder / "merged"),
            f"--machine={self.name}",
            "--register=no", "--keep-unit", "--private-network",
            *(bind.option() for bind in self.binds),
            *arguments,
        ]  # fmt: skip
        with self.console_log.open("wb") as log:
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_for_leader(self, timeout: float) -> int:
        """Finds the device's init: the child of systemd-nspawn."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DeviceError(
                    f"device {self.name} stopped while booting",
                    self.console_log.read_text(errors="replace"),
                )
            try:
                pids = children.read_text().split()
            except OSError:
                pids = []
            if pids and _command_name(int(pids[0])) == "systemd":
                return int(pids[0])
            time.sleep(0.01)
        raise DeviceError(f"device {self.name} has no init after {timeout:.0f} s")

    def _wait_until_booted(self, deadline: float) -> str:
        state = ""
        while time.monotonic() < deadline:
            result = self.run(["systemctl", "is-system-running"], check=False)
            state = result.stdout.strip()
            if state not in ("offline", "initializing", "starting", ""):
                return state
            time.sleep(0.05)
        return state or "no answer"

    def command(
        self, env: Mapping[str, str] | None = None, *, inherit: bool = False
    ) -> list[str]:
        """Gives the argv prefix that runs a command inside the device.

        Args:
            env: variables for the command, over PATH, HOME and LANG.
            inherit: keep the caller's environment too (so that what a
                runner sets, such as DPKG_PAGER, reaches the command);
                otherwise the command starts with a clean environment.
        """
        variables = {"PATH": DEVICE_PATH, "HOME": "/root", "LANG": "C.UTF-8"}
        variables.update(env or {})
        return [
            "nsenter", "-t", str(self.leader), "-m", "-u", "-i", "-n", "-p", "--",
            "env", *([] if inherit else ["-i"]),
            *(f"{name}={value}" for name, value in variables.items()),
        ]  # fmt: skip

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 300.0,
    ) -> subprocess.CompletedProcess[str]:
        """Runs a command inside the device and waits for it.

        Raises:
            DeviceError: `check` is set and the command failed.
        """
        completed = subprocess.run(
            [*self.command(env), *argv],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and completed.returncode != 0:
            raise DeviceError(
                f"{' '.join(argv)} exited {completed.returncode} in {self.name}",
                completed.stdout + completed.stderr,
            )
        return completed

    def path(self, device_path: str) -> Path:
        """Gives the host path of a device file (valid while the device runs)."""
        return Path(f"/proc/{self.leader}/root") / device_path.lstrip("/")

    def write_file(
        self, device_path: str, text: str, mode: int = 0o644, owner: str = "root"
    ) -> None:
        """Writes a device file, making its folders, with its mode and owner."""
        path = self.path(device_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
        if owner != "root":
            self.run(["chown", f"{owner}:{owner}", device_path])

    def processes(self) -> list[int]:
        """Gives the host PIDs of every process inside the device."""
        namespace = os.readlink(f"/proc/{self.leader}/ns/pid")
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.readlink(entry / "ns" / "pid") == namespace:
                    pids.append(int(entry.name))
            except OSError:
                continue
        return pids

    def stop(self, timeout: float = 20.0) -> None:
        """Shuts the device down (SIGTERM to systemd-nspawn), killing it if stuck."""
        if self.process is None:
            return
        start = time.monotonic()
        if self.process.poll() is None:
            self._wait_for_reaping(timeout=5.0)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                logger.warning("device %s did not shut down; killing it", self.name)
                self._kill()
        TIMINGS.add("device shutdown", time.monotonic() - start)
        self.process = None
        self.leader = 0

    def _kill(self) -> None:
        """Kills the device's init, which ends every process of the device,
        then systemd-nspawn."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.leader, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def _wait_for_reaping(self, timeout: float) -> None:
        """Waits while the device holds zombies whose parent is on the host.

        A command started with nsenter whose host-side parent was killed is
        reaped by the host's init, eventually; until then the device's
        shutdown waits 10 s for it.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(
            _is_zombie(pid) for pid in self.processes()
        ):
            time.sleep(0.1)

    def discard(self) -> None:
        """Removes the device's folder (its overlay upper included).

        systemd-nspawn leaves an empty propagation folder per machine on the
        host; it goes too.
        """
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            (NSPAWN_RUNTIME / "propagate" / self.name).rmdir()


def _is_zombie(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] == "Z"


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""
