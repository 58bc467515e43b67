"""Backups: root-only tar archives in `/var/backups/edgetui` with a manifest.

An archive is written under a temporary name and renamed only when complete,
so a full disk or a crash never leaves a half-written backup that looks whole.
Members are named by device path without the leading `/`
(`etc/aziot/config.toml`); the manifest is the last member, and a copy of it
sits beside the archive for quick listing.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import posixpath
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from edgetui import __version__
from edgetui.device.disk import df_argv, parse_df
from edgetui.device.root import DeviceRoot, HostilePathError
from edgetui.operations.accounts import Accounts
from edgetui.operations.backup_manifest import (
    MANIFEST_MEMBER,
    BackedUpFile,
    BackupManifest,
    ManifestError,
)
from edgetui.operations.backup_sources import BACKUP_DIRECTORY, find_backup_sources
from edgetui.operations.errors import BadInputError, OperationError, require_root
from edgetui.operations.installed import InstalledEdge
from edgetui.runner.command import Command
from edgetui.runner.runner import Runner

log = logging.getLogger(__name__)

ARCHIVE_PREFIX = "edgetui-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
SIDECAR_SUFFIX = ".manifest.json"
HEADROOM = 1024 * 1024
"""Bytes added to the estimate for tar headers and the manifest."""

ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


@dataclass(frozen=True)
class BackupArchive:
    """One backup on the device.

    Attributes:
        name: the archive's file name.
        path: its device path.
        size: the archive's size in bytes.
        manifest: what it holds; `None` when the manifest cannot be read.
        problem: why the manifest cannot be read.
    """

    name: str
    path: str
    size: int
    manifest: BackupManifest | None
    problem: str | None = None


@dataclass
class Verification:
    """The result of re-hashing an archive against its manifest.

    Attributes:
        archive: the archive checked.
        checked: how many files were re-hashed.
        problems: every difference found; empty when the backup is sound.
    """

    archive: BackupArchive
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file matches the manifest."""
        return not self.problems


@dataclass
class _Entry:
    device_path: str
    host: Path
    info: os.stat_result


@dataclass
class _Collected:
    files: list[_Entry] = field(default_factory=list)
    directories: list[_Entry] = field(default_factory=list)
    symlinks: list[_Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(entry.info.st_size for entry in self.files)


async def create_backup(
    root: DeviceRoot,
    runner: Runner,
    client: Any | None,
    installed: InstalledEdge,
    *,
    now: datetime | None = None,
) -> BackupArchive:
    """Backs up everything that cannot be recreated (see `backup_sources`).

    Args:
        root: the device root.
        runner: runs `df` for the free space.
        client: a docker SDK client to find module storage, or `None`.
        installed: the installed daemon, recorded in the manifest.
        now: the creation time (tests fix it).

    Returns:
        The archive written.

    Raises:
        NotRootError: backing up this machine without root.
        OperationError: too little free space, or writing failed; nothing
            is left behind in either case.
    """
    require_root(root, "creating a backup")
    sources = find_backup_sources(root, client)
    collected = _collect(root, sources.paths)

    needed = collected.size + collected.size // 10 + HEADROOM
    free = await free_bytes(root, runner, BACKUP_DIRECTORY)
    if free is not None and free < needed:
        raise OperationError(_no_room_message(needed, free))

    created = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    manifest = BackupManifest(
        created=created.isoformat(timespec="seconds"),
        edgetui_version=__version__,
        source={
            "daemon": installed.daemon,
            "version": str(installed.version) if installed.version else None,
        },
        roots=list(sources.paths),
        missing=collected.missing,
        skipped=collected.skipped,
        warnings=list(sources.warnings)
        + [
            f"{path} could not be read ({reason}) and is not in this backup"
            for path, reason in collected.skipped.items()
            if reason.startswith("unreadable")
        ],
    )
    directory = prepare_backup_directory(root)
    target = _free_name(directory, created)
    _write_archive(root, collected, manifest, target)
    log.info("wrote backup %s (%d files)", target.name, len(manifest.files))
    return BackupArchive(
        name=target.name,
        path=f"{BACKUP_DIRECTORY}/{target.name}",
        size=target.stat().st_size,
        manifest=manifest,
    )


def list_backups(root: DeviceRoot) -> list[BackupArchive]:
    """Lists the backups, newest first.

    Raises:
        NotRootError: listing this machine's backups without root.
    """
    require_root(root, "reading the backups")
    directory = root.path(BACKUP_DIRECTORY)
    if not directory.is_dir():
        return []
    archives = [
        entry
        for entry in directory.iterdir()
        if entry.name.startswith(ARCHIVE_PREFIX) and entry.name.endswith(ARCHIVE_SUFFIX)
    ]
    archives.sort(
        key=lambda entry: (entry.stat().st_mtime_ns, entry.name), reverse=True
    )
    return [_describe(root, entry) for entry in archives]


def find_backup(root: DeviceRoot, name: str | None) -> BackupArchive:
    """Finds a backup by file name or device path; the newest when `name` is None.

    Raises:
        OperationError: there is no such backup, or none at all.
        BadInputError: the name climbs out of the device root.
    """
    if name is None:
        backups = list_backups(root)
        if not backups:
            raise OperationError(
                f"there is no backup in {BACKUP_DIRECTORY}; make one with "
                "`sudo edgetui backup create`"
            )
        return backups[0]
    require_root(root, "reading the backups")
    device_path = name if "/" in name else f"{BACKUP_DIRECTORY}/{name}"
    try:
        host = root.path(posixpath.normpath(device_path))
    except HostilePathError as error:
        raise BadInputError(str(error)) from None
    if not host.is_file():
        raise OperationError(
            f"there is no backup {device_path}; `edgetui backup list` shows them"
        )
    return _describe(root, host)


def verify_backup(root: DeviceRoot, archive: BackupArchive) -> Verification:
    """Re-reads an archive and checks every file against the manifest.

    Args:
        root: the device root.
        archive: the backup to check.

    Returns:
        The verification; its problems name each difference.
    """
    result = Verification(archive=archive)
    try:
        hashes, inner = _read_members(root.path(archive.path))
    except ARCHIVE_ERRORS as error:
        result.problems.append(f"the archive cannot be read ({error})")
        return result
    if inner is None:
        result.problems.append("the archive holds no manifest")
        return result

    expected = {item.path: item for item in inner.files}
    for path, (size, digest) in hashes.items():
        item = expected.get(path)
        if item is None:
            result.problems.append(f"{path} is in the archive but not in the manifest")
        elif item.size != size or item.sha256 != digest:
            result.problems.append(f"{path} differs from the manifest (size or hash)")
    for path in expected.keys() - hashes.keys():
        result.problems.append(f"{path} is in the manifest but not in the archive")
    if archive.manifest is not None and archive.manifest != inner:
        result.problems.append(
            "the manifest beside the archive differs from the one in it"
        )
    result.checked = len(hashes)
    return result


def prepare_backup_directory(root: DeviceRoot) -> Path:
    """Creates the backup directory (root only, mode 0700) and gives its host path."""
    directory = root.path(BACKUP_DIRECTORY)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
    except OSError as error:
        raise OperationError(
            f"cannot create {BACKUP_DIRECTORY} ({error.strerror or error}); "
            "check that /var is writable and not full"
        ) from None
    return directory


async def free_bytes(root: DeviceRoot, runner: Runner, device_path: str) -> int | None:
    """Gives the free bytes where `device_path` lives (the nearest existing parent).

    Both the filesystem under the root and `df` on the device path are asked;
    the smaller answer wins (on a simulated device `df` decides).
    """
    answers = []
    host = root.path(device_path)
    while not host.exists() and host != host.parent:
        host = host.parent
    try:
        status = os.statvfs(host)
        answers.append(status.f_bavail * status.f_frsize)
    except OSError:
        pass
    result = await runner.run(
        Command(argv=df_argv([device_path]), read_only=True, timeout=30.0)
    )
    rows = parse_df(result.output) if result.ok else []
    answers.extend(row.available for row in rows)
    return min(answers) if answers else None


def _no_room_message(needed: int, free: int) -> str:
    return (
        f"not enough free space in {BACKUP_DIRECTORY}: the backup needs about "
        f"{_megabytes(needed)}, {_megabytes(free)} are free. Free some space "
        "(`sudo docker image prune`, old backups in "
        f"{BACKUP_DIRECTORY}), then try again; nothing was written"
    )


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MiB"


def _collect(root: DeviceRoot, paths: list[str]) -> _Collected:
    collected = _Collected()
    pending = list(paths)
    seen: set[str] = set()
    while pending:
        device_path = posixpath.normpath(pending.pop(0))
        if device_path in seen:
            continue
        seen.add(device_path)
        try:
            host = root.path(device_path)
            info = host.lstat()
        except (OSError, HostilePathError):
            collected.missing.append(device_path)
            continue
        if stat.S_ISLNK(info.st_mode):
            collected.symlinks.append(_Entry(device_path, host, info))
            pending.append(_link_target(device_path, host))
        elif stat.S_ISDIR(info.st_mode):
            _walk(root, device_path, host, collected)
        else:
            _add_entry(collected, _Entry(device_path, host, info))
    return collected


def _link_target(device_path: str, host: Path) -> str:
    target = os.readlink(host)
    if not target.startswith("/"):
        target = posixpath.join(posixpath.dirname(device_path), target)
    return posixpath.normpath(target)


def _walk(
    root: DeviceRoot, device_path: str, host: Path, collected: _Collected
) -> None:
    backups = root.path(BACKUP_DIRECTORY)

    def unreadable(error: OSError) -> None:
        where = root.device_path(error.filename) if error.filename else device_path
        collected.skipped[where] = f"unreadable ({error.strerror or error})"

    for directory, subdirectories, names in os.walk(host, onerror=unreadable):
        here = Path(directory)
        if here == backups:
            subdirectories.clear()
            continue
        relative = here.relative_to(host).as_posix()
        base = device_path if relative == "." else f"{device_path}/{relative}"
        collected.directories.append(_Entry(base, here, here.lstat()))
        for name in sorted(subdirectories):
            child = here / name
            if child.is_symlink():
                collected.symlinks.append(
                    _Entry(f"{base}/{name}", child, child.lstat())
                )
        subdirectories[:] = sorted(
            n for n in subdirectories if not (here / n).is_symlink()
        )
        for name in sorted(names):
            child = here / name
            _add_entry(collected, _Entry(f"{base}/{name}", child, child.lstat()))


def _add_entry(collected: _Collected, entry: _Entry) -> None:
    mode = entry.info.st_mode
    if stat.S_ISREG(mode):
        collected.files.append(entry)
    elif stat.S_ISLNK(mode):
        collected.symlinks.append(entry)
    elif stat.S_ISDIR(mode):
        collected.directories.append(entry)
    else:
        collected.skipped[entry.device_path] = (
            "not a regular file (socket, pipe or device)"
        )


def _free_name(directory: Path, created: datetime) -> Path:
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    candidate = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    number = 2
    while candidate.exists():
        candidate = directory / f"{ARCHIVE_PREFIX}{stamp}-{number}{ARCHIVE_SUFFIX}"
        number += 1
    return candidate


def _write_archive(
    root: DeviceRoot, collected: _Collected, manifest: BackupManifest, target: Path
) -> None:
    temporary: list[Path] = []
    try:
        archive_temp = _temp_beside(target, temporary)
        with archive_temp.open("wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                _add_members(root, tar, collected, manifest)
                _add_bytes(tar, MANIFEST_MEMBER, manifest.dumps().encode())
            raw.flush()
            os.fsync(raw.fileno())
        sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
        sidecar_temp = _temp_beside(sidecar, temporary)
        sidecar_temp.write_text(manifest.dumps(), encoding="utf-8")
        os.replace(archive_temp, target)
        os.replace(sidecar_temp, sidecar)
    except OSError as error:
        for path in temporary:
            path.unlink(missing_ok=True)
        raise OperationError(_write_failure(error)) from None


def _temp_beside(target: Path, temporary: list[Path]) -> Path:
    fd, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(fd)
    path = Path(name)
    path.chmod(0o600)
    temporary.append(path)
    return path


def _write_failure(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return (
            f"the disk filled up while writing the backup in {BACKUP_DIRECTORY}; "
            "the partial archive was removed. Free some space, then try again"
        )
    where = f" ({error.filename})" if error.filename else ""
    return (
        f"writing the backup failed: {error.strerror or error}{where}; the "
        "partial archive was removed. If a file changed while it was copied, "
        "stop IoT Edge (`sudo iotedge system stop`) and try again"
    )


def _add_members(
    root: DeviceRoot,
    tar: tarfile.TarFile,
    collected: _Collected,
    manifest: BackupManifest,
) -> None:
    accounts = Accounts.read(root)
    for entry in collected.directories:
        tar.addfile(_tar_info(accounts, entry, tarfile.DIRTYPE))
        manifest.directories.append(entry.device_path)
    for entry in collected.symlinks:
        info = _tar_info(accounts, entry, tarfile.SYMTYPE)
        info.linkname = os.readlink(entry.host)
        tar.addfile(info)
        manifest.symlinks[entry.device_path] = info.linkname
    for entry in collected.files:
        manifest.files.append(_add_file(accounts, tar, entry))


def _add_file(accounts: Accounts, tar: tarfile.TarFile, entry: _Entry) -> BackedUpFile:
    info = _tar_info(accounts, entry, tarfile.REGTYPE)
    info.size = entry.info.st_size
    with entry.host.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return BackedUpFile(
        path=entry.device_path,
        size=info.size,
        sha256=reader.digest.hexdigest(),
        mode=stat.S_IMODE(entry.info.st_mode),
    )


def _tar_info(accounts: Accounts, entry: _Entry, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(entry.device_path.lstrip("/"))
    info.type = kind
    info.mode = stat.S_IMODE(entry.info.st_mode)
    info.uid = entry.info.st_uid
    info.gid = entry.info.st_gid
    info.uname = accounts.user_name(entry.info.st_uid)
    info.gname = accounts.group_name(entry.info.st_gid)
    info.mtime = int(entry.info.st_mtime)
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


class _HashingReader:
    """A file wrapper that hashes what is read through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _describe(root: DeviceRoot, host: Path) -> BackupArchive:
    path = (
        f"{BACKUP_DIRECTORY}/{host.name}"
        if host.parent == root.path(BACKUP_DIRECTORY)
        else root.device_path(host)
    )
    size = host.stat().st_size
    sidecar = host.with_name(host.name + SIDECAR_SUFFIX)
    try:
        manifest = BackupManifest.loads(sidecar.read_text(encoding="utf-8"))
        return BackupArchive(host.name, path, size, manifest)
    except (OSError, ManifestError):
        pass
    try:
        _, manifest_or_none = _read_members(host, hash_files=False)
    except ARCHIVE_ERRORS as error:
        return BackupArchive(
            host.name, path, size, None, f"unreadable archive ({error})"
        )
    if manifest_or_none is None:
        return BackupArchive(host.name, path, size, None, "no manifest in the archive")
    return BackupArchive(host.name, path, size, manifest_or_none)


def _read_members(
    host: Path, *, hash_files: bool = True
) -> tuple[dict[str, tuple[int, str]], BackupManifest | None]:
    """Reads the archive once: hashes of its files and its manifest."""
    hashes: dict[str, tuple[int, str]] = {}
    manifest: BackupManifest | None = None
    with tarfile.open(host, mode="r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST_MEMBER:
                manifest = _load_manifest(tar, member)
            elif member.isfile() and hash_files:
                hashes["/" + member.name] = _hash_member(tar, member)
    return hashes, manifest


def _load_manifest(
    tar: tarfile.TarFile, member: tarfile.TarInfo
) -> BackupManifest | None:
    handle = tar.extractfile(member)
    if handle is None:
        return None
    try:
        return BackupManifest.loads(handle.read().decode("utf-8", errors="replace"))
    except ManifestError:
        return None


def _hash_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    handle = tar.extractfile(member)
    if handle is not None:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def iter_member_paths(manifest: BackupManifest) -> Iterator[str]:
    """Yields every device path the manifest accounts for."""
    yield from manifest.directories
    yield from manifest.symlinks
    yield from (item.path for item in manifest.files)
