"""The runner drives real apt and dpkg inside a booted device.

How commands reach the device is told in `runner_commands`.
"""

from __future__ import annotations

import json

import pytest

from edgetui.runner.events import CommandFinished, PromptRaised
from edgetui.runner.runner import Runner

from .lab import Lab
from .runner_commands import answering, device_processes, in_device, package_tools
from .states import LEGACY_TEMPLATE, TEMPLATE_EDIT
from .truth import installed_packages

pytestmark = [pytest.mark.lab, pytest.mark.timeout(900)]

LEGACY_CONFIG = "/etc/iotedge/config.yaml"


async def test_apt_confirmation_answered_yes(lab: Lab) -> None:
    """apt's real [Y/n] is a confirm prompt; Y installs aziot-edge, removing iotedge."""
    answer, asked = answering("Y")
    with lab.device("legacy-1.1") as lab_device:
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "aziot-edge"), answer
        )
        packages = installed_packages(lab_device.device)
        config_kept = lab_device.device.path(LEGACY_CONFIG).exists()

    assert result.ok, result.text
    assert [(p.kind, p.default) for p in asked] == [("confirm", "Y")]
    assert "Do you want to continue? [Y/n]" in asked[0].text
    assert "The following packages will be REMOVED:" in result.text
    assert packages["aziot-edge"] == ("1.6.1-1", "installed")
    assert packages["aziot-identity-service"] == ("1.6.0-1", "installed")
    assert packages["iotedge"][1] == "config-files"
    assert "libiothsm-std" not in packages
    assert config_kept


async def test_apt_confirmation_answered_no(lab: Lab) -> None:
    """Answering n to apt's [Y/n] aborts: apt exits 1 and nothing changes."""
    answer, asked = answering("n")
    with lab.device("legacy-1.1") as lab_device:
        before = installed_packages(lab_device.device)
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "aziot-edge"), answer
        )
        after = installed_packages(lab_device.device)

    assert result.exit_code == 1
    assert "Abort." in result.text
    assert len(asked) == 1
    assert after == before


async def test_conffile_prompt_keep(lab: Lab) -> None:
    """Keeping the edited conffile (N) upgrades iotedge; the new one is .dpkg-dist."""
    answer, asked = answering("N")
    with lab.device("legacy-1.1-older") as lab_device:
        device = lab_device.device
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "-y", "iotedge"), answer
        )
        template = device.path(LEGACY_TEMPLATE).read_text()
        shipped = device.path(LEGACY_TEMPLATE + ".dpkg-dist").read_text()
        packages = installed_packages(device)

    assert result.ok, result.text
    assert [(p.kind, p.default) for p in asked] == [("conffile", "N")]
    assert f"Configuration file '{LEGACY_TEMPLATE}'" in asked[0].text
    assert asked[0].choices[0] == "N"
    assert TEMPLATE_EDIT in template
    assert "iotedge 1.1.15" in shipped
    assert packages["iotedge"] == ("1.1.15-1", "installed")


async def test_conffile_prompt_replace(lab: Lab) -> None:
    """Installing the maintainer's conffile (Y) keeps the edited one as .dpkg-old."""
    answer, asked = answering("Y")
    with lab.device("legacy-1.1-older") as lab_device:
        device = lab_device.device
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "-y", "iotedge"), answer
        )
        template = device.path(LEGACY_TEMPLATE).read_text()
        old = device.path(LEGACY_TEMPLATE + ".dpkg-old").read_text()

    assert result.ok, result.text
    assert len(asked) == 1
    assert "iotedge 1.1.15" in template
    assert TEMPLATE_EDIT not in template
    assert TEMPLATE_EDIT in old


async def test_conffile_prompt_shows_the_differences(lab: Lab) -> None:
    """D prints dpkg's diff (no pager) and asks again; N then keeps the edit."""
    answer, asked = answering("D", "N")
    with lab.device("legacy-1.1-older") as lab_device:
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "-y", "iotedge"), answer
        )

    assert result.ok, result.text
    assert [p.kind for p in asked] == ["conffile", "conffile"]
    lines = result.output
    assert any(line.startswith(f"--- {LEGACY_TEMPLATE}") for line in lines)
    assert any(
        line.startswith("-") and "(noted during commissioning)" in line
        for line in lines
    )
    assert any(line.startswith("+") and "iotedge 1.1.15" in line for line in lines)


async def test_unanswered_conffile_prompt_leaves_iotedge_not_configured(
    lab: Lab,
) -> None:
    """With nobody to answer, the runner stops dpkg at the prompt; detect reports it."""
    with lab.device("legacy-1.1-older") as lab_device:
        device = lab_device.device
        baseline = device_processes(device)
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "-y", "iotedge")
        )
        leftovers = package_tools(device_processes(device) - baseline)
        packages = installed_packages(device)
        detected = json.loads(device.run(["edgetui", "detect", "--json"]).stdout)

    assert not result.ok
    assert leftovers == set()
    version, state = packages["iotedge"]
    assert (version, state) in (
        ("1.1.15-1", "unpacked"),
        ("1.1.15-1", "half-configured"),
    )
    assert detected["security_subsystem"]["state"] == state
    assert detected["security_subsystem"]["version"] == "1.1.15"


async def test_interrupted_dpkg_is_finished_by_configure(lab: Lab) -> None:
    """`dpkg --configure -a` asks the conffile question again and configures iotedge."""
    answer, asked = answering("N")
    with lab.device("dpkg-interrupted") as lab_device:
        before = installed_packages(lab_device.device)
        result = await Runner().run(
            in_device(lab_device, "dpkg", "--configure", "-a"), answer
        )
        after = installed_packages(lab_device.device)

    assert before["iotedge"][1] != "installed"
    assert result.ok, result.text
    assert [p.kind for p in asked] == ["conffile"]
    assert after["iotedge"] == ("1.1.15-1", "installed")


async def test_cancel_during_apt_leaves_no_process_behind(lab: Lab) -> None:
    """Cancelling apt-get while dpkg waits stops apt, dpkg and all they started."""
    with lab.device("legacy-1.1-older") as lab_device:
        device = lab_device.device
        baseline = device_processes(device)
        running = Runner().start(
            in_device(lab_device, "apt-get", "install", "-y", "iotedge")
        )
        during: set[str] = set()
        async for event in running:
            if isinstance(event, PromptRaised):
                during = package_tools(device_processes(device) - baseline)
                await running.cancel()
            if isinstance(event, CommandFinished):
                break
        after = package_tools(device_processes(device) - baseline)
        audit = device.run(["dpkg", "--audit"], check=False).stdout
        answer, _ = answering("N")
        recovered = await Runner().run(
            in_device(lab_device, "dpkg", "--configure", "-a"), answer
        )

    assert {name.split(":")[0] for name in during} >= {"apt-get", "dpkg"}
    assert running.result.cancelled
    assert after == set()
    assert "iotedge" in audit
    assert recovered.ok, recovered.text
