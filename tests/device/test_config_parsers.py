"""The config.yaml and config.toml summaries, and the secrets found in them."""

from __future__ import annotations

import pytest

from edgetui.device.config import (
    ConfigSyntaxError,
    find_text_secrets,
    summarize_toml,
    summarize_yaml,
)

from .data import data_text


@pytest.mark.parametrize(
    ("sample", "provisioning", "attestation", "image"),
    [
        ("legacy-manual.yaml", "manual", "sas", "azureiotedge-agent:1.1"),
        ("legacy-placeholder.yaml", "manual", "sas", "azureiotedge-agent:1.1"),
        ("legacy-dps-tpm.yaml", "dps", "tpm", "azureiotedge-agent:1.1.19"),
        ("legacy-dps-symmetric.yaml", "dps", "symmetric_key", "azureiotedge-agent:1.0"),
        ("legacy-manual-x509.yaml", "manual", "x509", "azureiotedge-agent:1.1"),
        ("legacy-external.yaml", "external", None, "azureiotedge-agent:1.1"),
    ],
)
def test_yaml_gives_provisioning_attestation_and_agent_image(
    sample: str, provisioning: str, attestation: str | None, image: str
) -> None:
    """config.yaml's provisioning block and agent image are read as 1.1 wrote them."""
    summary = summarize_yaml(data_text(f"config/{sample}"))

    assert summary.provisioning == provisioning
    assert summary.attestation == attestation
    assert summary.agent_image == f"mcr.microsoft.com/{image}"


@pytest.mark.parametrize(
    ("sample", "provisioning", "attestation", "image"),
    [
        ("manual-connection-string.toml", "manual", "sas", "azureiotedge-agent:1.4"),
        ("manual-device-id-pk.toml", "manual", "sas", "azureiotedge-agent:1.5.21"),
        ("dps-tpm.toml", "dps", "tpm", "azureiotedge-agent:1.0"),
        ("dps-symmetric.toml", "dps", "symmetric_key", "azureiotedge-agent:1.4"),
        ("dps-x509-pkcs11.toml", "dps", "x509", "azureiotedge-agent:1.5"),
    ],
)
def test_toml_gives_provisioning_attestation_and_agent_image(
    sample: str, provisioning: str, attestation: str, image: str
) -> None:
    """config.toml's [provisioning] tables and [agent.config] image are read."""
    summary = summarize_toml(data_text(f"config/{sample}"))

    assert summary.provisioning == provisioning
    assert summary.attestation == attestation
    assert summary.agent_image == f"mcr.microsoft.com/{image}"


def test_toml_without_provisioning_or_agent_gives_nothing() -> None:
    """`source = "none"` has no attestation, and no agent table means no image."""
    summary = summarize_toml(data_text("config/source-none.toml"))

    assert (summary.provisioning, summary.attestation, summary.agent_image) == (
        "none",
        None,
        None,
    )


def test_empty_yaml_gives_an_empty_summary() -> None:
    """An empty config.yaml is valid YAML with nothing in it."""
    summary = summarize_yaml(data_text("config/empty.yaml"))

    assert (summary.provisioning, summary.agent_image) == (None, None)


@pytest.mark.parametrize(
    ("sample", "problem"),
    [
        ("malformed.yaml", "found '<block mapping start>' at line 4, column 5"),
        ("not-a-mapping.yaml", "the file should be a table of settings, not str"),
        ("provisioning-list.yaml", "provisioning should be a table of settings"),
    ],
)
def test_malformed_yaml_names_the_problem_and_line(sample: str, problem: str) -> None:
    """A YAML error says what and where, without quoting the line."""
    with pytest.raises(ConfigSyntaxError) as raised:
        summarize_yaml(data_text(f"config/{sample}"))

    assert problem in str(raised.value)
    assert "SharedAccessKey" not in str(raised.value)


@pytest.mark.parametrize(
    ("sample", "problem"),
    [
        ("malformed.toml", "at line 3"),
        ("duplicate-key.toml", 'Key "source" already exists'),
    ],
)
def test_malformed_toml_names_the_problem(sample: str, problem: str) -> None:
    """A TOML error says what and where, without quoting the line."""
    with pytest.raises(ConfigSyntaxError) as raised:
        summarize_toml(data_text(f"config/{sample}"))

    assert problem in str(raised.value)
    assert "SharedAccessKey" not in str(raised.value)


@pytest.mark.parametrize(
    ("sample", "secrets"),
    [
        (
            "legacy-manual.yaml",
            {
                "HostName=contoso-hub.azure-devices.net;DeviceId=press-line-7;"
                "SharedAccessKey=c2VjcmV0LWtleS1mb3ItcHJlc3MtbGluZS03LW5ldmVyLXNob3duPQ==",
                "c2VjcmV0LWtleS1mb3ItcHJlc3MtbGluZS03LW5ldmVyLXNob3duPQ==",
            },
        ),
        ("legacy-placeholder.yaml", set()),
        ("legacy-dps-tpm.yaml", {"pull-password-7Hq2"}),
        ("legacy-dps-symmetric.yaml", {"c3ltbWV0cmljLWtleS1mb3Ita2lvc2stMw=="}),
    ],
)
def test_yaml_secrets_are_found(sample: str, secrets: set[str]) -> None:
    """Connection strings, their keys, symmetric keys and passwords are secrets."""
    summary = summarize_yaml(data_text(f"config/{sample}"))

    assert set(summary.secrets) == secrets


@pytest.mark.parametrize(
    ("sample", "secrets"),
    [
        (
            "manual-device-id-pk.toml",
            {
                "ZGV2aWNlLWlkLXBrLXZhbHVlLXRoYXQtaXMtc2VjcmV0",
                "toml-pull-password-Zx81",
                "http://proxyuser:proxy-pass-4421@proxy.example.net:3128",
                "proxy-pass-4421",
            },
        ),
        ("dps-tpm.toml", {"tpm-endorsement-auth-9911"}),
        ("dps-symmetric.toml", {"dG9tbC1zeW1tZXRyaWMta2V5LWZvci1raW9zay0z"}),
        (
            "dps-x509-pkcs11.toml",
            {
                "pkcs11:token=edge;object=gate-4?pin-value=7731-pin-secret",
                "7731-pin-secret",
            },
        ),
    ],
)
def test_toml_secrets_are_found(sample: str, secrets: set[str]) -> None:
    """device_id_pk values, passwords, TPM authorization, proxy and PIN secrets."""
    summary = summarize_toml(data_text(f"config/{sample}"))

    assert set(summary.secrets) == secrets


def test_secrets_are_found_in_text_that_does_not_parse() -> None:
    """A malformed file still gives up its connection string's key."""
    secrets = set(find_text_secrets(data_text("config/malformed.toml")))

    assert "dG9tbC1icm9rZW4ta2V5LW11c3Qtc3RheS1oaWRkZW4=" in secrets
