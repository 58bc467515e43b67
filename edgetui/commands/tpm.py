"""`edgetui tpm check|fix`: TPM access for the IoT Edge TPM service."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from edgetui import exitcodes
from edgetui.commands.outcome import report_failure
from edgetui.commands.runners import runner_for
from edgetui.device.root import HostilePathError
from edgetui.operations.errors import OperationError
from edgetui.operations.installed import find_installed_edge
from edgetui.operations.tpm_access import (
    RULE_PATH,
    TpmAccess,
    check_tpm_access,
    fix_tpm_access,
)

if TYPE_CHECKING:
    from edgetui.cli import Context


def run_tpm(context: Context, action: str) -> int:
    """Checks TPM access (`check`) or fixes it (`fix`), then reports.

    Args:
        context: the device root and output form.
        action: `check` or `fix`.

    Returns:
        0 when TPM access is right (after the fix), 1 when a problem remains,
        3 when fixing needs root.
    """
    try:
        access = asyncio.run(_run(context, action))
    except (OperationError, HostilePathError) as error:
        return report_failure(error)
    if context.json:
        print(json.dumps({**asdict(access), "ok": access.ok}, indent=2))
    else:
        _print_access(access, fixed=action == "fix")
    return exitcodes.OK if access.ok else exitcodes.FAILED


async def _run(context: Context, action: str) -> TpmAccess:
    runner = runner_for(context)
    installed = await find_installed_edge(context.root, runner)
    if action == "fix":
        return await fix_tpm_access(context.root, runner, installed)
    return await check_tpm_access(context.root, runner, installed)


def _print_access(access: TpmAccess, *, fixed: bool) -> None:
    print(f"TPM access for {access.expected_owner}:")
    if not access.rule_files:
        print("  no udev rule names tpm0 or tpmrm0")
    for rule in access.rule_files:
        devices = ", ".join(rule.devices)
        print(f"  {rule.path}: {devices} -> OWNER={rule.owner or '(not set)'}")
    for node in access.devices:
        if node.present:
            mode = f"{node.mode or 0:04o}"
            print(f"  {node.path}: {node.owner}:{node.group} mode {mode}")
        else:
            print(f"  {node.path}: not present")
    if not access.any_device and not access.tpm_attestation:
        print("no TPM on this device and no TPM attestation: nothing to do")
    for problem in access.problems:
        print(f"problem: {problem}")
    for note in access.notes:
        print(f"note: {note}")
    if access.ok and access.any_device:
        done = f"{RULE_PATH} is in force; " if fixed else ""
        print(f"ok: {done}the TPM service user can open the TPM")
