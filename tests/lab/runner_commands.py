"""Commands run in lab devices through edgetui's runner, and what they leave.

The runner runs on the host and each command is prefixed with `nsenter`
into the device, keeping the runner's environment (DPKG_PAGER, LC_ALL...),
so apt-get and dpkg run in the device on the runner's pseudo terminal,
exactly as they would under edgetui on the device itself. Process trees
cross the namespace boundary: the host sees every process of the device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from edgetui.runner.command import Command
from edgetui.runner.events import Prompt
from edgetui.runner.prompts import PACKAGE_PROMPTS

from .device import Device
from .lab import LabDevice


def in_device(lab_device: LabDevice, *argv: str) -> Command:
    """An interactive, root command that runs inside the device."""
    return Command(
        argv=(*lab_device.device.command(inherit=True), *argv),
        needs_root=True,
        interactive=True,
        prompt_rules=PACKAGE_PROMPTS,
        timeout=300,
        title=" ".join(argv),
    )


def answering(*answers: str) -> tuple[Callable[[Prompt], str], list[Prompt]]:
    """Gives the answers in order, and the list of prompts that were asked."""
    asked: list[Prompt] = []

    def answer(prompt: Prompt) -> str:
        asked.append(prompt)
        return answers[len(asked) - 1]

    return answer, asked


def device_processes(device: Device) -> set[str]:
    """Names and PIDs of the device's running processes, `apt-get:1234` style.

    Zombies are left out: they have ended and only wait for their parent.
    """
    names = set()
    for pid in device.processes():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines())
        if not fields["State"].startswith("Z"):
            names.add(f"{fields['Name']}:{pid}")
    return names


def package_tools(processes: Sequence[str] | set[str]) -> set[str]:
    """The processes of a package operation among `device_processes()`."""
    tools = ("apt", "apt-get", "dpkg", "http", "file", "store", "sh", "pager")
    return {name for name in processes if name.split(":")[0] in tools}
