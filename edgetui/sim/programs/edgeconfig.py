"""IoT Edge configuration: `config import` (config.yaml -> config.toml) and
the per-service files `config apply` writes.

Pure functions over parsed documents and text, so the simulated device, the
lab packages and the tests use the same conversion.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from edgetui.sim import tomltext

LEGACY_CONFIG = "/etc/iotedge/config.yaml"
SUPER_CONFIG = "/etc/aziot/config.toml"
LEGACY_MASTER_KEY = (
    "/var/lib/iotedge/hsm/enc_keys/"
    "edgelet-masterWt5mT2xpO72EPKlt2Tt0Sq4uJCrMvfl2rzzKRB3pnyo_.enc.key"
)
DEVICE_ID_KEY = "/var/secrets/aziot/keyd/device-id"
IMPORTED_MASTER_KEY = "/var/secrets/aziot/keyd/imported-master-encryption-key"
SERVICES = ("keyd", "certd", "identityd", "tpmd", "edged")
SERVICE_OWNERS = {
    "keyd": "aziotks",
    "certd": "aziotcs",
    "identityd": "aziotid",
    "tpmd": "aziottpm",
    "edged": "iotedge",
}
_PRINCIPAL_UIDS = {"aziot-edged": 995, "aziotid": 996, "aziotcs": 997}
_LISTEN_RENAMES = {
    "fd://iotedge.mgmt.socket": "fd://aziot-edged.mgmt.socket",
    "fd://iotedge.socket": "fd://aziot-edged.workload.socket",
}


class ConfigError(ValueError):
    """The configuration cannot be converted or applied; the message says why."""


def applied_path(service: str) -> str:
    """The file `config apply` writes for one service."""
    return f"/etc/aziot/{service}/config.d/00-super.toml"


# config import ---------------------------------------------------------------


def import_legacy(
    old: Any, *, default_agent_image: str, master_key_present: bool
) -> str:
    """Converts a parsed 1.0/1.1 config.yaml into config.toml text.

    Args:
        old: the parsed YAML document.
        default_agent_image: the agent image when the old file names none.
        master_key_present: the 1.1 master encryption key file exists, so
            the new services import it.

    Returns:
        The super-config text.

    Raises:
        ConfigError: the old configuration cannot be imported.
    """
    if not isinstance(old, dict):
        raise ConfigError("the document is not a mapping")
    top = _import_top(old, master_key_present)
    sections = [
        _lines(top),
        _import_provisioning(_mapping(old, "provisioning")),
        "[aziot_keys]\n",
        "[preloaded_keys]\n",
        "[cert_issuance]\n",
        "[preloaded_certs]\n",
        "[tpm]\n",
        _import_agent(_mapping(old, "agent"), default_agent_image),
        _import_connect_listen(old),
        _import_watchdog(old),
        _import_edge_ca(_mapping(old, "certificates")),
        _import_moby(_mapping(old, "moby_runtime")),
    ]
    return "\n".join(section for section in sections if section)


def _mapping(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a mapping")
    return value


def _lines(values: Mapping[str, Any]) -> str:
    return "".join(
        f"{tomltext.key_text(key)} = {tomltext.dumps_value(value)}\n"
        for key, value in values.items()
        if value is not None
    )


def _table(name: str, values: Mapping[str, Any]) -> str:
    return f"[{name}]\n" + _lines(values)


def _import_top(old: Mapping[str, Any], master_key_present: bool) -> dict[str, Any]:
    provisioning = _mapping(old, "provisioning")
    if provisioning.get("dynamic_reprovisioning"):
        mode = "Dynamic"
    elif provisioning.get("always_reprovision_on_startup"):
        mode = "AlwaysOnStartup"
    else:
        mode = "OnErrorOnly"
    certificates = _mapping(old, "certificates")
    top: dict[str, Any] = {
        "auto_reprovisioning_mode": mode,
        "hostname": str(old.get("hostname") or "localhost"),
        "imported_master_encryption_key": LEGACY_MASTER_KEY
        if master_key_present
        else None,
        "prefer_module_identity_cache": False,
        "trust_bundle_cert": _file_uri(certificates.get("trusted_ca_certs")),
    }
    return top


def _file_uri(value: Any) -> str | None:
    if not value:
        return None
    text = str(value)
    return text if "://" in text else "file://" + text


def _import_provisioning(provisioning: Mapping[str, Any]) -> str:
    source = provisioning.get("source")
    if source == "manual":
        return _import_manual(provisioning)
    if source == "dps":
        return _import_dps(provisioning)
    if source == "external":
        raise ConfigError("external provisioning is not supported.")
    raise ConfigError(f"unknown provisioning source {source!r}")


def _import_manual(provisioning: Mapping[str, Any]) -> str:
    connection_string = provisioning.get("device_connection_string")
    if connection_string is not None:
        parts = parse_connection_string(str(connection_string))
        head = _table(
            "provisioning",
            {
                "source": "manual",
                "iothub_hostname": parts["HostName"],
                "device_id": parts["DeviceId"],
            },
        )
        auth = "[provisioning.authentication]\n" + _lines(
            {"method": "sas", "device_id_pk": {"value": parts["SharedAccessKey"]}}
        )
        return head + "\n" + auth
    authentication = _mapping(provisioning, "authentication")
    if authentication.get("method") != "x509":
        raise ConfigError("manual provisioning needs a connection string or x509")
    head = _table(
        "provisioning",
        {
            "source": "manual",
            "iothub_hostname": authentication.get("iothub_hostname"),
            "device_id": authentication.get("device_id"),
        },
    )
    auth = "[provisioning.authentication]\n" + _lines(
        {
            "method": "x509",
            "identity_cert": _file_uri(authentication.get("identity_cert")),
            "identity_pk": _file_uri(authentication.get("identity_pk")),
        }
    )
    return head + "\n" + auth


def parse_connection_string(text: str) -> dict[str, str]:
    """Splits `HostName=...;DeviceId=...;SharedAccessKey=...` into its parts.

    Raises:
        ConfigError: a part is missing or the key is not base64.
    """
    parts: dict[str, str] = {}
    for item in text.split(";"):
        key, separator, value = item.partition("=")
        if separator:
            parts[key.strip()] = value.strip()
    for required in ("HostName", "DeviceId", "SharedAccessKey"):
        if not parts.get(required):
            raise ConfigError(f"the device connection string has no {required}")
    try:
        base64.b64decode(parts["SharedAccessKey"], validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("the SharedAccessKey is not valid base64") from None
    return parts


def _import_dps(provisioning: Mapping[str, Any]) -> str:
    scope = provisioning.get("scope_id")
    if not scope:
        raise ConfigError("DPS provisioning needs scope_id")
    head = _table(
        "provisioning",
        {
            "source": "dps",
            "global_endpoint": provisioning.get(
                "global_endpoint", "https://global.azure-devices-provisioning.net"
            ),
            "id_scope": scope,
        },
    )
    attestation = _mapping(provisioning, "attestation")
    method = attestation.get("method")
    values: dict[str, Any] = {"method": method}
    if method == "tpm":
        if not attestation.get("registration_id"):
            raise ConfigError("registration ID is currently required")
        values["registration_id"] = attestation["registration_id"]
    elif method == "symmetric_key":
        values["registration_id"] = attestation.get("registration_id")
        values["symmetric_key"] = {"value": attestation.get("symmetric_key")}
    elif method == "x509":
        values["registration_id"] = attestation.get("registration_id")
        values["identity_cert"] = _file_uri(attestation.get("identity_cert"))
        values["identity_pk"] = _file_uri(attestation.get("identity_pk"))
    else:
        raise ConfigError(f"unknown DPS attestation method {method!r}")
    return head + "\n" + "[provisioning.attestation]\n" + _lines(values)


def _import_agent(agent: Mapping[str, Any], default_image: str) -> str:
    config = agent.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError("agent.config must be a mapping")
    head = _table(
        "agent",
        {
            "name": agent.get("name", "edgeAgent"),
            "type": agent.get("type", "docker"),
            "imagePullPolicy": agent.get("imagePullPolicy", "on-create"),
        },
    )
    parts = [
        head,
        _table("agent.config", {"image": config.get("image") or default_image}),
        _table("agent.config.createOptions", _as_mapping(config.get("createOptions"))),
        _table("agent.config.auth", _as_mapping(config.get("auth"))),
        _table("agent.env", _as_mapping(agent.get("env"))),
    ]
    return "\n".join(parts)


def _as_mapping(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"expected a mapping, found {value!r}")
    return {str(key): item for key, item in value.items() if item is not None}


def _import_connect_listen(old: Mapping[str, Any]) -> str:
    connect = _mapping(old, "connect")
    listen = _mapping(old, "listen")
    listened: dict[str, Any] = {}
    for key, default in (
        ("workload_uri", "fd://aziot-edged.workload.socket"),
        ("management_uri", "fd://aziot-edged.mgmt.socket"),
    ):
        value = str(listen.get(key) or default)
        if value.startswith("fd://"):
            if value not in _LISTEN_RENAMES and value != default:
                raise ConfigError(f"unexpected value of listen.{key}: {value}")
            value = _LISTEN_RENAMES.get(value, value)
        listened[key] = value
    listened["min_tls_version"] = listen.get("min_tls_version", "tls1.0")
    connected = {
        "workload_uri": connect.get(
            "workload_uri", "unix:///var/run/iotedge/workload.sock"
        ),
        "management_uri": connect.get(
            "management_uri", "unix:///var/run/iotedge/mgmt.sock"
        ),
    }
    return _table("connect", connected) + "\n" + _table("listen", listened)


def _import_watchdog(old: Mapping[str, Any]) -> str:
    watchdog = _mapping(old, "watchdog")
    return _table("watchdog", {"max_retries": watchdog.get("max_retries", "infinite")})


def _import_edge_ca(certificates: Mapping[str, Any]) -> str:
    cert = certificates.get("device_ca_cert")
    if cert:
        return _table(
            "edge_ca",
            {
                "cert": _file_uri(cert),
                "pk": _file_uri(certificates.get("device_ca_pk")),
            },
        )
    days = certificates.get("auto_generated_ca_lifetime_days", 90)
    return _table("edge_ca", {"auto_generated_edge_ca_expiry_days": days})


def _import_moby(moby: Mapping[str, Any]) -> str:
    network = moby.get("network", "azure-iot-edge")
    uri = moby.get("uri", "unix:///var/run/docker.sock")
    if isinstance(network, dict):
        head = _table("moby_runtime", {"uri": uri})
        return head + "\n" + _table("moby_runtime.network", network)
    return _table("moby_runtime", {"uri": uri, "network": network})


# config apply ----------------------------------------------------------------


class AppliedConfig:
    """What `config apply` writes for one super-config.

    Attributes:
        files: device path -> text of each service's 00-super.toml.
        secrets: device path -> bytes of the key files written beside them.
        notes: the `Note:` lines apply prints first.
        hostname: the hostname the identity service gets.
    """

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.secrets: dict[str, bytes] = {}
        self.notes: list[str] = []
        self.hostname = "localhost"


def apply_config(config: Mapping[str, Any], *, read_key: Any = None) -> AppliedConfig:
    """Works out the per-service files for a parsed super-config.

    Args:
        config: the parsed config.toml.
        read_key: called with a device path, returns the bytes of the
            imported master encryption key (only when the config names one).

    Raises:
        ConfigError: the configuration is incomplete or inconsistent.
    """
    result = AppliedConfig()
    result.hostname = str(config.get("hostname") or "localhost")
    provisioning = config.get("provisioning")
    if not isinstance(provisioning, dict) or "source" not in provisioning:
        raise ConfigError("missing field `provisioning`")
    preloaded: dict[str, str] = {}
    identity = _identity_provisioning(provisioning, preloaded, result)
    imported = config.get("imported_master_encryption_key")
    if imported:
        if read_key is None:
            raise ConfigError(f"could not read {imported}")
        result.secrets[IMPORTED_MASTER_KEY] = read_key(str(imported))
        preloaded["iotedge_master_encryption_id"] = "file://" + IMPORTED_MASTER_KEY
        result.notes.append(
            "Note: Imported master encryption key will be written to "
            + IMPORTED_MASTER_KEY
        )
    result.files[applied_path("keyd")] = _keyd_text(preloaded)
    result.files[applied_path("certd")] = _certd_text(provisioning)
    result.files[applied_path("identityd")] = _identityd_text(result.hostname, identity)
    result.files[applied_path("tpmd")] = _tpmd_text(config.get("tpm") or {})
    result.files[applied_path("edged")] = _edged_text(config, result.hostname)
    return result


def _identity_provisioning(
    provisioning: Mapping[str, Any], preloaded: dict[str, str], result: AppliedConfig
) -> dict[str, Any]:
    source = provisioning["source"]
    if source == "manual":
        return _manual_identity(provisioning, preloaded, result)
    if source == "dps":
        return _dps_identity(provisioning, preloaded, result)
    if source == "none":
        return {"source": "none"}
    raise ConfigError(f"unknown provisioning source {source!r}")


def _manual_identity(
    provisioning: Mapping[str, Any], preloaded: dict[str, str], result: AppliedConfig
) -> dict[str, Any]:
    connection_string = provisioning.get("connection_string")
    if connection_string:
        parts = parse_connection_string(str(connection_string))
        hub, device, auth = (
            parts["HostName"],
            parts["DeviceId"],
            {
                "method": "sas",
                "device_id_pk": {"value": parts["SharedAccessKey"]},
            },
        )
    else:
        hub = str(provisioning.get("iothub_hostname") or "")
        device = str(provisioning.get("device_id") or "")
        auth = provisioning.get("authentication") or {}
        if not hub or not device:
            raise ConfigError("manual provisioning needs iothub_hostname and device_id")
    return {
        "source": "manual",
        "iothub_hostname": hub,
        "device_id": device,
        "authentication": _authentication(auth, preloaded, result),
    }


def _authentication(
    auth: Mapping[str, Any], preloaded: dict[str, str], result: AppliedConfig
) -> dict[str, Any]:
    method = auth.get("method")
    if method == "sas":
        key = auth.get("device_id_pk") or {}
        _preload_symmetric_key(key, preloaded, result)
        return {"method": "sas", "device_id_pk": "device-id"}
    if method == "x509":
        preloaded["device-id"] = str(auth.get("identity_pk"))
        return {
            "method": "x509",
            "identity_cert": "device-id",
            "identity_pk": "device-id",
        }
    raise ConfigError(f"unknown authentication method {method!r}")


def _preload_symmetric_key(
    key: Any, preloaded: dict[str, str], result: AppliedConfig
) -> None:
    if isinstance(key, dict) and "value" in key:
        try:
            result.secrets[DEVICE_ID_KEY] = base64.b64decode(str(key["value"]))
        except (binascii.Error, ValueError):
            raise ConfigError("the symmetric key is not valid base64") from None
        preloaded["device-id"] = "file://" + DEVICE_ID_KEY
        result.notes.append(f"Note: Symmetric key will be written to {DEVICE_ID_KEY}")
    elif isinstance(key, dict) and "uri" in key:
        preloaded["device-id"] = str(key["uri"])
    else:
        raise ConfigError("the symmetric key needs `value` or `uri`")


def _dps_identity(
    provisioning: Mapping[str, Any], preloaded: dict[str, str], result: AppliedConfig
) -> dict[str, Any]:
    attestation = dict(provisioning.get("attestation") or {})
    method = attestation.get("method")
    if method == "symmetric_key":
        _preload_symmetric_key(
            attestation.pop("symmetric_key", None), preloaded, result
        )
        attestation["symmetric_key"] = "device-id"
    elif method == "x509":
        preloaded["device-id"] = str(attestation.get("identity_pk"))
        attestation["identity_cert"] = "device-id"
        attestation["identity_pk"] = "device-id"
    elif method != "tpm":
        raise ConfigError(f"unknown DPS attestation method {method!r}")
    if not provisioning.get("id_scope"):
        raise ConfigError("DPS provisioning needs id_scope")
    return {
        "source": "dps",
        "global_endpoint": provisioning.get(
            "global_endpoint", "https://global.azure-devices-provisioning.net/"
        ),
        "scope_id": provisioning["id_scope"],
        "attestation": attestation,
    }


def _keyd_text(preloaded: Mapping[str, str]) -> str:
    text = _table("aziot_keys", {"homedir_path": "/var/lib/aziot/keyd"})
    text += "\n" + _table("preloaded_keys", dict(sorted(preloaded.items())))
    for name, uid in sorted(_PRINCIPAL_UIDS.items()):
        text += "\n" + _table("[principal]", {"uid": uid, "keys": [name, "*"]})
    return text


def _certd_text(provisioning: Mapping[str, Any]) -> str:
    certs: dict[str, Any] = {}
    auth = provisioning.get("authentication") or provisioning.get("attestation") or {}
    if isinstance(auth, dict) and auth.get("method") == "x509":
        certs["device-id"] = str(auth.get("identity_cert"))
    text = _lines({"homedir_path": "/var/lib/aziot/certd"})
    text += "\n" + _table("cert_issuance", {})
    text += "\n" + _table("preloaded_certs", certs)
    return text


def _identityd_text(hostname: str, identity: Mapping[str, Any]) -> str:
    text = _lines(
        {
            "hostname": hostname,
            "homedir": "/var/lib/aziot/identityd",
            "prefer_module_identity_cache": False,
        }
    )
    nested = {k: v for k, v in identity.items() if isinstance(v, dict)}
    flat = {k: v for k, v in identity.items() if not isinstance(v, dict)}
    text += "\n" + _table("provisioning", flat)
    for key, value in nested.items():
        text += "\n" + _table(f"provisioning.{key}", value)
    text += "\n" + _table(
        "[principal]", {"uid": _PRINCIPAL_UIDS["aziot-edged"], "name": "aziot-edged"}
    )
    return text


def _tpmd_text(tpm: Mapping[str, Any]) -> str:
    shared = {"tcti": tpm.get("tcti", "device")}
    text = _table("shared", shared)
    text += "\n" + _lines({"auth_key_index": tpm.get("auth_key_index", 0x10000)})
    return text


def _edged_text(config: Mapping[str, Any], hostname: str) -> str:
    agent = config.get("agent") or {}
    agent_config = agent.get("config") or {}
    text = _lines(
        {
            "hostname": hostname,
            "homedir": "/var/lib/aziot/edged",
            "allow_elevated_docker_permissions": config.get(
                "allow_elevated_docker_permissions", True
            ),
        }
    )
    text += "\n" + _table(
        "agent",
        {
            "name": agent.get("name", "edgeAgent"),
            "type": agent.get("type", "docker"),
            "imagePullPolicy": agent.get("imagePullPolicy", "on-create"),
        },
    )
    text += "\n" + _table(
        "agent.config",
        {
            "image": agent_config.get("image"),
            "createOptions": agent_config.get("createOptions") or {},
        },
    )
    text += "\n" + _table("agent.env", dict(agent.get("env") or {}))
    for section in ("connect", "listen", "watchdog", "edge_ca", "moby_runtime"):
        values = config.get(section)
        if isinstance(values, dict):
            flat = {k: v for k, v in values.items() if not isinstance(v, dict)}
            text += "\n" + _table(section, flat)
    return text
