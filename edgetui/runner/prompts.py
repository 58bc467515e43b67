"""The questions package tools and sudo ask, and how to recognise them.

Patterns match the unfinished last line of output, escapes stripped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from edgetui.runner.command import PromptRule
from edgetui.runner.events import Prompt

SUDO_MARKER = "[edgetui-sudo] password: "
"""The prompt sudo is told to print (`sudo -p`), so it is recognised exactly."""

APT_CONFIRM = PromptRule(
    kind="confirm",
    pattern=re.compile(r"Do you want to continue\? \[Y/n\] ?$"),
    choices=("Y", "n"),
    default="Y",
)

DNF_CONFIRM = PromptRule(
    kind="confirm",
    pattern=re.compile(r"Is this ok \[y/N\]: ?$"),
    choices=("N", "y"),
    default="N",
)

DPKG_CONFFILE = PromptRule(
    kind="conffile",
    pattern=re.compile(
        r"\*\*\* (?P<file>\S+) \(Y/I/N/O/D/Z\) \[default=(?P<default>[YN])\] \? ?$"
    ),
    # Z starts a shell inside the hidden terminal, so it is never offered.
    choices=("N", "Y", "D"),
    default="N",
    block_start=re.compile(r"^Configuration file '"),
)

SUDO_PASSWORD = PromptRule(
    kind="password",
    pattern=re.compile(
        re.escape(SUDO_MARKER.rstrip()) + r" ?$"
        r"|^\[sudo\] password for [^:]*: ?$"
        r"|^Password: ?$"
    ),
    secret=True,
)

PACKAGE_PROMPTS = (APT_CONFIRM, DNF_CONFIRM, DPKG_CONFFILE)
"""What apt-get, dnf and dpkg may ask while installing or removing packages."""

_MAX_BLOCK_LINES = 40


def match_prompt(
    rules: Iterable[PromptRule], pending: str, recent: Iterable[str]
) -> Prompt | None:
    """Recognises a prompt in the unfinished last line of output.

    Args:
        rules: the prompts the command may ask.
        pending: the unfinished last line, escapes stripped.
        recent: the last complete lines, oldest first, for prompts that
            belong to a block (dpkg's conffile question).

    Returns:
        The prompt, or None when no rule matches.
    """
    for rule in rules:
        match = rule.pattern.search(pending)
        if match is None:
            continue
        default = match.groupdict().get("default") or rule.default
        choices = rule.choices
        if default is not None and default in choices:
            choices = (default, *(c for c in choices if c != default))
        return Prompt(
            kind=rule.kind,
            text=_block_text(rule, list(recent), pending),
            choices=choices,
            default=default,
            secret=rule.secret,
        )
    return None


def _block_text(rule: PromptRule, recent: list[str], pending: str) -> str:
    prompt = pending.rstrip()
    if rule.block_start is None:
        return prompt
    for index in range(len(recent) - 1, -1, -1):
        if rule.block_start.search(recent[index]):
            block = recent[index:][-_MAX_BLOCK_LINES:]
            return "\n".join([*block, prompt])
    return prompt
