"""An upgrade plan as data: the `edgetui plan --json` contract.

A plan is an ordered list of steps. Each step holds the commands it runs
(argv lists, never shell strings), says whether it destroys or replaces
something and what, and whether it is the point of no return: the first
step after which the device cannot simply be put back as it was. Every step
that needs the network comes before that point. `to_json()` gives the stable
shape scripts rely on; new keys may be added, none is renamed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PATHS = ("patch", "minor", "legacy", "runtime", "current", "unsupported")
"""The update paths a plan can take (see the README)."""


@dataclass
class Step:
    """One step of a plan.

    Attributes:
        id: a stable identifier, `download-packages`.
        title: a short imperative title for people.
        commands: the commands to run in order, each an argv list. Empty for
            a manual step.
        destructive: the step deletes or replaces something on the device.
        point_of_no_return: after this step the previous version cannot
            simply be restored; at most one step of a plan has it.
        explanation: why the step is there and, when destructive, what it
            destroys or replaces.
        destroys: what the step deletes or replaces, in a few words; empty
            when nothing is.
        downtime: the modules stop or restart during the step.
        requires_network: the step downloads (packages or images).
        optional: the technician may skip the step.
        manual: the technician does this outside the device (in IoT Hub);
            the step has no commands and waits for confirmation.
    """

    id: str
    title: str
    commands: list[list[str]] = field(default_factory=list)
    destructive: bool = False
    point_of_no_return: bool = False
    explanation: str = ""
    destroys: str = ""
    downtime: bool = False
    requires_network: bool = False
    optional: bool = False
    manual: bool = False

    def to_json(self) -> dict[str, Any]:
        """Gives the step's JSON object."""
        return {
            "id": self.id,
            "title": self.title,
            "commands": [list(argv) for argv in self.commands],
            "destructive": self.destructive,
            "point_of_no_return": self.point_of_no_return,
            "explanation": self.explanation,
            "destroys": self.destroys,
            "downtime": self.downtime,
            "requires_network": self.requires_network,
            "optional": self.optional,
            "manual": self.manual,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        """Rebuilds a step from `to_json()` output."""
        return cls(
            id=data["id"],
            title=data["title"],
            commands=[list(argv) for argv in data.get("commands", [])],
            destructive=bool(data.get("destructive", False)),
            point_of_no_return=bool(data.get("point_of_no_return", False)),
            explanation=data.get("explanation", ""),
            destroys=data.get("destroys", ""),
            downtime=bool(data.get("downtime", False)),
            requires_network=bool(data.get("requires_network", False)),
            optional=bool(data.get("optional", False)),
            manual=bool(data.get("manual", False)),
        )


@dataclass
class Plan:
    """How to take one device from its version to the target.

    Attributes:
        path: one of `PATHS`.
        from_version: the installed security subsystem version, or `None`.
        to_version: the target security subsystem version, or `None` when
            nothing is installed or the path is unsupported.
        steps: the steps, in the order they run.
        notes: what the technician must know or do besides the steps.
        reason: for `current` and `unsupported`, why, and the next action.
    """

    path: str
    from_version: str | None
    to_version: str | None
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def point_of_no_return(self) -> Step | None:
        """The step after which there is no simple way back, if any."""
        for step in self.steps:
            if step.point_of_no_return:
                return step
        return None

    def to_json(self) -> dict[str, Any]:
        """Gives the `edgetui plan --json` object."""
        return {
            "path": self.path,
            "from": self.from_version,
            "to": self.to_version,
            "steps": [step.to_json() for step in self.steps],
            "notes": list(self.notes),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """Rebuilds a plan from `to_json()` output (for journals and tests)."""
        return cls(
            path=data["path"],
            from_version=data.get("from"),
            to_version=data.get("to"),
            steps=[Step.from_json(step) for step in data.get("steps", [])],
            notes=list(data.get("notes", [])),
            reason=data.get("reason", ""),
        )
