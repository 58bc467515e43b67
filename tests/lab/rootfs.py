"""The Debian root every lab device boots, and the layer with edgetui in it.

The root is made once with debootstrap from the host's configured Debian
mirror and reused while the work directory lives. Devices see the lab's
package repository at /srv/repo as their only apt source.

edgetui goes into a layer above it, as a technician installs it on a device
without network: wheels built on the host, then `python3 -m venv` and
`pip install --no-index --find-links` inside the device.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .device import Bind, Device
from .workspace import REPOSITORY, TIMINGS

SUITE = "bookworm"
PACKAGES = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "python3",
    "python3-venv",
    "adduser",
    "ca-certificates",
    "psmisc",
    "apt-utils",
    # Every real device has udev; in a container its daemon does not run.
    "udev",
)
READY_MARK = ".edgetui-lab-ready"
EDGETUI_HOME = "/opt/edgetui"
REPO_SOURCE = "deb [trusted=yes] file:/srv/repo ./\n"


def debian_mirror() -> str:
    """Gives the Debian mirror apt on this host is configured with.

    Raises:
        RuntimeError: apt names no Debian mirror.
    """
    targets = subprocess.run(
        ["apt-get", "indextargets", "--format", "$(REPO_URI)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    mirrors = [uri for uri in dict.fromkeys(targets) if "security" not in uri]
    if not mirrors:
        raise RuntimeError("apt has no Debian mirror configured: run apt-get update")
    return mirrors[0]


def make_rootfs(rootfs: Path) -> None:
    """Makes the Debian root with debootstrap, unless it is there already."""
    if (rootfs / READY_MARK).exists():
        return
    partial = rootfs.with_name(rootfs.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    log = rootfs.with_name("debootstrap.log")
    with TIMINGS.measure("debootstrap"), log.open("wb") as output:
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=" + ",".join(PACKAGES),
                SUITE,
                str(partial),
                debian_mirror(),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
    _prepare_for_the_lab(partial)
    shutil.rmtree(rootfs, ignore_errors=True)
    partial.rename(rootfs)


def _prepare_for_the_lab(root: Path) -> None:
    """Points apt at the lab repository and drops the download cache."""
    (root / "etc/apt/sources.list").write_text(REPO_SOURCE)
    for deb in (root / "var/cache/apt/archives").glob("*.deb"):
        deb.unlink()
    (root / "srv/repo").mkdir(parents=True, exist_ok=True)
    (root / "etc/hostname").write_text("edge-device\n")
    (root / READY_MARK).write_text("debootstrap finished\n")


def build_wheels(wheels: Path, rootfs: Path) -> None:
    """Builds edgetui and its dependencies as wheels on the host.

    Some dependencies have compiled wheels, so the host's Python must be the
    device's release (Debian bookworm has 3.11).

    Raises:
        RuntimeError: the host's Python is another release than the device's.
    """
    host = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not (rootfs / "usr/bin" / host).exists():
        found = sorted(p.name for p in (rootfs / "usr/bin").glob("python3.*"))
        raise RuntimeError(
            f"the lab builds wheels with {host} but the device has "
            f"{', '.join(found) or 'no python3'}: run the lab tests with the "
            "device's Python release"
        )
    wheels.mkdir(parents=True, exist_ok=True)
    with TIMINGS.measure("wheels"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--wheel-dir",
                str(wheels),
                str(REPOSITORY),
            ],
            check=True,
            capture_output=True,
        )


def make_edgetui_layer(rootfs: Path, wheels: Path, folder: Path) -> Path:
    """Installs edgetui from the wheels into a layer above the Debian root.

    Returns:
        The layer (an overlay upper directory).
    """
    device = Device(
        name="edgetui-layer",
        layers=[rootfs],
        folder=folder,
        binds=[Bind(wheels, "/srv/wheels", read_only=True)],
    )
    pip = f"{EDGETUI_HOME}/bin/pip"
    script = (
        f"python3 -m venv {EDGETUI_HOME}"
        f" && {pip} install --quiet --no-index --find-links /srv/wheels edgetui"
        f" && ln -s {EDGETUI_HOME}/bin/edgetui /usr/local/bin/edgetui"
    )
    with TIMINGS.measure("edgetui install in device"):
        device.run_once(["/bin/sh", "-c", script])
    return device.upper
