"""When a failed step may be skipped, and how a step is run again.

Skipping. A failed step may be skipped when it is optional or manual, or
when it comes before the point of no return and no later step of the plan
depends on it. A step depends on the steps named in `PREREQUISITES`, and
every destructive step depends on the backup. Past the point of no return
only optional and manual steps may be skipped: the device is mid-update and
each remaining step finishes it.

Running again. Every step the planner makes is safe to run again, which is
what retry and resume do:

- package lists, downloads and image pulls only fetch;
- `apt-get install` of the pinned versions, already installed, changes
  nothing; `apt-get remove` of a removed package says so and exits 0;
- `systemctl stop`, `iotedge system stop`, `iotedge config apply`, and the
  `edgetui config`, `tpm` and `runtime` operations check before they change;
- `edgetui backup create` makes one more backup;
- `iotedge config import` refuses to overwrite the config.toml an interrupted
  attempt wrote, so a second attempt adds `--force` (`rerun_argv`);
- an apt package step that was interrupted may have left dpkg part way: the
  executor first runs the read-only `dpkg --audit` and, when it reports
  anything, `dpkg --configure -a` before the step (`dpkg_audit_argv`).
"""

from __future__ import annotations

from collections.abc import Sequence

from edgetui.facts.plan import Plan, Step

PREREQUISITES: dict[str, tuple[str, ...]] = {
    "refresh-package-lists": ("repair-packages",),
    "download-packages": ("refresh-package-lists", "repair-packages"),
    "upgrade-engine": ("download-packages",),
    "remove-iotedge": ("stop-iotedge",),
    "install-packages": (
        "repair-packages",
        "download-packages",
        "stop-iotedge",
        "remove-iotedge",
    ),
    "import-config": ("install-packages",),
    "set-agent-image": ("install-packages", "import-config"),
    "fix-tpm-rule": ("install-packages",),
    "apply-config": (
        "install-packages",
        "import-config",
        "set-agent-image",
        "fix-tpm-rule",
    ),
    "restart-iotedge": ("install-packages",),
    "refresh-runtime": ("apply-config", "restart-iotedge"),
}
"""The steps each planner step needs done before it (when the plan has them)."""

BACKUP_STEP = "backup"

DPKG_AUDIT = ("dpkg", "--audit")
DPKG_CONFIGURE = ("dpkg", "--configure", "-a")


def point_of_no_return_index(plan: Plan) -> int | None:
    """The index of the plan's point of no return, if it has one."""
    for index, step in enumerate(plan.steps):
        if step.point_of_no_return:
            return index
    return None


def needed_later(plan: Plan, index: int) -> list[Step]:
    """The later steps of the plan that depend on step `index`."""
    step_id = plan.steps[index].id
    return [
        later
        for later in plan.steps[index + 1 :]
        if step_id in PREREQUISITES.get(later.id, ())
        or (step_id == BACKUP_STEP and later.destructive)
    ]


def may_skip(plan: Plan, index: int) -> bool:
    """Tells whether step `index` may be skipped after it failed.

    Args:
        plan: the plan.
        index: the failed step's position.

    Returns:
        True for an optional or manual step, or for one before the point of
        no return (or in a plan without one) that no later step depends on.
    """
    step = plan.steps[index]
    if step.optional or step.manual:
        return True
    ponr = point_of_no_return_index(plan)
    before = ponr is None or index < ponr
    return before and not needed_later(plan, index)


def rerun_argv(argv: Sequence[str]) -> list[str]:
    """The command to run when its step runs again (retry or resume).

    Args:
        argv: the command as the plan spells it.

    Returns:
        The same command, but `iotedge config import` gains `--force`: the
        config.toml it would refuse to overwrite is the one the earlier
        attempt wrote.
    """
    command = list(argv)
    if command[:3] == ["iotedge", "config", "import"] and not (
        {"--force", "-f"} & set(command)
    ):
        command.append("--force")
    return command
