"""The lab's container engine: Debian's dockerd on a private socket.

It runs in its own mount and network namespaces, so the mounts and bridges
it makes for containers go away with it, and it has no way out: pulls fail
at once, as on a device without network. Devices reach it through their
/run/docker.sock; its data root (volumes) and the modules' host folders are
bound into devices at the same path, so the paths the engine reports are
valid inside the device.

The IoT Edge runtime images are built offline from a static busybox: each
tag is its own image (a unique label), and its containers log the real
module's version line, then wait. A registry answering as mcr.microsoft.com
inside the engine's namespaces serves them, so pulls work offline; its
rolling tags already point at newer patches than some local images, as a
real registry's do after a release.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import subprocess
import tarfile
import time
import zlib
from dataclasses import dataclass, field
from hashlib import sha1
from pathlib import Path
from typing import Any

import docker

from .workspace import DIE_WITH_PARENT, LAB_SOURCES, TIMINGS

logger = logging.getLogger(__name__)

BASE_IMAGE = "edgetui-lab/busybox:static"
REGISTRY = "mcr.microsoft.com"
OWNER_LABEL = "net.azure-devices.edge.owner"
OWNER = "Microsoft.Azure.Devices.Edge.Agent"
NETWORK = "azure-iot-edge"

# Runtime image tags and the product version their modules report. Rolling
# tags (major.minor) point at the newest patch the lab knows.
RUNTIME_TAGS = {
    "1.1": "1.1.19",
    "1.1.19": "1.1.19",
    "1.4": "1.4.43",
    "1.4.43": "1.4.43",
    "1.5": "1.5.44",
    "1.5.44": "1.5.44",
    "1.6": "1.6.0",
    "1.6.0": "1.6.0",
    "1.6.1": "1.6.1",
}
# Module name -> image repository and the first line the module logs.
# What the registry serves: rolling tags point at the newest patch, which
# for 1.6 is newer than the image the devices pulled before (RUNTIME_TAGS).
REGISTRY_TAGS = {**RUNTIME_TAGS, "1.6": "1.6.1"}

MODULE_IMAGES = {
    "edgeAgent": ("azureiotedge-agent", "Initializing Edge Agent."),
    "edgeHub": ("azureiotedge-hub", "Initializing Edge Hub"),
}


def image_name(module: str, tag: str) -> str:
    """Gives a module's image at a tag: `mcr.microsoft.com/azureiotedge-agent:1.4`."""
    return f"{REGISTRY}/{MODULE_IMAGES[module][0]}:{tag}"


def version_line(version: str) -> str:
    """Gives what a module prints after `Version - `: `1.4.43.61356014 (3f1c...)`.

    The build number and commit are made up but fixed for each version.
    """
    build = zlib.crc32(version.encode()) % 90_000_000 + 10_000_000
    commit = sha1(version.encode()).hexdigest()  # noqa: S324
    return f"{version}.{build} ({commit})"


@dataclass
class Engine:
    """A dockerd of our own, its socket and data under `root`."""

    root: Path
    process: subprocess.Popen[bytes] | None = None
    local_images: dict[str, str] = field(default_factory=dict)

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def data_root(self) -> Path:
        return self.root / "data"

    @property
    def host_folders(self) -> Path:
        """Where modules' host-folder storage lives (bound into devices)."""
        return self.root / "host"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 30.0) -> None:
        """Starts dockerd and waits until its API answers.

        Raises:
            RuntimeError: dockerd exited or did not answer in time.
        """
        for path in (self.data_root, self.root / "exec", self.host_folders):
            path.mkdir(parents=True, exist_ok=True)
        self._write_registry_config()
        log = (self.root / "dockerd.log").open("wb")
        self.process = subprocess.Popen(
            [
                *DIE_WITH_PARENT,
                "unshare",
                "--mount",
                "--net",
                "--propagation",
                "private",
                "--",
                str(LAB_SOURCES / "engine" / "start"),
                str(self.root),
                f"--insecure-registry={REGISTRY}",
                f"--host={self.url}",
                f"--data-root={self.data_root}",
                f"--exec-root={self.root / 'exec'}",
                f"--pidfile={self.root / 'dockerd.pid'}",
                "--storage-driver=overlay2",
                "--iptables=false",
                "--ip-masq=false",
                "--bridge=none",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        with TIMINGS.measure("engine start"):
            self._wait_until_ready(timeout)
        # The devices' daemons run as the iotedge user, whose docker group
        # has another number than any group here: the lab's socket is open.
        self.socket.chmod(0o666)

    def _write_registry_config(self) -> None:
        """Writes the registry's settings and the engine's hosts file."""
        (self.root / "hosts").write_text(f"127.0.0.1 localhost {REGISTRY}\n")
        (self.root / "registry.yml").write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n"
            "storage:\n"
            f"  filesystem:\n    rootdirectory: {self.root / 'registry'}\n"
            "  delete:\n    enabled: true\n"
            "http:\n  addr: 127.0.0.1:80\n"
        )

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"dockerd exited; see {self.root / 'dockerd.log'}")
            if self.socket.exists():
                try:
                    self.client().ping()
                    return
                except docker.errors.DockerException:
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"dockerd did not answer within {timeout:.0f} s")

    def client(self) -> Any:
        """Gives a docker SDK client for this engine."""
        return docker.DockerClient(base_url=self.url, version="auto", timeout=60)

    def stop(self) -> None:
        """Removes every container, then stops dockerd by its PID."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                remove_containers(self.client())
            except docker.errors.DockerException as error:
                logger.warning("could not remove containers: %s", error)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def build_images(self) -> None:
        """Builds the runtime images, publishes them, keeps the devices' ones.

        Raises:
            RuntimeError: the registry refused an image.
        """
        client = self.client()
        with TIMINGS.measure("runtime images"):
            _import_base_image(client)
            for module in MODULE_IMAGES:
                for tag, version in REGISTRY_TAGS.items():
                    _build_module_image(client, module, tag, version)
                    _push(client, image_name(module, tag))
                for tag, version in RUNTIME_TAGS.items():
                    name = image_name(module, tag)
                    self.local_images[name] = _build_module_image(
                        client, module, tag, version
                    )
            if not client.networks.list(names=[NETWORK]):
                client.networks.create(NETWORK, driver="bridge")

    def restore_images(self) -> None:
        """Points every runtime tag back at the image devices start with.

        A test may pull a rolling tag (which moves it to a newer patch) or
        remove images; the next test must find the engine as it was.
        """
        client = self.client()
        for name, image_id in self.local_images.items():
            try:
                current = client.images.get(name).id
            except docker.errors.ImageNotFound:
                current = None
            if current == image_id:
                continue
            module = next(m for m in MODULE_IMAGES if MODULE_IMAGES[m][0] in name)
            tag = name.rsplit(":", 1)[1]
            self.local_images[name] = _build_module_image(
                client, module, tag, RUNTIME_TAGS[tag]
            )


def _import_base_image(client: Any) -> None:
    """Imports a root with only a static busybox and the module script."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise RuntimeError("busybox is missing: install busybox-static")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        tar.add(busybox, arcname="bin/busybox")
        for applet in ("sh", "sleep", "date", "echo", "cat", "ls", "mkdir", "true"):
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        tar.add(LAB_SOURCES / "images" / "edge-module", arcname="bin/edge-module")
        for directory in ("tmp", "iotedge/storage"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if directory == "tmp" else 0o755
            tar.addfile(info)
    repository, tag = BASE_IMAGE.split(":")
    client.api.import_image_from_data(
        archive.getvalue(), repository=repository, tag=tag
    )


def _build_module_image(client: Any, module: str, tag: str, version: str) -> str:
    """Builds (or finds in the build cache) one runtime image; gives its ID."""
    name = image_name(module, tag)
    dockerfile = (
        f"FROM {BASE_IMAGE}\n"
        f'LABEL edgetui.lab.image="{name}"\n'
        f'ENV EDGE_MODULE_GREETING="{MODULE_IMAGES[module][1]}" '
        f'EDGE_MODULE_VERSION="{version_line(version)}"\n'
        'CMD ["/bin/edge-module"]\n'
    )
    image, _log = client.images.build(
        fileobj=io.BytesIO(dockerfile.encode()), tag=name, rm=True
    )
    return str(image.id)


def _push(client: Any, name: str) -> None:
    repository, tag = name.rsplit(":", 1)
    for line in client.images.push(repository, tag=tag, stream=True, decode=True):
        if "error" in line:
            raise RuntimeError(f"the lab registry refused {name}: {line['error']}")


def remove_containers(client: Any) -> None:
    """Removes every container and unused volume of the engine."""
    for container in client.containers.list(all=True):
        container.remove(force=True, v=True)
    client.volumes.prune()
