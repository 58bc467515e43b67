"""The text of the files a simulated device holds: os-release, configs, rules."""

from __future__ import annotations

from collections.abc import Mapping

OS_RELEASES: Mapping[str, str] = {
    "ubuntu-20.04": """\
NAME="Ubuntu"
VERSION="20.04.6 LTS (Focal Fossa)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 20.04.6 LTS"
VERSION_ID="20.04"
VERSION_CODENAME=focal
UBUNTU_CODENAME=focal
""",
    "ubuntu-22.04": """\
PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
""",
    "debian-12": """\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
""",
    "rhel-9": """\
NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
ANSI_COLOR="0;31"
""",
}

LEGACY_TPM_RULE = """\
# give the IoT Edge security daemon access to the TPM
KERNEL=="tpm0", SUBSYSTEM=="tpm", OWNER="iotedge", MODE="0600"
KERNEL=="tpmrm0", SUBSYSTEM=="tpmrm", OWNER="iotedge", MODE="0600"
"""

CURRENT_TPM_RULE = """\
# allow aziottpm access to tpm0 and tpmrm0
KERNEL=="tpm0", SUBSYSTEM=="tpm", OWNER="aziottpm", MODE="0660"
KERNEL=="tpmrm0", SUBSYSTEM=="tpmrm", OWNER="aziottpm", MODE="0660"
"""

DOCKER_DAEMON_JSON = """\
{
    "log-driver": "local",
    "log-opts": {
        "max-size": "10m",
        "max-file": "3"
    }
}
"""

EDGE_POSTINST_NOTE = """\
===============================================================================

                              Azure IoT Edge

  IMPORTANT: Please configure the device with provisioning information.

  To provision with a connection string, run:

    sudo iotedge config mp --connection-string 'HostName=...'

  For every other way, copy /etc/aziot/config.toml.edge.template to
  /etc/aziot/config.toml, fill in the device's details, then run:

    sudo iotedge config apply

==============================================================================="""


def legacy_config_template() -> str:
    """The config.yaml the iotedge 1.1 package ships."""
    return _legacy_config(
        provisioning="""\
provisioning:
  source: "manual"
  device_connection_string: "<ADD DEVICE CONNECTION STRING HERE>"
""",
        hostname="<ADD HOSTNAME HERE>",
        agent_image="mcr.microsoft.com/azureiotedge-agent:1.1",
    )


def legacy_config_dps_tpm(
    *, hostname: str, scope_id: str, registration_id: str, agent_image: str
) -> str:
    """A configured 1.1 config.yaml: DPS with TPM attestation."""
    provisioning = f"""\
# Manual provisioning configuration
# provisioning:
#   source: "manual"
#   device_connection_string: "<ADD DEVICE CONNECTION STRING HERE>"

# DPS TPM provisioning configuration
provisioning:
  source: "dps"
  global_endpoint: "https://global.azure-devices-provisioning.net"
  scope_id: "{scope_id}"
  attestation:
    method: "tpm"
    registration_id: "{registration_id}"
  dynamic_reprovisioning: false
"""
    return _legacy_config(
        provisioning=provisioning, hostname=hostname, agent_image=agent_image
    )


def _legacy_config(*, provisioning: str, hostname: str, agent_image: str) -> str:
    return f"""\
###############################################################################
#                      IoT Edge Daemon configuration
###############################################################################
#
# This file configures the IoT Edge daemon. The daemon reads it when it
# starts: restart it after a change (sudo systemctl restart iotedge).
#
###############################################################################

###############################################################################
# Provisioning mode and settings
###############################################################################

{provisioning}
###############################################################################
# Edge Agent module spec
###############################################################################

agent:
  name: "edgeAgent"
  type: "docker"
  env: {{}}
  config:
    image: "{agent_image}"
    auth: {{}}

###############################################################################
# Edge device hostname
###############################################################################

hostname: "{hostname}"

###############################################################################
# Connect settings
###############################################################################

connect:
  management_uri: "unix:///var/run/iotedge/mgmt.sock"
  workload_uri: "unix:///var/run/iotedge/workload.sock"

###############################################################################
# Listen settings
###############################################################################

listen:
  management_uri: "fd://iotedge.mgmt.socket"
  workload_uri: "fd://iotedge.socket"

###############################################################################
# Home Directory
###############################################################################

homedir: "/var/lib/iotedge"

###############################################################################
# Moby Container Runtime settings
###############################################################################

moby_runtime:
  uri: "unix:///var/run/docker.sock"
#   network: "azure-iot-edge"
"""


def identity_template() -> str:
    """The config.toml.template aziot-identity-service ships."""
    return """\
# ==============================================================================
# Azure IoT Identity Service configuration template
# ==============================================================================
#
# Copy to /etc/aziot/config.toml, fill in the device's provisioning details,
# then run `sudo aziotctl config apply`.

# hostname = "my-device"

# [provisioning]
# source = "manual"
# connection_string = "HostName=...;DeviceId=...;SharedAccessKey=..."
"""


def edge_template(edge_version: str) -> str:
    """The config.toml.edge.template aziot-edge ships (differs per version)."""
    line = ".".join(edge_version.split(".")[:2])
    text = f"""\
# ==============================================================================
# Azure IoT Edge configuration template
# ==============================================================================
#
# Copy this file to /etc/aziot/config.toml, fill in the device's details,
# then run `sudo iotedge config apply`.

# hostname = "my-device"
# auto_reprovisioning_mode = "Dynamic"

# [provisioning]
# source = "manual"
# connection_string = "HostName=...;DeviceId=...;SharedAccessKey=..."

# [agent]
# name = "edgeAgent"
# type = "docker"
# imagePullPolicy = "on-create"
#
# [agent.config]
# image = "mcr.microsoft.com/azureiotedge-agent:{line}"

# [image_garbage_collection]
# enabled = true
# cleanup_recurrence = "1d"
# image_age_cleanup_threshold = "7d"
# cleanup_time = "00:00"
"""
    if edge_version == "1.6.1":
        text += '\n# [moby_runtime]\n# uri = "unix:///var/run/docker.sock"\n'
    return text


def edged_defaults(line: str) -> str:
    """The /etc/aziot/edged/config.toml.default aziot-edge ships."""
    return f"""\
homedir = "/var/lib/aziot/edged"

[agent]
name = "edgeAgent"
type = "docker"

[agent.config]
image = "mcr.microsoft.com/azureiotedge-agent:{line}"

[connect]
workload_uri = "unix:///var/run/iotedge/workload.sock"
management_uri = "unix:///var/run/iotedge/mgmt.sock"

[listen]
workload_uri = "fd://aziot-edged.workload.socket"
management_uri = "fd://aziot-edged.mgmt.socket"
"""


def super_config(
    *, hostname: str, provisioning: str, agent_image: str, extra: str = ""
) -> str:
    """A hand-written /etc/aziot/config.toml with the given provisioning."""
    return f"""\
# Written from config.toml.edge.template by the device's installer.
hostname = "{hostname}"

{provisioning}
[agent]
name = "edgeAgent"
type = "docker"
imagePullPolicy = "on-create"

[agent.config]
image = "{agent_image}"

[agent.config.createOptions]
HostConfig = {{ Binds = ["/srv/iotedge/edgeAgent:/iotedge/storage"] }}

[agent.env]
"storageFolder" = "/iotedge/storage"
{extra}
[connect]
workload_uri = "unix:///var/run/iotedge/workload.sock"
management_uri = "unix:///var/run/iotedge/mgmt.sock"

[listen]
workload_uri = "fd://aziot-edged.workload.socket"
management_uri = "fd://aziot-edged.mgmt.socket"
min_tls_version = "tls1.2"

[moby_runtime]
uri = "unix:///var/run/docker.sock"
network = "azure-iot-edge"
"""


def manual_connection_string(connection_string: str) -> str:
    """The [provisioning] table for manual provisioning with a connection string."""
    return f"""\
[provisioning]
source = "manual"
connection_string = "{connection_string}"
"""


def manual_x509(*, hub: str, device_id: str) -> str:
    """The [provisioning] table for manual provisioning with an X.509 identity."""
    return f"""\
[provisioning]
source = "manual"
iothub_hostname = "{hub}"
device_id = "{device_id}"

[provisioning.authentication]
method = "x509"
identity_cert = "file:///var/aziot/certs/{device_id}.cert.pem"
identity_pk = "file:///var/aziot/secrets/{device_id}.key.pem"
"""


def dps_tpm(*, scope_id: str, registration_id: str) -> str:
    """The [provisioning] table for DPS with TPM attestation."""
    return f"""\
[provisioning]
source = "dps"
global_endpoint = "https://global.azure-devices-provisioning.net/"
id_scope = "{scope_id}"

[provisioning.attestation]
method = "tpm"
registration_id = "{registration_id}"
"""


def dps_symmetric_key(*, scope_id: str, registration_id: str, key: str) -> str:
    """The [provisioning] table for DPS with a symmetric key."""
    return f"""\
[provisioning]
source = "dps"
global_endpoint = "https://global.azure-devices-provisioning.net/"
id_scope = "{scope_id}"

[provisioning.attestation]
method = "symmetric_key"
registration_id = "{registration_id}"
symmetric_key = {{ value = "{key}" }}
"""
