"""Redaction: secrets in any recorded text are masked, ordinary text is not."""

from __future__ import annotations

import logging

import pytest

from edgetui.runner.redact import (
    RedactingFilter,
    add_secret,
    redact,
    redact_argv,
    redact_lines,
)

MASKED = [
    (
        "HostName=hub.azure-devices.net;DeviceId=dev-1;SharedAccessKey=AbC+/123=",
        "HostName=hub.azure-devices.net;DeviceId=dev-1;SharedAccessKey=<redacted>",
    ),
    (
        '  device_connection_string: "HostName=h.net;DeviceId=d;'
        'SharedAccessKey=Zm9vYmFy"',
        '  device_connection_string: "HostName=h.net;DeviceId=d;'
        'SharedAccessKey=<redacted>"',
    ),
    (
        'connection_string = "HostName=h;DeviceId=d;SharedAccessKey=k3y=="',
        'connection_string = "HostName=h;DeviceId=d;SharedAccessKey=<redacted>"',
    ),
    (
        "Authorization: SharedAccessSignature sr=hub%2Fdevices%2Fd&sig=a%2Bb%3D"
        "&se=1700000000",
        "Authorization: SharedAccessSignature <redacted>",
    ),
    (
        "GET https://acct.blob.core.windows.net/c?sv=2021-08-06&sig=AbC%2F1%3D&se=1",
        "GET https://acct.blob.core.windows.net/c?sv=2021-08-06&sig=<redacted>&se=1",
    ),
    ('password = "hunter2 with spaces"', "password = <redacted>"),
    ("password: hunter2", "password: <redacted>"),
    ('  "password": "p4ss"}', '  "password": <redacted>}'),
    ("DB_PASSWORD=abc123", "DB_PASSWORD=<redacted>"),
    ("login --password hunter2 --user bob", "login --password <redacted> --user bob"),
    ("login --password=hunter2", "login --password=<redacted>"),
    (
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "Authorization: Bearer <redacted>",
    ),
    ('    symmetric_key: "c2VjcmV0LWtleQ=="', "    symmetric_key: <redacted>"),
    (
        'symmetric_key = { value = "c2VjcmV0LWtleS1mb3ItZHBz" }',
        "symmetric_key = { value = <redacted> }",
    ),
    (
        'device_id_pk = { value = "YWJjZGVmZ2hpamtsbW5vcA==" }',
        "device_id_pk = { value = <redacted> }",
    ),
    ('value = "YWJjZGVmZ2hpamtsbW5vcA=="', "value = <redacted>"),
    ("client_secret: s3", "client_secret: <redacted>"),
]

UNCHANGED = [
    "Reading package lists... Done",
    "The following packages will be upgraded: aziot-edge aziot-identity-service",
    '    method: "symmetric_key"',
    'method = "symmetric_key"',
    'registration_id = "my-device-01"',
    "HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner",
    'symmetric_key = { uri = "file:///var/secrets/device-id.key" }',
    "signature verification passed",
    "value = 3",
    "[sudo] password for tech: ",
    "Password: ",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_secret_is_masked(text: str, expected: str) -> None:
    """Each known shape of secret is replaced by <redacted>, the rest kept."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_text_is_kept(text: str) -> None:
    """Text with no secret in it passes through unchanged."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_redaction_is_idempotent(text: str, expected: str) -> None:
    """Redacting twice gives the same text as redacting once."""
    assert redact(redact(text)) == expected


def test_registered_secret_is_masked_everywhere() -> None:
    """A value registered with add_secret is masked wherever it appears."""
    add_secret("Rg9-registered-value-7Qx")

    text = redact("echo Rg9-registered-value-7Qx | tee x; got Rg9-registered-value-7Qx")

    assert text == "echo <redacted> | tee x; got <redacted>"


def test_too_short_registered_secret_is_ignored() -> None:
    """A value of a few characters would mask ordinary words; it is not kept."""
    add_secret("ab")

    assert redact("about a tab") == "about a tab"


def test_lines_are_redacted_in_one_batch_without_merging() -> None:
    """A secret on one line never swallows the next line."""
    lines = ["[edgetui-sudo] password: ", "Sorry, try again.", "token: abc", "next"]

    assert redact_lines(lines) == [
        "[edgetui-sudo] password: ",
        "Sorry, try again.",
        "token: <redacted>",
        "next",
    ]


def test_argv_secret_given_as_next_argument_is_masked() -> None:
    """`--password VALUE` as two arguments masks the second."""
    argv = ("tool", "--password", "hunter2", "--token=abc", "plain")

    assert redact_argv(argv) == [
        "tool",
        "--password",
        "<redacted>",
        "--token=<redacted>",
        "plain",
    ]


def test_log_filter_redacts_formatted_messages() -> None:
    """A log record's message is redacted after its arguments are filled in."""
    record = logging.LogRecord(
        "edgetui.test",
        logging.INFO,
        __file__,
        1,
        "using %s",
        ("password=hunter2",),
        None,
    )

    assert RedactingFilter().filter(record)

    assert record.getMessage() == "using password=<redacted>"
