"""What the simulated repositories and registry hold: packages and images.

A package release is described by its name and full version
(`aziot-edge`, `1.5.21-1`); everything else (dependencies, conflicts, the
programs, services and configuration files it installs) follows from the
name and the upstream version, the way the real packages are built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from edgetui.sim import devicefiles
from edgetui.sim.debversion import upstream

# aziot-edge version -> the aziot-identity-service version it pins exactly.
IDENTITY_FOR_EDGE: Mapping[str, str] = {
    "1.4.27": "1.4.7",
    "1.4.33": "1.4.8",
    "1.4.41": "1.4.9",
    "1.5.16": "1.5.5",
    "1.5.21": "1.5.6",
    "1.6.0": "1.6.0",
    "1.6.1": "1.6.0",
}

IDENTITY_UNITS = (
    "aziot-identityd.service",
    "aziot-keyd.service",
    "aziot-certd.service",
    "aziot-tpmd.service",
    "aziot-identityd.socket",
    "aziot-keyd.socket",
    "aziot-certd.socket",
    "aziot-tpmd.socket",
)
EDGE_UNITS = (
    "aziot-edged.service",
    "aziot-edged.mgmt.socket",
    "aziot-edged.workload.socket",
)
LEGACY_UNITS = ("iotedge.service", "iotedge.socket", "iotedge.mgmt.socket")
ENGINE_UNITS = ("docker.service", "docker.socket", "containerd.service")

UNIT_DESCRIPTIONS: Mapping[str, str] = {
    "iotedge.service": "Azure IoT Edge daemon",
    "aziot-edged.service": "Azure IoT Edge daemon",
    "aziot-identityd.service": "Azure IoT Identity Service",
    "aziot-keyd.service": "Azure IoT Keys Service",
    "aziot-certd.service": "Azure IoT Certificates Service",
    "aziot-tpmd.service": "Azure IoT TPM Service",
    "docker.service": "Docker Application Container Engine",
    "containerd.service": "containerd container runtime",
}

UNIT_COMMANDS: Mapping[str, str] = {
    "iotedge.service": "/usr/bin/iotedged -c /etc/iotedge/config.yaml",
    "aziot-edged.service": "/usr/libexec/aziot/aziot-edged",
    "aziot-identityd.service": "/usr/libexec/aziot-identity-service/aziot-identityd",
    "aziot-keyd.service": "/usr/libexec/aziot-identity-service/aziot-keyd",
    "aziot-certd.service": "/usr/libexec/aziot-identity-service/aziot-certd",
    "aziot-tpmd.service": "/usr/libexec/aziot-identity-service/aziot-tpmd",
    "docker.service": (
        "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"
    ),
    "containerd.service": "/usr/bin/containerd",
}

# Package version -> (product, server version, API version) of engine packages.
ENGINE_RELEASES: Mapping[str, tuple[str, str, str]] = {
    "20.10.23+azure-2": ("moby", "20.10.23+azure-2", "1.41"),
    "20.10.23+azure-2.el9": ("moby", "20.10.23+azure-2", "1.41"),
    "20.10.25+azure-1": ("moby", "20.10.25+azure-1", "1.41"),
    "20.10.25+azure-1.el9": ("moby", "20.10.25+azure-1", "1.41"),
    "5:24.0.7-1~ubuntu.22.04~jammy": ("docker-ce", "24.0.7", "1.43"),
}


@dataclass(frozen=True)
class PackageRelease:
    """One version of one package as the repository offers it.

    Attributes:
        depends: (package, exact version or None) pairs.
        programs: commands it puts on PATH (they answer with this version).
        units: systemd units it ships.
        conffiles: device path -> the text this version ships.
        files: other device files it installs (binaries are empty markers).
        purge_paths: what its postrm deletes on purge.
        size: installed size in bytes; download is a third of it.
        note: what its postinst prints.
    """

    name: str
    version: str
    summary: str
    depends: tuple[tuple[str, str | None], ...] = ()
    conflicts: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    conffiles: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    purge_paths: tuple[str, ...] = ()
    size: int = 1_000_000
    note: str = ""

    @property
    def upstream(self) -> str:
        """The upstream version, `1.5.21` for `1.5.21-1`."""
        return upstream(self.version)

    @property
    def download_size(self) -> int:
        """Bytes apt or dnf downloads for it."""
        return self.size // 3


class UnknownPackageError(LookupError):
    """The catalog has no such package."""


def package_release(name: str, version: str) -> PackageRelease:
    """Describes one package version.

    Args:
        name: the package name, `aziot-edge`.
        version: its full version, `1.5.21-1` or `1.5.21-1.el9`.

    Returns:
        The release with its dependencies, files and units.

    Raises:
        UnknownPackageError: the catalog does not know the package.
    """
    builder = _BUILDERS.get(name)
    if builder is None:
        raise UnknownPackageError(name)
    return builder(name, version)


def _revision(version: str) -> str:
    return version[len(upstream(version)) :]


def _legacy_daemon(name: str, version: str) -> PackageRelease:
    return PackageRelease(
        name=name,
        version=version,
        summary="Azure IoT Edge Security Daemon",
        depends=(("libiothsm-std", version),),
        programs=("iotedge",),
        units=LEGACY_UNITS,
        conffiles={"/etc/iotedge/config.yaml": devicefiles.legacy_config_template()},
        files={"/usr/bin/iotedged": "", "/usr/bin/iotedge": ""},
        purge_paths=("/etc/iotedge", "/var/lib/iotedge", "/var/log/iotedge"),
        size=31_700_000,
    )


def _legacy_hsm(name: str, version: str) -> PackageRelease:
    return PackageRelease(
        name=name,
        version=version,
        summary="Azure IoT standard mode HSM lib",
        files={"/usr/lib/libiothsm.so.1": ""},
        size=400_000,
    )


def _identity_service(name: str, version: str) -> PackageRelease:
    return PackageRelease(
        name=name,
        version=version,
        summary="Azure IoT Identity Service and related services",
        conflicts=("iotedge", "libiothsm-std"),
        units=IDENTITY_UNITS,
        conffiles={"/etc/aziot/config.toml.template": devicefiles.identity_template()},
        files={
            "/usr/bin/aziotctl": "",
            "/usr/libexec/aziot-identity-service/aziotd": "",
        },
        purge_paths=("/etc/aziot", "/var/lib/aziot", "/var/secrets/aziot"),
        size=21_400_000,
    )


def _edge_daemon(name: str, version: str) -> PackageRelease:
    edge = upstream(version)
    identity = IDENTITY_FOR_EDGE.get(edge, edge)
    line = ".".join(edge.split(".")[:2])
    return PackageRelease(
        name=name,
        version=version,
        summary="Azure IoT Edge Module Runtime",
        depends=(("aziot-identity-service", identity + _revision(version)),),
        conflicts=("iotedge",),
        programs=("iotedge",),
        units=EDGE_UNITS,
        conffiles={
            "/etc/aziot/config.toml.edge.template": devicefiles.edge_template(edge)
        },
        files={
            "/usr/libexec/aziot/aziot-edged": "",
            "/usr/bin/iotedge": "",
            "/etc/aziot/edged/config.toml.default": devicefiles.edged_defaults(line),
        },
        purge_paths=("/etc/aziot/edged", "/var/lib/aziot/edged"),
        size=52_300_000,
        note=devicefiles.EDGE_POSTINST_NOTE,
    )


def _engine(name: str, version: str) -> PackageRelease:
    others = {"moby-engine", "docker-ce", "docker.io"} - {name}
    return PackageRelease(
        name=name,
        version=version,
        summary="Container engine",
        conflicts=tuple(sorted(others)),
        units=ENGINE_UNITS,
        files={"/usr/bin/dockerd": ""},
        size=98_000_000,
    )


def _engine_cli(name: str, version: str) -> PackageRelease:
    others = {"moby-cli", "docker-ce-cli"} - {name}
    return PackageRelease(
        name=name,
        version=version,
        summary="Container engine command line client",
        conflicts=tuple(sorted(others)),
        files={"/usr/bin/docker": ""},
        size=45_000_000,
    )


_BUILDERS = {
    "iotedge": _legacy_daemon,
    "libiothsm-std": _legacy_hsm,
    "aziot-identity-service": _identity_service,
    "aziot-edge": _edge_daemon,
    "moby-engine": _engine,
    "docker-ce": _engine,
    "moby-cli": _engine_cli,
    "docker-ce-cli": _engine_cli,
}


@dataclass(frozen=True)
class ImageRelease:
    """One runtime image as the registry serves it.

    Attributes:
        reference: `mcr.microsoft.com/azureiotedge-agent:1.4`.
        version: the product version the image logs, `1.4.43`.
        size: bytes on disk once pulled.
    """

    reference: str
    version: str
    size: int

    @property
    def image_id(self) -> str:
        """The content digest of the image (same content, same id)."""
        digest = hashlib.sha256(f"{self.repository}@{self.version}".encode())
        return "sha256:" + digest.hexdigest()

    @property
    def repository(self) -> str:
        """The reference without its tag."""
        return self.reference.rpartition(":")[0]

    @property
    def build(self) -> str:
        """The build number the module logs after the version."""
        number = int(hashlib.sha256(self.version.encode()).hexdigest()[:8], 16)
        return str(number % 90_000_000 + 10_000_000)

    @property
    def commit(self) -> str:
        """The source commit the module logs."""
        return hashlib.sha1(  # noqa: S324 - an identifier, not security
            f"commit {self.version}".encode()
        ).hexdigest()


REGISTRY = "mcr.microsoft.com"
AGENT = f"{REGISTRY}/azureiotedge-agent"
HUB = f"{REGISTRY}/azureiotedge-hub"
SENSOR = f"{REGISTRY}/azureiotedge-simulated-temperature-sensor"
DIAGNOSTICS = f"{REGISTRY}/azureiotedge-diagnostics"

# Tag -> product version; a rolling tag names the newest patch of its line.
_RUNTIME_TAGS: Mapping[str, str] = {
    "1.1": "1.1.19",
    "1.1.19": "1.1.19",
    "1.4": "1.4.43",
    "1.4.41": "1.4.41",
    "1.4.43": "1.4.43",
    "1.5": "1.5.44",
    "1.5.44": "1.5.44",
    "1.6": "1.6.1",
    "1.6.0": "1.6.0",
    "1.6.1": "1.6.1",
}
_SIZES = {AGENT: 184_000_000, HUB: 236_000_000, SENSOR: 96_000_000}


def image_release(reference: str) -> ImageRelease | None:
    """Finds an image in the simulated registry.

    Args:
        reference: `repository:tag`; a missing tag means `latest`.

    Returns:
        The image, or `None` when the registry has no such manifest.
    """
    repository, _, tag = reference.rpartition(":")
    if not repository or "/" in tag:
        repository, tag = reference, "latest"
    if repository in (AGENT, HUB):
        version = _RUNTIME_TAGS.get(tag)
        if version is None:
            return None
        return ImageRelease(f"{repository}:{tag}", version, _SIZES[repository])
    if repository == SENSOR and tag in ("1.0", "1.5", "latest"):
        return ImageRelease(f"{repository}:{tag}", "1.0.9", _SIZES[SENSOR])
    if repository == DIAGNOSTICS:
        return ImageRelease(f"{repository}:{tag}", tag, 120_000_000)
    return None
