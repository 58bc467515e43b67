"""`edgetui plan`: the text and JSON a technician or a script reads."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from edgetui import exitcodes
from edgetui.cli import build_parser
from edgetui.commands.plan import PlanRequest, print_plan
from edgetui.facts.device import DeviceFacts, DeviceWarning, OsFacts

from .devices import aziot_device, legacy_device

TODAY = date(2026, 3, 1)


def run(
    facts: DeviceFacts,
    capsys: pytest.CaptureFixture[str],
    request: PlanRequest | None = None,
    *,
    as_json: bool = False,
) -> tuple[int, str, str]:
    code = print_plan(facts, request or PlanRequest(), TODAY, as_json=as_json)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_numbers_steps_and_shows_every_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The legacy plan lists numbered steps with their exact commands."""
    code, out, _ = run(legacy_device(attestation="tpm"), capsys)
    assert code == exitcodes.OK
    assert out.startswith(
        "Plan: migration to the 1.2+ architecture, IoT Edge 1.1.15 -> 1.5.21\n"
    )
    assert " 1. Refresh the package lists" in out
    assert "    $ apt-get update" in out
    assert "    $ apt-get install --download-only -y aziot-edge=1.5.21-1 \\\n" in out
    assert "$ apt-get remove iotedge" in out
    assert "$ apt-get install aziot-edge=1.5.21-1 aziot-identity-service=1.5.6-1" in out
    assert "$ iotedge config import" in out
    assert "15. Verify the update" in out


def test_text_marks_destructive_steps_and_the_point_of_no_return(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The banner sits right before the one step marked POINT OF NO RETURN."""
    _, out, _ = run(legacy_device(), capsys)
    lines = out.splitlines()
    banner = next(i for i, line in enumerate(lines) if "point of no return" in line)
    step = next(i for i in range(banner, len(lines)) if re.match(r" ?\d+\. ", lines[i]))
    title = " ".join(lines[step : step + 2])
    assert "Remove the IoT Edge 1.1 daemon" in title
    assert "[DESTRUCTIVE, POINT OF NO RETURN]" in title
    assert out.count("POINT OF NO RETURN") == 1
    assert "Never purge this package" in out


def test_text_fits_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """Every line of a long plan fits an 80-column terminal."""
    facts = legacy_device(attestation="tpm")
    facts.warnings.append(DeviceWarning("end-of-support", "x " * 90))
    _, out, _ = run(facts, capsys)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_text_shows_warnings_and_notes(capsys: pytest.CaptureFixture[str]) -> None:
    """Warnings come first, notes last."""
    facts = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    facts.warnings.append(DeviceWarning("not-root", "Run it with sudo."))
    _, out, _ = run(facts, capsys)
    assert out.index("Warnings (1):") < out.index(" 1. ") < out.index("Notes:")
    assert "IoT Hub deployment" in out.split("Notes:")[1]


def test_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object: path, from, to, steps, notes, warnings."""
    facts = aziot_device("1.5.16", "1.5.5", manager="dnf", agent_version="1.5.40")
    code, out, _ = run(facts, capsys, as_json=True)
    data = json.loads(out)
    assert code == exitcodes.OK
    assert (data["path"], data["from"], data["to"]) == ("patch", "1.5.16", "1.5.21")
    install = next(s for s in data["steps"] if s["id"] == "install-packages")
    assert install["commands"] == [
        [
            "dnf",
            "install",
            "aziot-edge-1.5.21-1.el9",
            "aziot-identity-service-1.5.6-1.el9",
        ]
    ]
    assert install["destructive"] is True
    assert install["point_of_no_return"] is True
    assert all(isinstance(s["point_of_no_return"], bool) for s in data["steps"])
    assert data["warnings"] == []


def test_current_exits_0_with_nothing_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    """An up-to-date device prints the reason and exits 0."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    code, out, _ = run(facts, capsys)
    assert code == exitcodes.OK
    assert out.startswith("Plan: nothing to do (IoT Edge 1.5.21)")
    assert "Nothing to do." in out


def test_unsupported_exits_5_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """EFLOW exits 5 and says to update from the Windows host, text and JSON."""
    facts = aziot_device()
    facts.os = OsFacts("mariner", "2.0", None, "CBL-Mariner/Linux")
    code, out, _ = run(facts, capsys)
    assert code == exitcodes.UNSUPPORTED
    assert "Windows host" in out
    code, out, _ = run(facts, capsys, as_json=True)
    assert code == exitcodes.UNSUPPORTED
    assert json.loads(out)["path"] == "unsupported"


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("1.4.33", "older than the installed 1.4.41"),
        ("1.9.0", "not in edgetui's release catalog"),
        ("1.5.22", "does not offer IoT Edge 1.5.22"),
        ("soon", "not a version"),
    ],
)
def test_bad_target_exits_2_listing_the_offers(
    capsys: pytest.CaptureFixture[str], target: str, problem: str
) -> None:
    """--to a bad version exits 2, names the problem and lists what is offered."""
    facts = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    code, out, err = run(facts, capsys, PlanRequest(target=target))
    assert code == exitcodes.USAGE
    assert out == ""
    assert err.startswith("edgetui: ")
    assert problem in err
    assert "1.5.21 (1.5 LTS, supported until 2026-11-10) [proposed]" in err


def test_options_reach_the_planner(capsys: pytest.CaptureFixture[str]) -> None:
    """--to, --with-defender and --specific-tags change the plan."""
    facts = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    request = PlanRequest(target="1.5.16", with_defender=True, specific_tags=True)
    _, out, _ = run(facts, capsys, request, as_json=True)
    data = json.loads(out)
    assert data["to"] == "1.5.16"
    install = next(s for s in data["steps"] if s["id"] == "install-packages")
    assert install["commands"][0][-1] == "defender-iot-micro-agent-edge"


def test_parser_accepts_the_plan_options() -> None:
    """The plan subcommand parses --json, --to, --root and the options."""
    args = build_parser().parse_args(
        ["plan", "--json", "--to", "1.5", "--root", "/tmp", "--with-defender"]
    )
    assert (args.command, args.json, args.to, args.root) == (
        "plan",
        True,
        "1.5",
        "/tmp",
    )
    assert args.with_defender and not args.specific_tags
