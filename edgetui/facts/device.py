"""What edgetui knows about a device: the `edgetui detect --json` contract.

Every field that could not be read is `None`; why it is unknown is told by a
`DeviceWarning` in `DeviceFacts.warnings`. `to_json()` gives the stable shape
that scripts and fleets rely on (see the README); new keys may be added, none
is renamed or removed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class OsFacts:
    """The operating system, from os-release.

    Attributes:
        id: `ubuntu`, `debian`, `rhel`, ... (os-release `ID`).
        version_id: `20.04`, `12`, `9.2` (os-release `VERSION_ID`).
        package_manager: `apt`, `dnf` or `yum`, whichever is on PATH.
        pretty_name: os-release `PRETTY_NAME`, for people.
    """

    id: str | None = None
    version_id: str | None = None
    package_manager: str | None = None
    pretty_name: str | None = None


@dataclass
class SecuritySubsystemFacts:
    """The installed IoT Edge daemon package.

    Attributes:
        package: `iotedge` (1.0/1.1) or `aziot-edge` (1.2+), else `None`.
        version: the upstream package version, `1.1.15` or `1.5.0~rc2`.
        state: the package manager's state: `installed`, `config-files`
            (removed, configuration kept), `half-configured`, `unpacked`.
    """

    package: str | None = None
    version: str | None = None
    state: str | None = None


@dataclass
class IdentityServiceFacts:
    """The `aziot-identity-service` package (1.2+ only)."""

    version: str | None = None


@dataclass
class ConfigFacts:
    """The IoT Edge configuration file in force.

    Attributes:
        path: `/etc/iotedge/config.yaml` (1.0/1.1) or `/etc/aziot/config.toml`.
        format: `yaml` or `toml`.
        provisioning: `manual`, `dps`, `none` or `external`.
        attestation: `tpm`, `x509` or `symmetric_key` for DPS; `sas` or
            `x509` for manual provisioning; `None` otherwise.
        agent_image: the edgeAgent image named in the file.
        other_path: a second configuration file that is present but not in
            force (a half-migrated device has both).
    """

    path: str | None = None
    format: str | None = None
    provisioning: str | None = None
    attestation: str | None = None
    agent_image: str | None = None
    other_path: str | None = None


@dataclass
class ModuleFacts:
    """One runtime container (edgeAgent or edgeHub) as the engine reports it.

    Attributes:
        image: the image the container runs, `mcr.microsoft.com/...:1.4`.
        version: from the module log line `Version - x.y.z`.
        status: the engine's state: `running`, `exited`, ...
    """

    image: str | None = None
    version: str | None = None
    status: str | None = None


@dataclass
class RuntimeFacts:
    """The runtime containers.

    Attributes:
        tag_kind: `rolling` (`1.4`) or `specific` (`1.4.43`) for the agent
            image tag, `None` when there is no agent.
    """

    agent: ModuleFacts = field(default_factory=ModuleFacts)
    hub: ModuleFacts = field(default_factory=ModuleFacts)
    tag_kind: str | None = None


@dataclass
class EngineFacts:
    """The container engine.

    Attributes:
        available: the engine answered on DOCKER_HOST (or the default socket).
        product: `moby` (Microsoft's or Debian's build) or `docker-ce`.
        package: the package that provides the running engine (`moby-engine`,
            `docker-ce`, `docker.io`), when the package database says.
        version: the server version, `20.10.23+azure-2`.
        packages: every engine package installed (`moby-engine`, `docker-ce`,
            `docker.io`), in that order; more than one is a conflict.
    """

    available: bool = False
    product: str | None = None
    package: str | None = None
    version: str | None = None
    packages: list[str] = field(default_factory=list)


@dataclass
class TpmFacts:
    """The udev rule that gives the IoT Edge TPM service its device.

    Attributes:
        rule_path: the rules file in `/etc/udev/rules.d` that names `tpm0`
            or `tpmrm0`.
        rule_owner: the `OWNER=` of that rule (`iotedge` before 1.2,
            `aziottpm` from 1.2).
        device_present: `/dev/tpm0` or `/dev/tpmrm0` exists.
    """

    rule_path: str | None = None
    rule_owner: str | None = None
    device_present: bool = False


@dataclass
class RepositoryFacts:
    """What the device's package repositories offer.

    Attributes:
        versions: package name to the versions the repository offers, newest
            first, as the package manager prints them (`1.5.21-1`).
    """

    versions: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class PrivilegeFacts:
    """Whether edgetui may change the device.

    `root` is true when edgetui runs as root, or, for a device root other
    than this machine's (`--root`, `--demo`), when it may write that root.
    """

    root: bool = False


@dataclass
class SessionFacts:
    """How the technician is connected."""

    ssh: bool = False


@dataclass(frozen=True)
class DeviceWarning:
    """Something the technician must know before changing the device.

    Attributes:
        code: a stable identifier, `end-of-support` or `config-malformed`.
        message: one or two sentences naming the problem and the next action.
    """

    code: str
    message: str


@dataclass
class DeviceFacts:
    """Everything detection learned about one device."""

    os: OsFacts = field(default_factory=OsFacts)
    security_subsystem: SecuritySubsystemFacts = field(
        default_factory=SecuritySubsystemFacts
    )
    identity_service: IdentityServiceFacts = field(default_factory=IdentityServiceFacts)
    config: ConfigFacts = field(default_factory=ConfigFacts)
    runtime: RuntimeFacts = field(default_factory=RuntimeFacts)
    engine: EngineFacts = field(default_factory=EngineFacts)
    tpm: TpmFacts = field(default_factory=TpmFacts)
    repository: RepositoryFacts = field(default_factory=RepositoryFacts)
    disk: dict[str, int] = field(default_factory=dict)
    privilege: PrivilegeFacts = field(default_factory=PrivilegeFacts)
    session: SessionFacts = field(default_factory=SessionFacts)
    warnings: list[DeviceWarning] = field(default_factory=list)

    def warn(self, code: str, message: str) -> None:
        """Adds a warning unless the same code and message are there already."""
        warning = DeviceWarning(code, message)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def to_json(self) -> dict[str, Any]:
        """Gives the `edgetui detect --json` object."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceFacts:
        """Rebuilds facts from `to_json()` output (for journals and tests)."""
        runtime = data.get("runtime", {})
        return cls(
            os=OsFacts(**data.get("os", {})),
            security_subsystem=SecuritySubsystemFacts(
                **data.get("security_subsystem", {})
            ),
            identity_service=IdentityServiceFacts(**data.get("identity_service", {})),
            config=ConfigFacts(**data.get("config", {})),
            runtime=RuntimeFacts(
                agent=ModuleFacts(**runtime.get("agent", {})),
                hub=ModuleFacts(**runtime.get("hub", {})),
                tag_kind=runtime.get("tag_kind"),
            ),
            engine=EngineFacts(**data.get("engine", {})),
            tpm=TpmFacts(**data.get("tpm", {})),
            repository=RepositoryFacts(**data.get("repository", {})),
            disk=dict(data.get("disk", {})),
            privilege=PrivilegeFacts(**data.get("privilege", {})),
            session=SessionFacts(**data.get("session", {})),
            warnings=[DeviceWarning(**w) for w in data.get("warnings", [])],
        )
