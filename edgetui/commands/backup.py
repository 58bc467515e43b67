"""`edgetui backup create|verify|list|restore`: what cannot be recreated, kept safe."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from edgetui import exitcodes
from edgetui.commands.confirmation import confirm_destructive
from edgetui.commands.engine_client import optional_engine_client
from edgetui.commands.outcome import report_failure
from edgetui.commands.runners import runner_for
from edgetui.device.root import HostilePathError
from edgetui.operations.backup_archive import (
    BackupArchive,
    Verification,
    create_backup,
    find_backup,
    list_backups,
    verify_backup,
)
from edgetui.operations.backup_restore import RestoreResult, restore_backup
from edgetui.operations.errors import OperationError, require_root
from edgetui.operations.installed import find_installed_edge

if TYPE_CHECKING:
    from edgetui.cli import Context


def run_backup(
    context: Context,
    action: str,
    *,
    name: str | None = None,
    yes: bool = False,
    safety_backup: bool = True,
) -> int:
    """Creates, verifies, lists or restores backups.

    Args:
        context: the device root and output form.
        action: `create`, `verify`, `list` or `restore`.
        name: the backup to verify or restore (file name or device path);
            the newest when `None`.
        yes: restore without asking (needed when stdin is not a terminal).
        safety_backup: back up the current state before restoring.

    Returns:
        The exit code (1 when a backup does not verify, 2 for a hostile
        archive, 3 without root, 4 when the restore was not confirmed).
    """
    try:
        if action == "create":
            return _create(context)
        if action == "list":
            return _list(context)
        if action == "verify":
            return _verify(context, find_backup(context.root, name))
        return _restore(context, name, yes=yes, safety_backup=safety_backup)
    except (OperationError, HostilePathError) as error:
        return report_failure(error)


def _create(context: Context) -> int:
    archive = asyncio.run(_create_with_engine(context))
    manifest = archive.manifest
    if context.json:
        _print_json(_archive_json(archive))
        return exitcodes.OK
    files = len(manifest.files) if manifest else 0
    print(f"wrote {archive.path}: {files} files, {_size(archive.size)}")
    for warning in manifest.warnings if manifest else ():
        print(f"warning: {warning}")
    print("verify it with `sudo edgetui backup verify`; copy it off the device too")
    return exitcodes.OK


async def _create_with_engine(context: Context) -> BackupArchive:
    runner = runner_for(context)
    installed = await find_installed_edge(context.root, runner)
    with optional_engine_client() as client:
        return await create_backup(context.root, runner, client, installed)


def _list(context: Context) -> int:
    backups = list_backups(context.root)
    if context.json:
        _print_json({"backups": [_archive_json(archive) for archive in backups]})
        return exitcodes.OK
    if not backups:
        print("no backups yet; make one with `sudo edgetui backup create`")
    for archive in backups:
        print(_archive_line(archive))
    return exitcodes.OK


def _verify(context: Context, archive: BackupArchive) -> int:
    verification = verify_backup(context.root, archive)
    if context.json:
        _print_json(_verification_json(verification))
    elif verification.ok:
        print(f"ok: {archive.name}: {verification.checked} files match the manifest")
    else:
        print(f"{archive.name} does not verify:")
        for problem in verification.problems:
            print(f"  {problem}")
        print("do not restore it; make a new backup, or verify another one")
    return exitcodes.OK if verification.ok else exitcodes.FAILED


def _restore(
    context: Context, name: str | None, *, yes: bool, safety_backup: bool
) -> int:
    require_root(context.root, "restoring a backup")
    archive = find_backup(context.root, name)
    consequence = (
        f"This puts back the files of {archive.name} ({archive.path}), "
        "replacing the ones on the device. Stop IoT Edge first "
        "(`sudo iotedge system stop`, 1.1: `sudo systemctl stop iotedge`)."
    )
    unattended = f"sudo edgetui backup restore {archive.name} --yes"
    if not yes and not confirm_destructive(consequence, "Restore now?", unattended):
        return exitcodes.ABORTED

    result = asyncio.run(_restore_with_engine(context, archive, safety_backup))
    if context.json:
        _print_json(_restore_json(result))
        return exitcodes.OK
    print(
        f"restored {result.files} files, {result.symlinks} links and "
        f"{result.directories} directories from {archive.name}"
    )
    if result.safety_backup is not None:
        print(f"the state before the restore is in {result.safety_backup.path}")
    print(
        "next: `sudo iotedge config apply` (1.2+) or `sudo systemctl restart "
        "iotedge` (1.1) so the daemons read the restored files"
    )
    return exitcodes.OK


async def _restore_with_engine(
    context: Context, archive: BackupArchive, safety_backup: bool
) -> RestoreResult:
    runner = runner_for(context)
    installed = await find_installed_edge(context.root, runner)
    with optional_engine_client() as client:
        return await restore_backup(
            context.root,
            runner,
            client,
            installed,
            archive,
            safety_backup=safety_backup,
        )


def _archive_line(archive: BackupArchive) -> str:
    manifest = archive.manifest
    if manifest is None:
        return f"{archive.name}  {_size(archive.size)}  unreadable: {archive.problem}"
    source = manifest.source.get("version") or manifest.source.get("daemon") or "?"
    return (
        f"{archive.name}  {manifest.created}  IoT Edge {source}  "
        f"{len(manifest.files)} files  {_size(archive.size)}"
    )


def _archive_json(archive: BackupArchive) -> dict[str, Any]:
    return {
        "name": archive.name,
        "path": archive.path,
        "size": archive.size,
        "problem": archive.problem,
        "manifest": archive.manifest.to_json() if archive.manifest else None,
    }


def _verification_json(verification: Verification) -> dict[str, Any]:
    return {
        "name": verification.archive.name,
        "path": verification.archive.path,
        "ok": verification.ok,
        "checked": verification.checked,
        "problems": verification.problems,
    }


def _restore_json(result: RestoreResult) -> dict[str, Any]:
    safety = result.safety_backup
    return {
        "name": result.archive.name,
        "files": result.files,
        "symlinks": result.symlinks,
        "directories": result.directories,
        "safety_backup": safety.path if safety else None,
    }


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KiB"
    return f"{count / (1024 * 1024):.1f} MiB"


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2))
