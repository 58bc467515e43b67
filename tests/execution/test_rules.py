"""The rules and readings the executor decides by, checked one by one."""

from __future__ import annotations

import json
import sys

import pytest

from edgetui.device.root import DeviceRoot
from edgetui.execution.commands import runner_command
from edgetui.execution.packages import conffile_of, package_manager_of, removals
from edgetui.execution.policy import UnanswerablePromptError, UnattendedPolicy
from edgetui.execution.rules import may_skip, rerun_argv
from edgetui.facts.plan import Plan, Step
from edgetui.runner.events import Prompt
from edgetui.runner.prompts import APT_CONFIRM, DPKG_CONFFILE

from .conftest import DATA


def recorded_plan(name: str) -> Plan:
    """A plan the planner made, kept in tests/data/execution."""
    text = (DATA / f"{name}.json").read_text(encoding="utf-8")
    return Plan.from_json(json.loads(text))


APT_SUMMARY = [
    "Reading package lists... Done",
    "The following packages will be REMOVED:",
    "  iotedge libiothsm-std",
    "The following NEW packages will be installed:",
    "  aziot-edge aziot-identity-service",
    "0 upgraded, 2 newly installed, 2 to remove and 0 not upgraded.",
]

DNF_SUMMARY = [
    "Dependencies resolved.",
    "=" * 60,
    " Package          Arch    Version      Repository   Size",
    "=" * 60,
    "Installing:",
    " aziot-edge       x86_64  1.5.21-1.el9 packages     20 M",
    "Removing:",
    " iotedge          x86_64  1.1.16-1     @packages    30 M",
    "Removing dependent packages:",
    " podman-docker    noarch  4.9-1.el9    @appstream   10 k",
    "",
    "Transaction Summary",
]


def skippable(plan: Plan) -> list[str]:
    """The ids of the steps that may be skipped after a failure."""
    return [step.id for i, step in enumerate(plan.steps) if may_skip(plan, i)]


def test_in_a_legacy_plan_only_optional_and_manual_steps_may_be_skipped() -> None:
    """Every other step of the migration is needed later or past the point of
    no return."""
    plan = recorded_plan("legacy-plan")

    assert skippable(plan) == ["pull-images", "upgrade-engine", "update-deployment"]


def test_in_a_minor_plan_the_backup_cannot_be_skipped() -> None:
    """The backup is what makes the destructive steps safe, so it stays."""
    plan = recorded_plan("minor-plan")

    assert "backup" in [step.id for step in plan.steps]
    assert "backup" not in skippable(plan)


def test_a_step_nothing_depends_on_before_the_point_of_no_return_may_be_skipped() -> (
    None
):
    """A hand-made step no later step needs may be skipped before the point
    of no return, not after it."""
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step("look", "Look", [["true"]]),
            Step("change", "Change", [["true"]], point_of_no_return=True),
            Step("after", "After", [["true"]]),
        ],
    )

    assert skippable(plan) == ["look"]


def test_an_import_run_again_is_forced_and_nothing_else_changes() -> None:
    """Only `iotedge config import` gains --force when a step runs again."""
    assert rerun_argv(["iotedge", "config", "import"]) == [
        "iotedge",
        "config",
        "import",
        "--force",
    ]
    assert rerun_argv(["iotedge", "config", "import", "--force"]).count("--force") == 1
    assert rerun_argv(["apt-get", "install", "x"]) == ["apt-get", "install", "x"]


def test_removals_are_read_from_apt_and_dnf_summaries() -> None:
    """apt's REMOVED block and dnf's Removing tables give the package names."""
    assert removals(APT_SUMMARY) == ["iotedge", "libiothsm-std"]
    assert removals(DNF_SUMMARY) == ["iotedge", "podman-docker"]
    assert removals(["  iotedge*", "Do you want to continue? [Y/n]"]) == []


def test_the_conffile_is_named_from_dpkg_block() -> None:
    """The full path comes from the block, the short name from the question."""
    block = (
        "Configuration file '/etc/iotedge/config.yaml'\n"
        " ==> Modified (by you or by a script) since installation.\n"
        "*** config.yaml (Y/I/N/O/D/Z) [default=N] ?"
    )
    assert conffile_of(block) == "/etc/iotedge/config.yaml"
    assert conffile_of("*** daemon.json (Y/I/N/O/D/Z) [default=N] ?") == "daemon.json"


def confirm_prompt() -> Prompt:
    """apt's confirmation as the runner raises it."""
    return Prompt(
        "confirm",
        "Do you want to continue? [Y/n]",
        APT_CONFIRM.choices,
        APT_CONFIRM.default,
    )


def test_unattended_confirms_replacing_the_old_daemon() -> None:
    """Removing iotedge and libiothsm-std is what a migration does: yes."""
    step = Step("install-packages", "Install")

    reply = UnattendedPolicy().answer(step, confirm_prompt(), APT_SUMMARY)

    assert reply is not None
    assert reply.text == "Y"
    assert "removes iotedge, libiothsm-std" in reply.note


def test_unattended_declines_removing_anything_else() -> None:
    """A transaction that also removes podman-docker is declined on dnf too."""
    prompt = Prompt("confirm", "Is this ok [y/N]:", ("N", "y"), "N")

    reply = UnattendedPolicy().answer(Step("s", "S"), prompt, DNF_SUMMARY)

    assert reply is not None
    assert reply.text == "N"
    assert "podman-docker" in reply.note


def test_unattended_keeps_the_technicians_config_file() -> None:
    """dpkg's conffile question is answered N and the note names .dpkg-dist."""
    prompt = Prompt(
        "conffile",
        "Configuration file '/etc/docker/daemon.json'\n*** daemon.json (Y/I/N/O/D/Z)",
        DPKG_CONFFILE.choices,
        "N",
    )

    reply = UnattendedPolicy().answer(Step("s", "S"), prompt, [])

    assert reply is not None
    assert reply.text == "N"
    assert "/etc/docker/daemon.json.dpkg-dist" in reply.note


def test_unattended_cannot_answer_a_password() -> None:
    """A password prompt is refused with the next action."""
    prompt = Prompt("password", "[sudo] password for tech:", secret=True)

    with pytest.raises(UnanswerablePromptError, match="run edgetui as root"):
        UnattendedPolicy().answer(Step("s", "S"), prompt, [])


def test_edgetui_commands_run_as_this_edgetui_on_the_same_root() -> None:
    """`edgetui ...` becomes `python -m edgetui ... --root ROOT`."""
    root = DeviceRoot("/tmp")

    command = runner_command(
        ["edgetui", "config", "agent-image", "--line", "1.5"], root
    )

    assert command.argv == (
        sys.executable,
        "-m",
        "edgetui",
        "config",
        "agent-image",
        "--line",
        "1.5",
        "--root",
        str(root.root),
    )
    assert not command.needs_root


def test_package_commands_run_in_a_terminal_and_need_root_on_this_machine() -> None:
    """apt-get gets the package prompts and root on `/`, not on another root."""
    on_host = runner_command(["apt-get", "install", "aziot-edge"], DeviceRoot("/"))
    elsewhere = runner_command(["apt-get", "install", "aziot-edge"], DeviceRoot("/tmp"))
    check = runner_command(["iotedge", "check"], DeviceRoot("/"))

    assert on_host.interactive
    assert {rule.kind for rule in on_host.prompt_rules} == {"confirm", "conffile"}
    assert on_host.env["DEBIAN_FRONTEND"] == "noninteractive"
    assert on_host.needs_root
    assert not elsewhere.needs_root
    assert check.read_only
    assert not check.needs_root


def test_the_package_manager_is_read_from_the_plan() -> None:
    """A plan's package commands tell apt from dnf."""
    assert package_manager_of(recorded_plan("legacy-plan")) == "apt"
    assert package_manager_of(recorded_plan("minor-plan-dnf")) == "dnf"
