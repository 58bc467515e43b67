"""The IoT Edge configuration files: what they say and which secrets they hold.

1.0/1.1 read `/etc/iotedge/config.yaml`; 1.2+ read the super-config
`/etc/aziot/config.toml`. Summaries keep only what planning needs
(provisioning, attestation, agent image); every secret found on the way is
returned so the caller can register it for redaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tomlkit
import tomlkit.exceptions
import yaml

TOML_PATH = "/etc/aziot/config.toml"
"""The 1.2+ super-config."""

YAML_PATH = "/etc/iotedge/config.yaml"
"""The 1.0/1.1 configuration."""

_SECRET_KEYS = frozenset(
    {"connection_string", "device_connection_string", "password", "token"}
)
_SECRET_TABLES = frozenset({"device_id_pk", "symmetric_key"})
_TEXT_SECRETS = (
    re.compile(r"HostName=[^\"'\s]*SharedAccessKey=[^\"'\s;]+[^\"'\s]*"),
    re.compile(r"SharedAccessKey=([^\"'\s;]+)"),
    re.compile(r"pin-value=([^\"'\s;&]+)"),
    re.compile(r"://[^/\s:@\"']+:([^@\s/\"']+)@"),
)


class ConfigSyntaxError(ValueError):
    """The file is not valid YAML or TOML, or not a table of settings.

    The message names the problem and its line, never the line's content
    (which may hold a secret).
    """


@dataclass(frozen=True)
class ConfigSummary:
    """What a configuration file says about provisioning and the runtime.

    Attributes:
        provisioning: `manual`, `dps`, `none` or `external`.
        attestation: `tpm`, `x509`, `symmetric_key` for DPS; `sas` or `x509`
            for manual provisioning.
        agent_image: the edgeAgent image the daemon starts.
        secrets: values that must never be shown or recorded.
    """

    provisioning: str | None = None
    attestation: str | None = None
    agent_image: str | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)


def summarize_yaml(text: str) -> ConfigSummary:
    """Summarizes a 1.0/1.1 `config.yaml`.

    Args:
        text: the file content.

    Returns:
        The summary.

    Raises:
        ConfigSyntaxError: not YAML, or not a mapping of settings.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigSyntaxError(_yaml_problem(error)) from None
    settings = _as_table(data, "the file")
    provisioning = _as_table(settings.get("provisioning"), "provisioning")
    source = _text(provisioning.get("source"))
    return ConfigSummary(
        provisioning=source,
        attestation=_yaml_attestation(source, provisioning),
        agent_image=_agent_image(settings),
        secrets=tuple(find_secrets(settings)),
    )


def _yaml_attestation(source: str | None, provisioning: dict[str, Any]) -> str | None:
    if source == "dps":
        attestation = _as_table(provisioning.get("attestation"), "attestation")
        return _text(attestation.get("method"))
    if source != "manual":
        return None
    authentication = _as_table(provisioning.get("authentication"), "authentication")
    method = _text(authentication.get("method"))
    if method:
        return method
    return "sas" if provisioning.get("device_connection_string") else None


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        problem = error.problem or error.context or "not valid YAML"
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
        return problem
    return "not valid YAML"


def summarize_toml(text: str) -> ConfigSummary:
    """Summarizes a 1.2+ `config.toml` super-config.

    Args:
        text: the file content.

    Returns:
        The summary.

    Raises:
        ConfigSyntaxError: not TOML.
    """
    try:
        settings = tomlkit.parse(text).unwrap()
    except tomlkit.exceptions.TOMLKitError as error:
        raise ConfigSyntaxError(_toml_problem(error)) from None
    provisioning = _as_table(settings.get("provisioning"), "provisioning")
    source = _text(provisioning.get("source"))
    return ConfigSummary(
        provisioning=source,
        attestation=_toml_attestation(source, provisioning),
        agent_image=_agent_image(settings),
        secrets=tuple(find_secrets(settings)),
    )


def _toml_attestation(source: str | None, provisioning: dict[str, Any]) -> str | None:
    if source == "dps":
        attestation = _as_table(provisioning.get("attestation"), "attestation")
        return _text(attestation.get("method"))
    if source != "manual":
        return None
    if provisioning.get("connection_string"):
        return "sas"
    authentication = _as_table(provisioning.get("authentication"), "authentication")
    return _text(authentication.get("method"))


def _toml_problem(error: tomlkit.exceptions.TOMLKitError) -> str:
    if isinstance(error, tomlkit.exceptions.ParseError):
        problem = str(error).split(" at line ")[0]
        return f"{problem} at line {error.line}, column {error.col}"
    return str(error).splitlines()[0] if str(error) else "not valid TOML"


def _agent_image(settings: dict[str, Any]) -> str | None:
    agent = _as_table(settings.get("agent"), "agent")
    return _text(_as_table(agent.get("config"), "agent.config").get("image"))


def _as_table(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = type(value).__name__
        raise ConfigSyntaxError(f"{name} should be a table of settings, not {kind}")
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def find_secrets(settings: Any, parent: str = "") -> Iterator[str]:
    """Yields every secret value in parsed settings.

    Secrets are connection strings, passwords, tokens, symmetric keys
    (`device_id_pk = { value = ... }`, `symmetric_key`), TPM hierarchy
    authorization values, and anything `find_text_secrets` recognises.
    Template placeholders such as `<ADD DEVICE CONNECTION STRING HERE>` are
    not secrets.

    Args:
        settings: a parsed YAML or TOML document (dicts, lists, scalars).
        parent: the key that holds `settings` (used while recursing).
    """
    if isinstance(settings, dict):
        for key, value in settings.items():
            name = str(key).lower()
            if isinstance(value, (dict, list)):
                yield from find_secrets(value, name)
            elif isinstance(value, str) and _is_secret(name, parent, value):
                yield value
                yield from find_text_secrets(value)
    elif isinstance(settings, list):
        for item in settings:
            yield from find_secrets(item, parent)
    elif isinstance(settings, str):
        yield from find_text_secrets(settings)


def _is_secret(name: str, parent: str, value: str) -> bool:
    if not value or (value.startswith("<") and value.endswith(">")):
        return False
    if name in _SECRET_KEYS or name == "symmetric_key":
        return True
    if parent in _SECRET_TABLES and name == "value":
        return True
    if parent == "hierarchy_authorization":
        return True
    return any(pattern.search(value) for pattern in _TEXT_SECRETS)


def find_text_secrets(text: str) -> Iterator[str]:
    """Yields secrets recognisable in raw text, even in a malformed file.

    These are whole connection strings, `SharedAccessKey=` values and PKCS#11
    `pin-value=` values.
    """
    for pattern in _TEXT_SECRETS:
        for match in pattern.finditer(text):
            yield match.group(match.lastindex or 0)
