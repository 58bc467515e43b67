"""Restoring a backup: refuse anything hostile, then swap files in at once.

Every member is checked before anything changes: its name must be a plain
relative path inside the root, listed in the manifest; symbolic links must
point inside the root; hard links only to files of the same archive; no
device files, pipes or sockets; and no member may sit below a link the
archive itself brings. The archive must verify against its manifest.
Then every file is written next to its target under a temporary name and,
once all are written, renamed into place.
"""

from __future__ import annotations

import logging
import os
import posixpath
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgetui.device.root import DeviceRoot
from edgetui.operations.accounts import Accounts
from edgetui.operations.backup_archive import (
    ARCHIVE_ERRORS,
    BackupArchive,
    create_backup,
    verify_backup,
)
from edgetui.operations.backup_manifest import MANIFEST_MEMBER, BackupManifest
from edgetui.operations.errors import BadInputError, OperationError, require_root
from edgetui.operations.installed import InstalledEdge
from edgetui.runner.runner import Runner

log = logging.getLogger(__name__)


class HostileArchiveError(BadInputError):
    """The archive holds a member that would write outside its place."""


@dataclass
class RestoreResult:
    """What a restore did.

    Attributes:
        archive: the backup restored.
        files: how many files were put back.
        directories: how many directories were created or updated.
        symlinks: how many symbolic links were put back.
        safety_backup: the backup of the state before the restore.
    """

    archive: BackupArchive
    files: int = 0
    directories: int = 0
    symlinks: int = 0
    safety_backup: BackupArchive | None = None


@dataclass
class _Staged:
    """Files written beside their targets, waiting to be renamed in."""

    renames: list[tuple[Path, Path]] = field(default_factory=list)

    def discard(self) -> None:
        for temporary, _ in self.renames:
            temporary.unlink(missing_ok=True)


def check_members(
    root: DeviceRoot, members: list[tarfile.TarInfo], manifest: BackupManifest
) -> None:
    """Refuses an archive whose members could write outside their place.

    Args:
        root: the device root the archive would be restored under.
        members: the archive's members, in order.
        manifest: the archive's own manifest.

    Raises:
        HostileArchiveError: naming the first hostile member and why.
    """
    listed = set(manifest.directories) | set(manifest.symlinks)
    listed |= {item.path for item in manifest.files}
    links: set[str] = set()
    files: set[str] = set()
    for member in members:
        if member.name == MANIFEST_MEMBER:
            continue
        path = _safe_name(member)
        if "/" + path not in listed:
            _refuse(member, "it is not listed in the backup's manifest")
        if any(path.startswith(link + "/") for link in links):
            _refuse(member, "it lies below a link the archive brings")
        if member.issym():
            _check_symlink(root, member, path)
            links.add(path)
        elif member.islnk():
            target = posixpath.normpath(member.linkname)
            if target not in files:
                _refuse(member, "it is a hard link to something outside the backup")
            links.add(path)
        elif member.isfile():
            files.add(path)
        elif not member.isdir():
            _refuse(member, "it is a device file, pipe or socket")


async def restore_backup(
    root: DeviceRoot,
    runner: Runner,
    client: Any | None,
    installed: InstalledEdge,
    archive: BackupArchive,
    *,
    safety_backup: bool = True,
) -> RestoreResult:
    """Puts the files of a backup back in place.

    Every member is checked and the archive verified first; then (unless
    `safety_backup` is false) the current state is backed up; then the
    files are written beside their targets and renamed in.

    Args:
        root: the device root.
        runner: runs `df` for the safety backup.
        client: a docker SDK client for the safety backup, or `None`.
        installed: the installed daemon, for the safety backup's manifest.
        archive: the backup to restore.
        safety_backup: back up the current state first.

    Returns:
        What was restored.

    Raises:
        NotRootError: restoring on this machine without root.
        HostileArchiveError: a member is hostile; nothing was changed.
        OperationError: the archive does not verify, or writing failed;
            nothing was changed.
    """
    require_root(root, "restoring a backup")
    manifest = _inner_manifest(archive)
    try:
        with tarfile.open(root.path(archive.path), mode="r:gz") as tar:
            check_members(root, tar.getmembers(), manifest)
    except ARCHIVE_ERRORS as error:
        raise OperationError(
            f"{archive.name} cannot be read ({error}); nothing was restored"
        ) from None
    verification = verify_backup(root, archive)
    if not verification.ok:
        raise OperationError(
            f"{archive.name} does not match its manifest "
            f"({verification.problems[0]}); nothing was restored. Choose "
            "another backup (`edgetui backup list`)"
        )

    with tarfile.open(root.path(archive.path), mode="r:gz") as tar:
        members = tar.getmembers()
        result = RestoreResult(archive=archive)
        if safety_backup:
            result.safety_backup = await create_backup(root, runner, client, installed)
        _restore_members(root, tar, members, result)
    log.info("restored %s: %d files", archive.name, result.files)
    return result


def _inner_manifest(archive: BackupArchive) -> BackupManifest:
    if archive.manifest is None:
        raise OperationError(
            f"{archive.name} has no readable manifest; nothing was restored"
        )
    return archive.manifest


def _safe_name(member: tarfile.TarInfo) -> str:
    name = member.name
    if not name or "\x00" in name or "\\" in name:
        _refuse(member, "its name is empty or has odd characters")
    if name.startswith("/"):
        _refuse(member, "its path is absolute")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        _refuse(member, "its path climbs out with `..`")
    if "" in parts or "." in parts:
        _refuse(member, "its path is not in plain form")
    return name.rstrip("/")


def _check_symlink(root: DeviceRoot, member: tarfile.TarInfo, path: str) -> None:
    target = member.linkname
    if not target or "\x00" in target:
        _refuse(member, "its link target is empty")
    if target.startswith("/"):
        if not root.is_host:
            _refuse(member, "it links to an absolute path outside the device root")
        return
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if joined == ".." or joined.startswith("../"):
        _refuse(member, "it links outside the device root")


def _refuse(member: tarfile.TarInfo, reason: str) -> None:
    raise HostileArchiveError(
        f"the backup holds a hostile member {member.name!r}: {reason}; "
        "nothing was restored. Use a backup made by edgetui on this device"
    )


def _restore_members(
    root: DeviceRoot,
    tar: tarfile.TarFile,
    members: list[tarfile.TarInfo],
    result: RestoreResult,
) -> None:
    accounts = Accounts.read(root)
    staged = _Staged()
    try:
        for member in members:
            if member.name == MANIFEST_MEMBER:
                continue
            target = _target(root, member)
            if member.isdir():
                _make_directory(target, member, accounts)
                result.directories += 1
            elif member.issym():
                staged.renames.append((_stage_symlink(target, member), target))
                result.symlinks += 1
            else:
                source = _source_member(tar, member)
                staged.renames.append(
                    (_stage_file(tar, source, target, accounts), target)
                )
                result.files += 1
    except BaseException as error:
        staged.discard()
        if isinstance(error, OSError):
            raise OperationError(
                "restoring failed before any file was replaced "
                f"({error.strerror or error}: {error.filename or ''}); check "
                "free space, then try again"
            ) from None
        raise
    for temporary, target in staged.renames:
        os.replace(temporary, target)


def _target(root: DeviceRoot, member: tarfile.TarInfo) -> Path:
    target = root.path("/" + member.name.rstrip("/"))
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    if not parent.resolve().is_relative_to(root.root):
        _refuse(member, "its directory leads outside the device root")
    if target.is_dir() and not target.is_symlink() and not member.isdir():
        _refuse(member, "a directory stands where the backup has a file")
    return target


def _source_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> tarfile.TarInfo:
    if member.islnk():
        return tar.getmember(posixpath.normpath(member.linkname))
    return member


def _make_directory(target: Path, member: tarfile.TarInfo, accounts: Accounts) -> None:
    target.mkdir(parents=True, exist_ok=True)
    _own(target, member, accounts)
    target.chmod(member.mode & 0o777)


def _stage_file(
    tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, accounts: Accounts
) -> Path:
    temporary = target.with_name(f".{target.name}.edgetui-restore")
    handle = tar.extractfile(member)
    if handle is None:
        raise OSError(f"cannot read {member.name} from the archive")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as output:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            output.write(chunk)
        output.flush()
        os.fsync(output.fileno())
    _own(temporary, member, accounts)
    temporary.chmod(member.mode & 0o777)
    return temporary


def _stage_symlink(target: Path, member: tarfile.TarInfo) -> Path:
    temporary = target.with_name(f".{target.name}.edgetui-restore")
    temporary.unlink(missing_ok=True)
    os.symlink(member.linkname, temporary)
    return temporary


def _own(path: Path, member: tarfile.TarInfo, accounts: Accounts) -> None:
    """Gives the path its recorded owner, by name where the device knows it."""
    if os.geteuid() != 0:
        return
    uid = accounts.user_id(member.uname) if member.uname else None
    gid = accounts.group_id(member.gname) if member.gname else None
    uid = member.uid if uid is None else uid
    gid = member.gid if gid is None else gid
    os.chown(path, uid, gid, follow_symlinks=False)
