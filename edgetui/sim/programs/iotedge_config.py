"""`iotedge config import|apply|mp` (1.2 and later)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from edgetui.sim import tomltext, yamltext
from edgetui.sim.programs import edgeconfig, iotedge_system
from edgetui.sim.programs.common import on_real_root, pause, say
from edgetui.sim.programs.dockerapi import DockerApiError
from edgetui.sim.programs.iotedge import Edge, UsageError, command_failed
from edgetui.sim.programs.iotedge_modules import EDGE_OWNER_LABEL

_NOT_ROOT = "this command must be run as root"


def config(edge: Edge, args: list[str]) -> int:
    """Dispatches `iotedge config SUBCOMMAND`."""
    if not args:
        raise UsageError("config")
    command, rest = args[0], args[1:]
    if command == "import":
        return import_config(edge, rest)
    if command == "apply":
        return apply(edge, rest)
    if command == "mp":
        return manual_provisioning(edge, rest)
    raise UsageError(command)


def _flags(
    args: list[str], values: dict[str, str], switches: set[str]
) -> dict[str, str]:
    """Reads `-x VALUE`, `--long VALUE`, `--long=VALUE` and switches."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args):
        name, has_value, value = args[index].partition("=")
        if name in switches:
            found[switches_key(name)] = "1"
        elif name in values:
            if not has_value:
                index += 1
                if index >= len(args):
                    raise UsageError(name)
                value = args[index]
            found[values[name]] = value
        else:
            raise UsageError(args[index])
        index += 1
    return found


def switches_key(name: str) -> str:
    """The option key for a switch: `-f` and `--force` are both `force`."""
    return "force" if name in ("-f", "--force") else name.lstrip("-")


def _must_be_root() -> bool:
    return on_real_root() and os.geteuid() != 0


def import_config(edge: Edge, args: list[str]) -> int:
    """`iotedge config import [-c OLD] [-o NEW] [--force]`."""
    options = _flags(
        args,
        {
            "-c": "input",
            "--config-file": "input",
            "-o": "output",
            "--out-config-file": "output",
        },
        {"-f", "--force"},
    )
    source = options.get("input", edgeconfig.LEGACY_CONFIG)
    target = options.get("output", edgeconfig.SUPER_CONFIG)
    if _must_be_root():
        return command_failed(f"Command failed: {_NOT_ROOT}")
    if edge.file(target).exists() and "force" not in options:
        _already_configured(target, "import")
        return 1
    try:
        old_text = edge.file(source).read_text(encoding="utf-8")
    except OSError:
        return command_failed(
            f"Command failed: there is no old config at {source} available to migrate"
        )
    try:
        text = edgeconfig.import_legacy(
            yamltext.loads(old_text),
            default_agent_image=f"mcr.microsoft.com/azureiotedge-agent:{edge.line}",
            master_key_present=edge.file(edgeconfig.LEGACY_MASTER_KEY).exists(),
        )
    except yamltext.YamlError as problem:
        return command_failed(f"Command failed: could not parse {source}: {problem}")
    except edgeconfig.ConfigError as problem:
        return command_failed(f"Command failed: {problem}")
    _write_config(edge, target, text)
    _configured(target)
    return 0


def manual_provisioning(edge: Edge, args: list[str]) -> int:
    """`iotedge config mp -c CONNECTION_STRING [-o FILE] [--force]`."""
    options = _flags(
        args,
        {
            "-c": "connection_string",
            "--connection-string": "connection_string",
            "-o": "output",
            "--out-config-file": "output",
        },
        {"-f", "--force"},
    )
    target = options.get("output", edgeconfig.SUPER_CONFIG)
    if "connection_string" not in options:
        raise UsageError("--connection-string")
    if _must_be_root():
        return command_failed(f"Command failed: {_NOT_ROOT}")
    if edge.file(target).exists() and "force" not in options:
        _already_configured(target, "mp")
        return 1
    try:
        edgeconfig.parse_connection_string(options["connection_string"])
    except edgeconfig.ConfigError as problem:
        return command_failed(f"Command failed: {problem}")
    text = (
        f'[provisioning]\nsource = "manual"\nconnection_string = '
        f"{tomltext.quote(options['connection_string'])}\n"
    )
    _write_config(edge, target, text)
    _configured(target)
    say()
    say("WARNING: This configuration is not suitable when using IoT Edge as a gateway.")
    return 0


def _write_config(edge: Edge, target: str, text: str) -> None:
    path = edge.file(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.new")
    temp.write_text(text, encoding="utf-8")
    os.chmod(temp, 0o600)
    os.replace(temp, path)


def _already_configured(target: str, command: str) -> None:
    say(f"File {target} already exists. Azure IoT Edge has already been configured.")
    say()
    say("To have the configuration take effect, run:")
    say()
    say("    sudo iotedge config apply")
    say()
    say("To reconfigure IoT Edge, run:")
    say()
    say(f"    sudo iotedge config {command} --force")


def _configured(target: str) -> None:
    say("Azure IoT Edge has been configured successfully!")
    say(f"The configuration has been written to {target}")
    say("To apply the new configuration to services, run:")
    say()
    say(f"    sudo iotedge config apply -c '{target}'")


class CommandFailedError(Exception):
    """`iotedge` stops with `Command failed: ...` and the causes below it."""

    def __init__(self, message: str, causes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.causes = list(causes)


def apply(edge: Edge, args: list[str]) -> int:
    """`iotedge config apply [-c FILE]`: write each service's config, restart."""
    options = _flags(args, {"-c": "input", "--config-file": "input"}, set())
    source = options.get("input", edgeconfig.SUPER_CONFIG)
    try:
        applied = _load(edge, source)
    except CommandFailedError as failure:
        return command_failed(str(failure), failure.causes)
    _write_applied(edge, applied)
    say("Azure IoT Edge has been configured successfully!")
    say()
    say("Restarting service for configuration to take effect...")
    if iotedge_system.restart() != 0:
        return 1
    say("Done.")
    return 0


def _load(edge: Edge, source: str) -> edgeconfig.AppliedConfig:
    if _must_be_root():
        raise CommandFailedError(f"Command failed: {_NOT_ROOT}")
    try:
        text = edge.file(source).read_text(encoding="utf-8")
    except OSError as problem:
        raise CommandFailedError(
            f"Command failed: could not read config file {source}",
            [f"{problem.strerror} (os error {problem.errno})"],
        ) from None
    try:
        applied = edgeconfig.apply_config(
            tomltext.loads(text), read_key=lambda path: edge.file(path).read_bytes()
        )
    except tomltext.TomlError as problem:
        raise CommandFailedError(
            f"Command failed: could not parse {source}: {problem}"
        ) from None
    except (edgeconfig.ConfigError, OSError) as problem:
        raise CommandFailedError(f"Command failed: {problem}") from None
    refusal = _hostname_change(edge, applied.hostname)
    if refusal:
        raise CommandFailedError(refusal)
    return applied


def _write_applied(edge: Edge, applied: edgeconfig.AppliedConfig) -> None:
    if not edge.file(edgeconfig.applied_path("identityd")).exists():
        say("Warning: the previous identity config file is unreadable")
    for note in applied.notes:
        say(note)
    for path, data in applied.secrets.items():
        target = edge.file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(target.parent, 0o700)
        target.write_bytes(data)
        os.chmod(target, 0o600)
    for path, body in applied.files.items():
        _write_config(edge, path, body)
    pause(0.5)
    sys.stdout.flush()


def _hostname_change(edge: Edge, hostname: str) -> str | None:
    """The refusal `config apply` prints when the hostname changes under modules."""
    try:
        previous = tomltext.loads(
            edge.file(edgeconfig.applied_path("identityd")).read_text(encoding="utf-8")
        ).get("hostname")
    except (OSError, ValueError):
        return None
    if not previous or previous == hostname:
        return None
    try:
        modules = edge.docker().containers(label=EDGE_OWNER_LABEL)
    except DockerApiError:
        return None
    if not modules:
        return None
    return (
        f"Cannot apply config because the hostname in the config {previous} is "
        f"different from the previous hostname {hostname}. To update the hostname, "
        "run the following command which deletes all modules and reapplies the "
        "configuration. Or, revert the hostname change in the config.toml file.\n"
        "    sudo iotedge system stop && sudo docker rm -f $(sudo docker ps -aq -f "
        '"label=net.azure-devices.edge.owner=Microsoft.Azure.Devices.Edge.Agent") '
        "&& sudo iotedge config apply\n"
        "Warning: Data stored in the modules is lost when above command is executed."
    )
