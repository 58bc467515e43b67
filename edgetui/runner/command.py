"""A command is data: what to run, how, and which prompts to expect."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PromptRule:
    """Recognises a question a command asks on its terminal.

    Attributes:
        kind: `confirm` (apt's `[Y/n]`, dnf's `[y/N]`), `conffile` (dpkg's
            `(Y/I/N/O/D/Z)`), or `password` (sudo).
        pattern: matched against the tail of the output, terminal escapes
            stripped.
        choices: the answers the command accepts, first the default.
        default: the answer Enter gives; a `default` group in `pattern`
            (dpkg's `[default=N]`) overrides it.
        secret: the answer is never recorded (a password).
        block_start: marks the first line of the block a prompt belongs to
            (dpkg's `Configuration file '...'`), so the prompt's text can
            carry the whole block.
    """

    kind: str
    pattern: re.Pattern[str]
    choices: tuple[str, ...] = ()
    default: str | None = None
    secret: bool = False
    block_start: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Command:
    """One program to run, as an argv list (never through a shell).

    Attributes:
        argv: the program and its arguments; the program is found on PATH.
        env: variables added to the runner's environment.
        needs_root: run through sudo when edgetui itself is not root.
        interactive: run in a pseudo terminal and watch for `prompt_rules`.
        prompt_rules: the prompts this command may raise.
        timeout: seconds before the whole command is stopped; `None` for none.
        idle_timeout: seconds without output before it is stopped.
        read_only: the command only reads the device, so it runs even in
            dry-run mode.
        title: a short description for people (`Install aziot-edge`).
    """

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    needs_root: bool = False
    interactive: bool = False
    prompt_rules: tuple[PromptRule, ...] = ()
    timeout: float | None = 600.0
    idle_timeout: float | None = None
    read_only: bool = False
    cwd: str | None = None
    title: str = ""

    def __post_init__(self) -> None:
        if not self.argv or not all(isinstance(arg, str) for arg in self.argv):
            raise ValueError(f"argv must be a non-empty list of strings: {self.argv!r}")
        object.__setattr__(self, "argv", tuple(self.argv))
