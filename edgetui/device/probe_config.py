"""The probe of the IoT Edge configuration: which file is in force, what it says.

Every secret found in either file is registered for redaction before anything
else happens with it, so it never reaches a log, a screen or JSON output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from edgetui.device.config import (
    TOML_PATH,
    YAML_PATH,
    ConfigSummary,
    ConfigSyntaxError,
    find_text_secrets,
    summarize_toml,
    summarize_yaml,
)
from edgetui.device.context import ProbeContext, ProbeOutcome
from edgetui.device.packages import InstalledPackages
from edgetui.facts.device import ConfigFacts, DeviceFacts, DeviceWarning
from edgetui.runner.redact import add_secret

_FORMAT_OF = {TOML_PATH: "toml", YAML_PATH: "yaml"}
_PATH_FOR_PACKAGE = {"aziot-edge": TOML_PATH, "iotedge": YAML_PATH}


@dataclass(frozen=True)
class ConfigReading:
    """One configuration file as found on the device.

    Attributes:
        path: the device path.
        exists: something is at that path (even if it cannot be read).
        summary: what it says, when it could be read and parsed.
        problem: why it could not, as a warning.
    """

    path: str
    exists: bool
    summary: ConfigSummary | None = None
    problem: DeviceWarning | None = None

    @property
    def format(self) -> str:
        """`toml` or `yaml`."""
        return _FORMAT_OF[self.path]


def read_config(context: ProbeContext, path: str) -> ConfigReading:
    """Reads and summarizes one configuration file, registering its secrets.

    Args:
        context: the probe context (its root maps the path).
        path: `TOML_PATH` or `YAML_PATH`.

    Returns:
        The reading; a file that cannot be read or parsed has a `problem`.
    """
    try:
        text = context.root.read_text(path)
    except (FileNotFoundError, NotADirectoryError):
        return ConfigReading(path, exists=False)
    except OSError as error:
        return ConfigReading(path, exists=True, problem=_unreadable(path, error))

    _register(find_text_secrets(text))
    summarize = summarize_toml if path == TOML_PATH else summarize_yaml
    try:
        summary = summarize(text)
    except ConfigSyntaxError as error:
        return ConfigReading(path, exists=True, problem=_malformed(path, error))
    _register(summary.secrets)
    return ConfigReading(path, exists=True, summary=summary)


def _register(secrets: Iterable[str]) -> None:
    for secret in secrets:
        add_secret(secret)


def _unreadable(path: str, error: OSError) -> DeviceWarning:
    reason = error.strerror or str(error)
    if isinstance(error, PermissionError):
        action = "Run edgetui as root (sudo edgetui) so it can read the file."
    else:
        action = "Check that it is a regular file that root can read."
    return DeviceWarning(
        "config-unreadable",
        f"Cannot read {path} ({reason}), so provisioning and the agent image "
        f"are unknown. {action}",
    )


def _malformed(path: str, error: ConfigSyntaxError) -> DeviceWarning:
    kind = _FORMAT_OF[path].upper()
    return DeviceWarning(
        "config-malformed",
        f"{path} is not valid {kind} ({error}), so provisioning and the agent "
        "image are unknown. Correct the file, then detect again.",
    )


async def probe_config(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Finds the configuration in force and summarizes it.

    Both files are read; the installed package decides which one is in force
    when a half-migrated device has both.
    """
    toml = read_config(context, TOML_PATH)
    yaml = read_config(context, YAML_PATH)
    installed = await context.installed()
    config, warnings = choose_config(toml, yaml, _edge_package(installed))
    facts.config = config

    return ProbeOutcome(_summary(config), warnings)


def _edge_package(installed: InstalledPackages | None) -> str | None:
    if installed is None:
        return None
    edge = installed.edge()
    return edge.name if edge is not None and edge.present else None


def choose_config(
    toml: ConfigReading, yaml: ConfigReading, package: str | None
) -> tuple[ConfigFacts, list[DeviceWarning]]:
    """Decides which configuration file is in force and describes it.

    Args:
        toml: the reading of `/etc/aziot/config.toml`.
        yaml: the reading of `/etc/iotedge/config.yaml`.
        package: the installed daemon package (`aziot-edge`, `iotedge`), if
            known.

    Returns:
        The configuration facts and the warnings about them.
    """
    present = [reading for reading in (toml, yaml) if reading.exists]
    if not present:
        return ConfigFacts(), [_missing(package)]

    expected = _PATH_FOR_PACKAGE.get(package or "")
    chosen = next((r for r in present if r.path == expected), present[0])
    others = [reading.path for reading in present if reading is not chosen]
    config = _facts(chosen, others[0] if others else None)

    warnings = [chosen.problem] if chosen.problem else []
    if others:
        warnings.append(_both(chosen.path, others[0], package))
    elif expected is not None and expected != chosen.path:
        warnings.append(_mismatch(chosen.path, expected, package or ""))
    return config, warnings


def _facts(reading: ConfigReading, other_path: str | None) -> ConfigFacts:
    summary = reading.summary or ConfigSummary()
    return ConfigFacts(
        path=reading.path,
        format=reading.format,
        provisioning=summary.provisioning,
        attestation=summary.attestation,
        agent_image=summary.agent_image,
        other_path=other_path,
    )


def _missing(package: str | None) -> DeviceWarning:
    if package is None:
        message = (
            f"No IoT Edge configuration found: neither {TOML_PATH} nor "
            f"{YAML_PATH} exists. If IoT Edge should be installed here, install "
            "and configure it first."
        )
    else:
        expected = _PATH_FOR_PACKAGE.get(package, TOML_PATH)
        message = (
            f"{package} is installed but {expected} does not exist, so the "
            "device is not configured. Create the configuration (see the "
            "template beside it), then detect again."
        )
    return DeviceWarning("config-missing", message)


def _both(chosen: str, other: str, package: str | None) -> DeviceWarning:
    reason = f"{package} is installed" if package else "it is the newer format"
    return DeviceWarning(
        "config-both",
        f"Both {chosen} and {other} exist (a migration was started); {chosen} "
        f"is in force because {reason}. Keep {other} until the update is "
        "verified.",
    )


def _mismatch(found: str, expected: str, package: str) -> DeviceWarning:
    if expected == TOML_PATH:
        return DeviceWarning(
            "config-not-imported",
            f"{package} is installed but only {found} exists: the old "
            "configuration was not imported. Import it with "
            "`sudo iotedge config import`, then `sudo iotedge config apply`.",
        )
    return DeviceWarning(
        "config-missing",
        f"{package} is installed but {expected} does not exist (only {found} "
        f"does), so {package} is not configured. Restore {expected} from a "
        "backup, or finish the update to 1.2 or later.",
    )


def _summary(config: ConfigFacts) -> str:
    if config.path is None:
        return "no configuration"
    details = ", ".join(
        part
        for part in (config.provisioning, config.attestation, config.agent_image)
        if part
    )
    return f"{config.path}: {details}" if details else f"{config.path}"
