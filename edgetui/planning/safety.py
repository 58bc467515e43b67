"""The rules every plan must keep, checked before a plan leaves the planner.

A plan that breaks one is a defect in edgetui, never something to run:
no command purges a package (purge deletes the configuration and the master
encryption key), at most one step is the point of no return, every download
comes before it, and step identifiers are unique. The one download allowed
after it is a runtime refresh that pulls before it removes anything, or one
whose images could not be pulled ahead (the engine did not answer): either
way a network failure leaves the running runtime in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from edgetui.facts.plan import Plan

_PURGE_PROGRAMS_FLAGS = {"dpkg": ("-P",)}


class UnsafePlanError(RuntimeError):
    """A plan breaks a safety rule; it must not run."""


def purges(argv: Sequence[str]) -> bool:
    """Tells whether a command would purge a package.

    Args:
        argv: the command.

    Returns:
        True for `apt-get purge`, `apt-get remove --purge`, `--purge` in any
        form, and `dpkg -P`.
    """
    if any(arg == "purge" or arg.startswith("--purge") for arg in argv):
        return True
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    flags = _PURGE_PROGRAMS_FLAGS.get(program, ())
    return any(arg in flags for arg in argv[1:])


def check_plan(plan: Plan) -> None:
    """Refuses a plan that breaks a safety rule.

    Args:
        plan: the plan to check.

    Raises:
        UnsafePlanError: the rule that is broken, and where.
    """
    ids = [step.id for step in plan.steps]
    if len(ids) != len(set(ids)):
        raise UnsafePlanError(f"duplicate step identifiers in {ids}")
    for step in plan.steps:
        for argv in step.commands:
            if purges(argv):
                raise UnsafePlanError(f"step {step.id} purges: {argv}")
        if step.manual and step.commands:
            raise UnsafePlanError(f"manual step {step.id} has commands")

    marks = [i for i, step in enumerate(plan.steps) if step.point_of_no_return]
    if len(marks) > 1:
        raise UnsafePlanError(f"{len(marks)} points of no return")
    for step in plan.steps[marks[0] + 1 :] if marks else []:
        if step.requires_network and step.id != "refresh-runtime":
            raise UnsafePlanError(
                f"step {step.id} downloads after the point of no return"
            )
