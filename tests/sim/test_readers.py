"""The standard-library YAML and TOML readers the simulated iotedge relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edgetui.sim import tomltext, yamltext
from edgetui.sim.debversion import compare_versions, newest_first, upstream

DATA = Path(__file__).parent.parent / "data" / "sim"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a: "x # not a comment"  # a comment', {"a": "x # not a comment"}),
        ("a: 'it''s'", {"a": "it's"}),
        ('a: "tab\\tthere"', {"a": "tab\tthere"}),
        ("a: {}\nb: []\nc:", {"a": {}, "b": [], "c": None}),
        (
            "a: true\nb: 3\nc: 1.5\nd: ~\ne: plain text",
            {"a": True, "b": 3, "c": 1.5, "d": None, "e": "plain text"},
        ),
        ("a:\n  - x\n  - y: 1\n    z: 2", {"a": ["x", {"y": 1, "z": 2}]}),
        ("a:\n- x\n- y", {"a": ["x", "y"]}),
        ('a: {"b": [1, "c"],\n    "d": {}}', {"a": {"b": [1, "c"], "d": {}}}),
        ("a: |\n  one\n  two\nb: 1", {"a": "one\ntwo\n", "b": 1}),
        ("# only a comment\n", None),
    ],
)
def test_yaml_reads_config_yaml_shapes(text: str, expected: Any) -> None:
    """Mappings, sequences, quoting, flow collections and block scalars read right."""
    assert yamltext.loads(text) == expected


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a:\n\tb: 1", "line 2"),
        ('a: "unterminated', "line 1"),
        ("a: 1\n   b: 2", "line 2"),
        ("a: 1\na: 2", "line 2"),
        ("a: &anchor 1\n", None),
        ("just text\nmore: 1", "line"),
    ],
)
def test_yaml_errors_name_the_line(text: str, line: str | None) -> None:
    """Malformed YAML raises YamlError naming where."""
    with pytest.raises(yamltext.YamlError) as raised:
        yamltext.loads(text)
    if line:
        assert line in str(raised.value)


def test_yaml_reads_the_sample_configs() -> None:
    """The 1.0/1.1 sample files parse to the expected values."""
    legacy = yamltext.loads((DATA / "legacy-1.1-config.yaml").read_text())
    assert legacy["provisioning"]["attestation"]["registration_id"] == "plant3-gw07"
    assert legacy["agent"]["env"] == {}
    manual = yamltext.loads((DATA / "manual-connection-string.yaml").read_text())
    assert manual["hostname"] == "gate-3"
    assert manual["agent"]["config"]["createOptions"]["HostConfig"]["Binds"] == [
        "/srv/edge:/iotedge/storage"
    ]


def test_toml_reads_the_super_config_shapes() -> None:
    """Tables, dotted and quoted keys, inline tables, arrays and strings read right."""
    text = '''
hostname = "dev" # trailing comment
cloud_retries = 1_000
ratio = 0.5
flag = true

[agent.config]
image = 'mcr.microsoft.com/azureiotedge-agent:1.5'
createOptions = { HostConfig = { Binds = ["/a:/b", "/c:/d",] } }

[agent.env]
"RuntimeLogLevel" = "debug"

[[principal]]
uid = 1
keys = [
  "a", # first
  "b",
]

[[principal]]
uid = 2
index = 0x00_01_00
note = """
two
lines"""
'''
    assert tomltext.loads(text) == {
        "hostname": "dev",
        "cloud_retries": 1000,
        "ratio": 0.5,
        "flag": True,
        "agent": {
            "config": {
                "image": "mcr.microsoft.com/azureiotedge-agent:1.5",
                "createOptions": {"HostConfig": {"Binds": ["/a:/b", "/c:/d"]}},
            },
            "env": {"RuntimeLogLevel": "debug"},
        },
        "principal": [
            {"uid": 1, "keys": ["a", "b"]},
            {"uid": 2, "index": 256, "note": "two\nlines"},
        ],
    }


@pytest.mark.parametrize(
    "text",
    ['a = "open', "a = 1\na = 2", "[a\nb = 1", "a = 1979-05-27", "a = 1 2", "= 3"],
)
def test_toml_errors_name_the_line(text: str) -> None:
    """Malformed TOML raises TomlError with a line number."""
    with pytest.raises(tomltext.TomlError, match=r"^line \d+: "):
        tomltext.loads(text)


def test_toml_values_round_trip() -> None:
    """What dumps_value writes, loads reads back unchanged."""
    value = {"a": ["x", 1, True], "b c": {"d": 'q"uote\\'}, "e": {}}
    text = "".join(
        f"{tomltext.key_text(k)} = {tomltext.dumps_value(v)}\n"
        for k, v in value.items()
    )
    assert tomltext.loads(text) == value


@pytest.mark.parametrize(
    ("left", "right", "sign"),
    [
        ("1.4.41-1", "1.4.9-1", 1),
        ("1.5.0~rc2-1", "1.5.0-1", -1),
        ("1:1.0-1", "2.0-1", 1),
        ("1.5.21-1.el9", "1.5.21-1.el9", 0),
        ("20.10.25+azure-1", "20.10.23+azure-2", 1),
        ("1.6.0-1", "1.6.0-2", -1),
    ],
)
def test_package_versions_order_like_dpkg(left: str, right: str, sign: int) -> None:
    """Epochs, tildes, revisions and numbers compare the way dpkg compares them."""
    result = compare_versions(left, right)
    assert (result > 0) - (result < 0) == sign


def test_newest_first_and_upstream() -> None:
    """Sorting puts the newest first; upstream drops epoch and revision."""
    assert newest_first(["1.4.9-1", "1.4.41-1", "1.4.10-1"]) == [
        "1.4.41-1",
        "1.4.10-1",
        "1.4.9-1",
    ]
    assert upstream("1:1.4.41-1") == "1.4.41"
    assert upstream("1.5.21-1.el9") == "1.5.21"
