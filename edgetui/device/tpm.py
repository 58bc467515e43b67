"""The udev rule that hands the TPM device to the IoT Edge TPM service."""

from __future__ import annotations

import re
from dataclasses import dataclass

RULES_DIRECTORY = "/etc/udev/rules.d"
"""Where administrators put their udev rules."""

TPM_DEVICES = ("/dev/tpm0", "/dev/tpmrm0")
"""The TPM character devices (`tpmrm0` needs kernel 4.12 or later)."""

_TPM_KERNEL = re.compile(r'\bKERNEL\s*==\s*"(tpm0|tpmrm0)"')
_OWNER = re.compile(r'\bOWNER\s*:?=\s*"([^"]*)"')


@dataclass(frozen=True)
class TpmRule:
    """What one rules file says about the TPM devices.

    Attributes:
        devices: the kernel names the file matches (`tpm0`, `tpmrm0`).
        owner: the last `OWNER=` those rules assign, or `None` when they set
            only a group or mode.
    """

    devices: tuple[str, ...]
    owner: str | None


def parse_udev_rules(text: str) -> TpmRule | None:
    """Finds the rules for `tpm0` and `tpmrm0` in a udev rules file.

    A rule is one line (a trailing backslash continues it); comments are
    skipped.

    Args:
        text: the rules file content.

    Returns:
        The TPM rule, or `None` when the file does not mention a TPM device.
    """
    devices: list[str] = []
    owner: str | None = None
    for rule in _logical_lines(text):
        kernel = _TPM_KERNEL.search(rule)
        if kernel is None:
            continue
        if kernel.group(1) not in devices:
            devices.append(kernel.group(1))
        for match in _OWNER.finditer(rule):
            owner = match.group(1) or None
    if not devices:
        return None
    return TpmRule(devices=tuple(devices), owner=owner)


def _logical_lines(text: str) -> list[str]:
    rules: list[str] = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        rules.append(current + stripped)
        current = ""
    if current:
        rules.append(current)
    return rules
