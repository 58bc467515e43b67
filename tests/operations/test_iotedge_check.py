"""Reading `iotedge check` output, and `edgetui check` running a fake `iotedge`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.operations.errors import OperationError
from edgetui.operations.iotedge_check import parse_check_json, parse_check_text

from .programs import FakePrograms

DATA = Path(__file__).parent.parent / "data" / "operations" / "check"


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def print_sample_body(name: str, exit_code: int) -> str:
    """A fake `iotedge` that prints a sample for `check` and exits as told."""
    return (
        "if sys.argv[1:2] == ['check']:\n"
        f"    sys.stdout.write(open({str(DATA / name)!r}, encoding='utf-8').read())\n"
        f"    sys.exit({exit_code})\n"
        "sys.exit(2)\n"
    )


@pytest.mark.parametrize(
    ("name", "counts", "sections", "ok"),
    [
        (
            "text-1.4-warnings-and-errors.txt",
            {"ok": 31, "warning": 3, "error": 1, "skipped": 2},
            [
                "Configuration checks (aziot-identity-service)",
                "Connectivity checks (aziot-identity-service)",
                "Configuration checks",
                "Connectivity checks",
            ],
            False,
        ),
        (
            "text-1.1-all-ok.txt",
            {"ok": 23},
            ["Configuration checks", "Connectivity checks"],
            True,
        ),
        (
            "text-1.1-mojibake.txt",
            {"ok": 1, "warning": 1, "error": 1},
            ["Configuration checks"],
            False,
        ),
        (
            "text-1.4-fatal-not-root.txt",
            {"error": 5},
            ["Configuration checks (aziot-identity-service)", "Configuration checks"],
            False,
        ),
        (
            "text-1.4-verbose.txt",
            {"ok": 4, "error": 1, "skipped": 3},
            ["Configuration checks", "Connectivity checks"],
            False,
        ),
    ],
)
def test_text_output_gives_sections_and_counts(
    name: str, counts: dict[str, int], sections: list[str], ok: bool
) -> None:
    """Each real-shaped text sample parses into its sections and verdict counts."""
    report = parse_check_text(sample(name))

    expected = dict.fromkeys(("ok", "warning", "error", "fatal", "skipped"), 0)
    expected.update(counts)
    assert {k: v for k, v in report.counts.items() if k != "ignored"} == expected
    assert list(report.sections()) == sections
    assert report.ok is ok


def test_text_output_keeps_the_messages_under_each_check() -> None:
    """The indented lines under a check become its details, in order."""
    report = parse_check_text(sample("text-1.4-warnings-and-errors.txt"))

    (failed,) = report.failed
    assert failed.description == (
        "read all preloaded certificates from the Certificates Service"
    )
    assert failed.section == "Configuration checks (aziot-identity-service)"
    assert failed.details == ('could not load cert with ID "aziot-edged-trust-bundle"',)


def test_text_output_without_utf8_glyphs_still_parses() -> None:
    """Mojibake in place of √ ‼ × does not matter: the suffix decides."""
    report = parse_check_text(sample("text-1.1-mojibake.txt"))

    assert [check.status for check in report.checks] == ["ok", "warning", "error"]
    assert report.checks[2].description == "host time is close to real time"


def test_verbose_skipped_checks_count_as_skipped() -> None:
    """A Warning whose message is `skipping because of previous failures` is a skip."""
    report = parse_check_text(sample("text-1.4-verbose.txt"))

    statuses = {check.description: check.status for check in report.checks}
    assert statuses["DNS server"] == "skipped"
    assert statuses["configuration has correct parent_hostname"] == "ok"
    (failed,) = report.failed
    assert failed.details[-1].startswith("caused by: docker returned exit status")


def test_details_are_redacted() -> None:
    """A secret inside a check message never reaches the report."""
    text = (
        "Configuration checks\n--------------------\n"
        "× config.yaml has well-formed connection string - Error\n"
        "    HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=c2VjcmV0a2V5\n"
    )

    report = parse_check_text(text)

    assert "c2VjcmV0a2V5" not in json.dumps(report.to_json())


@pytest.mark.parametrize(
    ("name", "statuses", "versions", "ok"),
    [
        (
            "json-1.4-warnings-and-errors.json",
            {"ok": 8, "warning": 2, "error": 1, "skipped": 1, "ignored": 3},
            {"aziot_edged_version": "1.4.33", "docker_version": "20.10.23+azure-2"},
            False,
        ),
        (
            "json-1.1-fatal.json",
            {"fatal": 1, "skipped": 1},
            {"iotedged_version": "1.1.3", "docker_version": "19.03.12+azure"},
            False,
        ),
    ],
)
def test_json_output_reads_the_nested_result(
    name: str, statuses: dict[str, int], versions: dict[str, str], ok: bool
) -> None:
    """`result.result` gives each verdict; `additional_info` gives the versions."""
    report = parse_check_json(sample(name))

    assert {k: v for k, v in report.counts.items() if v} == statuses
    assert report.versions == versions
    assert report.ok is ok


def test_json_output_splits_multiline_details() -> None:
    """Each line of a detail becomes its own message."""
    report = parse_check_json(sample("json-1.4-warnings-and-errors.json"))

    version = next(c for c in report.checks if c.check_id == "aziot-edge-version")
    assert version.status == "warning"
    assert version.details == (
        "Installed IoT Edge daemon has version 1.4.33 but 1.4.41 is the latest "
        "stable version available.",
        "Please see https://aka.ms/iotedge-update-runtime for update instructions.",
    )


def test_json_output_after_other_lines_is_found() -> None:
    """A stray line before the JSON object (an stderr blank line) is skipped."""
    text = "\nwarning: something {odd}\n" + sample("json-1.1-fatal.json")

    assert parse_check_json(text).counts["fatal"] == 1


@pytest.mark.parametrize("text", ["", "Error: something broke\n", '{"other": 1}\n'])
def test_json_output_without_checks_is_an_error(text: str) -> None:
    """Output with no JSON report raises a clear OperationError."""
    with pytest.raises(OperationError, match="iotedge check"):
        parse_check_json(text)


def test_check_command_summarises_and_exits_1_on_errors(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """`edgetui check` prints each section's counts and the failing checks."""
    programs.add("iotedge", print_sample_body("text-1.4-warnings-and-errors.txt", 1))

    assert main(["check", "--root", str(tmp_path)]) == exitcodes.FAILED

    out = capsys.readouterr().out
    section = "Configuration checks (aziot-identity-service)"
    assert f"{section}: 14 ok, 1 warning, 1 error" in out
    assert "  error: read all preloaded certificates" in out
    assert "total: 31 ok, 3 warning, 1 error, 2 skipped" in out
    assert programs.calls() == [["iotedge", "check"]]


def test_check_command_exits_0_with_warnings_only(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """Warnings alone are not a failure, as with `iotedge check` itself."""
    programs.add("iotedge", print_sample_body("text-1.1-all-ok.txt", 0))

    assert main(["check", "--root", str(tmp_path)]) == exitcodes.OK


def test_check_command_json_asks_for_json(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """`edgetui check --json` runs `iotedge check --output json` and prints JSON."""
    programs.add("iotedge", print_sample_body("json-1.4-warnings-and-errors.json", 1))

    assert main(["check", "--json", "--root", str(tmp_path)]) == exitcodes.FAILED

    data = json.loads(capsys.readouterr().out)
    assert programs.calls() == [["iotedge", "check", "--output", "json"]]
    assert data["ok"] is False
    assert data["counts"]["error"] == 1
    assert {"id": "certs-read", "status": "error"}.items() <= data["checks"][2].items()


def test_check_command_without_iotedge_says_what_to_do(
    tmp_path: Path,
    programs: FakePrograms,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without `iotedge` on PATH the command exits 1 and names the fix."""
    monkeypatch.setenv("PATH", str(programs.directory))

    assert main(["check", "--root", str(tmp_path)]) == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "program not found" in err
    assert "install IoT Edge" in err


def test_check_command_with_no_results_shows_the_last_line(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check that dies before any result is reported with its last line."""
    programs.add(
        "iotedge", "print('Error: could not connect to mgmt.sock'); sys.exit(1)"
    )

    assert main(["check", "--root", str(tmp_path)]) == exitcodes.FAILED

    assert "could not connect to mgmt.sock" in capsys.readouterr().err
