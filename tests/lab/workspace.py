"""Where the lab keeps its files, what it needs from the host, and its timings.

The work directory holds everything the lab makes: the Debian root, the
package repository, the wheels, the engine's socket and data, and one folder
per device. Unix socket paths must stay under 108 bytes, so it is a short
directory in /tmp unless `EDGETUI_LAB_WORK` names one (which is then kept
between runs, and its Debian root reused).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

REPOSITORY = Path(__file__).resolve().parents[2]
LAB_SOURCES = REPOSITORY / "lab"

HOST_TOOLS = {
    "dockerd": "docker.io",
    "containerd": "docker.io",
    "debootstrap": "debootstrap",
    "systemd-nspawn": "systemd-container",
    "nsenter": "util-linux",
    "unshare": "util-linux",
    "dpkg-deb": "dpkg",
    "dpkg-scanpackages": "dpkg-dev",
    "busybox": "busybox-static",
}


@dataclass
class Timings:
    """Seconds spent on each named part of the lab, in the order measured."""

    entries: list[tuple[str, float]] = field(default_factory=list)

    @contextlib.contextmanager
    def measure(self, name: str) -> Iterator[None]:
        """Records how long the block takes under `name`."""
        start = time.monotonic()
        try:
            yield
        finally:
            self.entries.append((name, time.monotonic() - start))

    def add(self, name: str, seconds: float) -> None:
        """Records a duration measured elsewhere."""
        self.entries.append((name, seconds))

    def lines(self) -> list[str]:
        """Gives one line per measured part; repeated parts are summarised."""
        grouped: dict[str, list[float]] = {}
        for name, seconds in self.entries:
            grouped.setdefault(name, []).append(seconds)
        lines = []
        for name, values in grouped.items():
            if len(values) == 1:
                lines.append(f"{values[0]:7.2f} s  {name}")
            else:
                mean = sum(values) / len(values)
                lines.append(
                    f"{mean:7.2f} s  {name} (mean of {len(values)}, "
                    f"{min(values):.2f} to {max(values):.2f} s)"
                )
        return lines


TIMINGS = Timings()

DIE_WITH_PARENT = ("setpriv", "--pdeathsig", "TERM", "--")
"""Prefix for the lab's daemons (dockerd, systemd-nspawn): the kernel sends
them SIGTERM when the test run dies, so a run killed without its teardown
still stops them."""


def missing_components() -> list[str]:
    """Names what the lab cannot run without on this host (empty when ready)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the lab mounts overlays and boots containers)")
    for tool, package in HOST_TOOLS.items():
        if shutil.which(tool) is None:
            missing.append(f"{tool} (apt package {package})")
    busybox = shutil.which("busybox")
    if busybox is not None and not _is_static(Path(busybox)):
        missing.append("a static busybox (apt package busybox-static)")
    if "overlay" not in Path("/proc/filesystems").read_text():
        missing.append("overlayfs in the kernel")
    return missing


def _is_static(program: Path) -> bool:
    """Tells whether an ELF program needs no dynamic loader (no PT_INTERP)."""
    data = program.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    order: Literal["little", "big"] = "little" if data[5] == 1 else "big"
    header_offset = int.from_bytes(data[32:40], order)
    header_size = int.from_bytes(data[54:56], order)
    header_count = int.from_bytes(data[56:58], order)
    for index in range(header_count):
        start = header_offset + index * header_size
        if int.from_bytes(data[start : start + 4], order) == 3:
            return False
    return True


@dataclass
class Workspace:
    """The lab's work directory and its well-known places.

    Attributes:
        root: the work directory itself.
        kept: it was named by `EDGETUI_LAB_WORK` and stays after the run.
    """

    root: Path
    kept: bool

    @classmethod
    def create(cls) -> Workspace:
        """Uses `EDGETUI_LAB_WORK`, or makes a short directory in /tmp."""
        named = os.environ.get("EDGETUI_LAB_WORK")
        if named:
            root = Path(named).resolve()
            root.mkdir(parents=True, exist_ok=True)
            return cls(root=root, kept=True)
        return cls(root=Path(tempfile.mkdtemp(prefix="etl-", dir="/tmp")), kept=False)

    @property
    def rootfs(self) -> Path:
        """The pristine Debian root made by debootstrap."""
        return self.root / "rootfs"

    @property
    def layers(self) -> Path:
        """Overlay layers made this run: edgetui installed, device states."""
        return self.root / "layers"

    @property
    def repo(self) -> Path:
        """The local apt repository, seen as /srv/repo on devices."""
        return self.root / "repo"

    @property
    def wheels(self) -> Path:
        """edgetui and its dependencies as wheels, for offline installs."""
        return self.root / "wheels"

    @property
    def engine(self) -> Path:
        """The container engine's socket, data and the modules' host folders."""
        return self.root / "e"

    @property
    def devices(self) -> Path:
        """One folder per booted device (overlay upper, work, merged, log)."""
        return self.root / "d"

    def clean(self) -> None:
        """Removes what this run made; a kept directory keeps its Debian root."""
        for path in (self.layers, self.devices, self.engine, self.repo, self.wheels):
            shutil.rmtree(path, ignore_errors=True)
        if not self.kept:
            shutil.rmtree(self.root, ignore_errors=True)
