"""Who answers a running plan's questions: the technician, or a policy.

The executor asks its policy first. A policy that returns `None` leaves the
question to the consumer (the wizard or `edgetui run` on a terminal), which
answers through `Executor.answer()` or `Executor.decide()`.

`InteractivePolicy` leaves every question to the consumer.

`UnattendedPolicy` (`edgetui run --yes`) answers by itself:

- a package tool's confirmation (`[Y/n]`, `[y/N]`): yes, unless the tool
  would also remove a package an IoT Edge update never replaces; then no,
  and the step fails naming those packages;
- dpkg's conffile question: N, keep the technician's version; dpkg saves
  the package maintainer's version beside it as `<file>.dpkg-dist`, and the
  answer's note says so;
- sudo's password: cannot be answered; the step fails, telling to run
  edgetui as root;
- a manual step: `later`; the run goes on and its final message lists the
  step as still to do;
- a failed step: retried up to `network_retries` times when it downloads
  (a network hiccup), else the run stops.

A fleet's answers file plugs in as another policy object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from edgetui.execution.events import MANUAL_LATER, MANUAL_PROMPT, RETRY, STOP
from edgetui.execution.packages import REPLACED_BY_UPDATES, conffile_of, removals
from edgetui.facts.plan import Step
from edgetui.runner.events import Prompt


class UnanswerablePromptError(Exception):
    """The policy cannot answer this question; the message says what to do."""


@dataclass(frozen=True)
class PolicyAnswer:
    """An answer a policy gave.

    Attributes:
        text: what to type (or, for a manual step, `done`, `later`, `stop`).
        note: what the answer means, for the log and the report.
    """

    text: str
    note: str = ""


class AnswerPolicy(Protocol):
    """Answers a running plan's questions, or leaves them to the consumer."""

    def answer(
        self, step: Step, prompt: Prompt, output: Sequence[str]
    ) -> PolicyAnswer | None:
        """Answers a command's question or a manual step.

        Args:
            step: the step asking.
            prompt: the question.
            output: the command's output so far (what it is about to do).

        Returns:
            The answer, or `None` to leave it to the consumer.

        Raises:
            UnanswerablePromptError: nobody can answer it in this mode.
        """
        ...

    def on_failure(
        self, step: Step, attempt: int, choices: tuple[str, ...]
    ) -> str | None:
        """Decides what happens after a step failed.

        Args:
            step: the failed step.
            attempt: how many times it ran, this time included.
            choices: the decisions allowed (`retry`, `skip`, `stop`).

        Returns:
            One of `choices`, or `None` to leave it to the consumer.
        """
        ...


class InteractivePolicy:
    """Leaves every question and every failure to the consumer."""

    def answer(
        self, step: Step, prompt: Prompt, output: Sequence[str]
    ) -> PolicyAnswer | None:
        """Leaves the question to the consumer."""
        return None

    def on_failure(
        self, step: Step, attempt: int, choices: tuple[str, ...]
    ) -> str | None:
        """Leaves the decision to the consumer."""
        return None


class UnattendedPolicy:
    """Answers everything by itself, for `edgetui run --yes`.

    Args:
        network_retries: how many times a failed download step is retried.
    """

    def __init__(self, network_retries: int = 2) -> None:
        self.network_retries = network_retries

    def answer(
        self, step: Step, prompt: Prompt, output: Sequence[str]
    ) -> PolicyAnswer | None:
        """Answers as the module docstring describes.

        Raises:
            UnanswerablePromptError: a password, or a question no rule covers.
        """
        if prompt.kind == "confirm":
            return _confirm(prompt, output)
        if prompt.kind == "conffile":
            return _keep_conffile(prompt)
        if prompt.kind == MANUAL_PROMPT:
            return PolicyAnswer(
                MANUAL_LATER,
                f"left for the technician: {step.title}",
            )
        if prompt.kind == "password":
            raise UnanswerablePromptError(
                "sudo asks for a password, which nobody can type in an "
                "unattended run; run edgetui as root (`sudo edgetui run --yes`)"
            )
        raise UnanswerablePromptError(
            f"the command asks a question edgetui cannot answer unattended: "
            f"{prompt.text.splitlines()[-1] if prompt.text else prompt.kind}"
        )

    def on_failure(
        self, step: Step, attempt: int, choices: tuple[str, ...]
    ) -> str | None:
        """Retries a download a few times; otherwise stops."""
        retry = step.requires_network and attempt <= self.network_retries
        return RETRY if retry and RETRY in choices else STOP


def _confirm(prompt: Prompt, output: Sequence[str]) -> PolicyAnswer:
    """Says yes, unless the tool would remove what an update never removes."""
    yes = "Y" if "Y" in prompt.choices else "y"
    no = "n" if "n" in prompt.choices else "N"
    removed = [name.rstrip("*") for name in removals(output)]
    unexpected = [name for name in removed if name not in REPLACED_BY_UPDATES]
    if unexpected:
        return PolicyAnswer(
            no,
            "declined: the package tool would also remove "
            f"{', '.join(unexpected)}, which an IoT Edge update never removes; "
            "run without --yes to look at the change and decide",
        )
    note = "confirmed (--yes)"
    if removed:
        note += f"; removes {', '.join(removed)} as the update replaces them"
    return PolicyAnswer(yes, note)


def _keep_conffile(prompt: Prompt) -> PolicyAnswer:
    path = conffile_of(prompt.text)
    return PolicyAnswer(
        "N",
        f"kept the technician's {path}; the package maintainer's version is "
        f"saved beside it as {path}.dpkg-dist",
    )
