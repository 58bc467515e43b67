"""`stat`: file status; the TPM device nodes answer from the device state.

The simulated device's `/dev/tpm0` and `/dev/tpmrm0` are plain files (a
process that is not root can neither make device nodes nor give files
away), so `udevadm trigger` records their owner, group and mode in the
device state and `stat` reports those, as a character device would. Every
other path is the real file's status. The TPM nodes are recognised under
the device root and as bare `/dev/tpm*` paths alike.

Supports `-c/--format`, `--printf`, `-L/--dereference`, `-t/--terse` and
the default report, with GNU stat's common directives (`%n %N %U %G %u %g
%a %A %f %F %s %b %B %o %i %h %d %D %t %T %x %y %z %w %X %Y %Z %W`,
`%Hd %Ld %Hr %Lr`) and printf flags and widths.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat as modes
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from edgetui.sim.programs.common import complain, device_root, say
from edgetui.sim.state import State, StateError, read_state, sim_root

_TPM_PREFIX = "/dev/tpm"
_TPM_NUMBERS = {"tpm0": (10, 224), "tpmrm0": (253, 65536)}
"""Device numbers (major, minor) the kernel gives the TPM nodes."""
_ACCOUNT_IDS = {
    "root": 0,
    "tss": 106,
    "aziotks": 993,
    "aziotcs": 994,
    "aziotid": 995,
    "aziottpm": 996,
    "iotedge": 997,
}
"""Numbers of the accounts the TPM rules name (the packages create them)."""
_TERSE = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o"
_DEFAULT = (
    "  File: %n\n"
    "  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n"
    "{device}"
    "Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n"
    "Access: %x\nModify: %y\nChange: %z\n Birth: %w\n"
)
_DEVICE_LINE = "Device: %Hd,%Ld\tInode: %-11i Links: %h\n"
_SPECIAL_DEVICE_LINE = (
    "Device: %Hd,%Ld\tInode: %-11i Links: %-5h Device type: %Hr,%Lr\n"
)
_DIRECTIVE = re.compile(r"%([-#0 +']*)(\d*)(?:\.(\d+))?([HL]?[a-zA-Z%])")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "a": "\a", "0": "\0"}
_USAGE = "Try 'stat --help' for more information."


class UsageError(Exception):
    """A bad command line; the message is stat's first line."""


@dataclass(frozen=True)
class FileStatus:
    """What stat reports about one file."""

    name: str
    mode: int
    uid: int
    gid: int
    user: str
    group: str
    size: int
    blocks: int
    block_size: int
    device: int
    inode: int
    links: int
    special: int
    accessed: float
    modified: float
    changed: float


@dataclass
class Request:
    """The command line: the format, whether it is printf-style, the files."""

    template: str | None = None
    printf: bool = False
    follow: bool = False
    files: list[str] = field(default_factory=list)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `stat [-L] [-c FORMAT | --printf FORMAT | -t] FILE...`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        request = _request(args)
    except UsageError as error:
        complain(f"stat: {error}")
        complain(_USAGE)
        return 1
    state = _device_state()
    status = 0
    for name in request.files:
        try:
            found = _status(state, name, request.follow)
        except OSError as error:
            verb = "stat" if _old_coreutils(state) else "statx"
            reason = error.strerror or str(error)
            complain(f"stat: cannot {verb} {_quoted(name)}: {reason}")
            status = 1
            continue
        _show(found, request)
    return status


def _request(args: list[str]) -> Request:
    request = Request()
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            request.files += args[index + 1 :]
            break
        if arg in ("-c", "--format", "--printf"):
            if index + 1 >= len(args):
                raise UsageError(f"option requires an argument -- '{arg.lstrip('-')}'")
            request.template, request.printf = args[index + 1], arg == "--printf"
            index += 1
        elif arg.startswith(("--format=", "--printf=")):
            key, _, value = arg.partition("=")
            request.template, request.printf = value, key == "--printf"
        elif arg.startswith("-c") and len(arg) > 2:
            request.template = arg[2:]
        elif arg in ("-L", "--dereference"):
            request.follow = True
        elif arg in ("-t", "--terse"):
            request.template = _TERSE
        elif arg.startswith("--"):
            raise UsageError(f"unrecognized option '{arg}'")
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"invalid option -- '{arg[1]}'")
        else:
            request.files.append(arg)
        index += 1
    if not request.files:
        raise UsageError("missing operand")
    return request


def _device_state() -> State | None:
    try:
        return read_state(sim_root())
    except StateError:
        return None


def _old_coreutils(state: State | None) -> bool:
    """Ubuntu 20.04's coreutils 8.30 says `cannot stat`; later ones `statx`."""
    return state is not None and state["os"].get("version_id") == "20.04"


def _status(state: State | None, name: str, follow: bool) -> FileStatus:
    """The file's status; a simulated TPM node's comes from the device state.

    Raises:
        OSError: no such file (a TPM node the device lacks included).
    """
    device_path = _device_path(name)
    if state is not None and device_path.startswith(_TPM_PREFIX):
        return _tpm_node(state, name, device_path)
    result = os.stat(name) if follow else os.lstat(name)
    return _from_stat(name, result)


def _device_path(name: str) -> str:
    path = os.path.abspath(name)
    root = str(device_root().resolve())
    if root != "/" and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def _tpm_node(state: State, name: str, device_path: str) -> FileStatus:
    node = state["devices"].get(device_path)
    stand_in = device_root() / device_path.lstrip("/")
    if node is None or not stand_in.exists():
        raise FileNotFoundError(2, "No such file or directory", name)
    base = _from_stat(name, os.stat(stand_in))
    major, minor = _TPM_NUMBERS.get(device_path.rsplit("/", 1)[1], (10, 224))
    return replace(
        base,
        mode=modes.S_IFCHR | int(node["mode"], 8),
        user=node["owner"],
        group=node["group"],
        uid=_ACCOUNT_IDS.get(node["owner"], 999),
        gid=_ACCOUNT_IDS.get(node["group"], 999),
        size=0,
        blocks=0,
        links=1,
        special=os.makedev(major, minor),
    )


def _from_stat(name: str, result: os.stat_result) -> FileStatus:
    return FileStatus(
        name=name,
        mode=result.st_mode,
        uid=result.st_uid,
        gid=result.st_gid,
        user=_user_name(result.st_uid),
        group=_group_name(result.st_gid),
        size=result.st_size,
        blocks=result.st_blocks,
        block_size=result.st_blksize,
        device=result.st_dev,
        inode=result.st_ino,
        links=result.st_nlink,
        special=result.st_rdev,
        accessed=result.st_atime,
        modified=result.st_mtime,
        changed=result.st_ctime,
    )


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return "UNKNOWN"


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return "UNKNOWN"


def _show(found: FileStatus, request: Request) -> None:
    if request.template is None:
        special = modes.S_ISCHR(found.mode) or modes.S_ISBLK(found.mode)
        line = _SPECIAL_DEVICE_LINE if special else _DEVICE_LINE
        sys.stdout.write(_expand(_DEFAULT.replace("{device}", line), found))
    elif request.printf:
        sys.stdout.write(_expand(_unescape(request.template), found))
    else:
        say(_expand(request.template, found))
    sys.stdout.flush()


def _expand(template: str, found: FileStatus) -> str:
    """Fills every `%` directive the way GNU stat does (`?` when unknown)."""

    def directive(match: re.Match[str]) -> str:
        flags, width, precision, letter = match.groups()
        if letter == "%":
            return "%"
        value = _value(letter, found)
        return _padded(value, flags, width, precision)

    return _DIRECTIVE.sub(directive, template)


def _value(letter: str, found: FileStatus) -> Any:
    values: dict[str, Any] = {
        "n": found.name,
        "N": _quoted(found.name),
        "U": found.user,
        "G": found.group,
        "u": found.uid,
        "g": found.gid,
        "a": f"{modes.S_IMODE(found.mode):o}",
        "A": modes.filemode(found.mode),
        "f": f"{found.mode:x}",
        "F": _file_type(found),
        "s": found.size,
        "b": found.blocks,
        "B": 512,
        "o": found.block_size,
        "i": found.inode,
        "h": found.links,
        "d": found.device,
        "D": f"{found.device:x}",
        "Hd": os.major(found.device),
        "Ld": os.minor(found.device),
        "Hr": os.major(found.special),
        "Lr": os.minor(found.special),
        "t": f"{os.major(found.special):x}",
        "T": f"{os.minor(found.special):x}",
        "x": _when(found.accessed),
        "y": _when(found.modified),
        "z": _when(found.changed),
        "w": "-",
        "X": int(found.accessed),
        "Y": int(found.modified),
        "Z": int(found.changed),
        "W": 0,
    }
    return values.get(letter, "?")


def _padded(value: Any, flags: str, width: str, precision: str | None) -> str:
    text = str(value)
    if precision is not None and not isinstance(value, int):
        text = text[: int(precision)]
    size = int(width) if width else 0
    if "-" in flags:
        return text.ljust(size)
    if "0" in flags and (isinstance(value, int) or text.isdigit()):
        return text.rjust(size, "0")
    return text.rjust(size)


def _file_type(found: FileStatus) -> str:
    mode = found.mode
    if modes.S_ISREG(mode):
        return "regular file" if found.size else "regular empty file"
    kinds = (
        (modes.S_ISDIR, "directory"),
        (modes.S_ISLNK, "symbolic link"),
        (modes.S_ISCHR, "character special file"),
        (modes.S_ISBLK, "block special file"),
        (modes.S_ISFIFO, "fifo"),
        (modes.S_ISSOCK, "socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "weird file")


def _when(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, timezone.utc).astimezone()
    nanoseconds = f"{moment.microsecond:06d}000"
    return moment.strftime(f"%Y-%m-%d %H:%M:%S.{nanoseconds} %z")


def _quoted(name: str) -> str:
    """A file name quoted as GNU tools quote it in messages."""
    return "'" + name.replace("'", "'\\''") + "'"


def _unescape(template: str) -> str:
    return re.sub(
        r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(0)), template
    )
