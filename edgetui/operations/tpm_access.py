"""The udev rule that lets the IoT Edge TPM service open `/dev/tpm0` and `/dev/tpmrm0`.

IoT Edge 1.2+ runs `aziot-tpmd` as the user `aziottpm`; 1.0/1.1 used
`iotedge`. `iotedge config import` does not touch the rule, so a migrated
device still hands the TPM to `iotedge` and TPM provisioning fails with
`Permission denied`. This module reads which owner the rules give each TPM
device (in the order udev applies them), checks the device nodes, and writes
the documented rule to `/etc/udev/rules.d/tpmaccess.rules`.

Where udev does not run (a container: no `/run/udev/control`), nothing
would apply the rule until udev runs, so the fix also gives the nodes the
rule's owner and mode itself, with `chown` and `chmod`, and says so.

The nodes' owner, group and mode come from `stat -c '%U %G %a'`, run on the
device root's paths: on a device that is the real tool on the real nodes;
on the simulated device, its `stat` answers what `udevadm trigger` applied.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from edgetui.device.config import (
    TOML_PATH,
    YAML_PATH,
    ConfigSyntaxError,
    summarize_toml,
    summarize_yaml,
)
from edgetui.device.root import DeviceRoot
from edgetui.device.tpm import parse_udev_rules
from edgetui.operations.errors import OperationError, require_root
from edgetui.operations.installed import InstalledEdge
from edgetui.runner.command import Command
from edgetui.runner.events import CommandResult
from edgetui.runner.runner import Runner

log = logging.getLogger(__name__)

RULE_PATH = "/etc/udev/rules.d/tpmaccess.rules"
RULE_DIRECTORIES = (
    "/etc/udev/rules.d",
    "/run/udev/rules.d",
    "/usr/lib/udev/rules.d",
    "/lib/udev/rules.d",
)
TPM_DEVICES = (("tpm0", "tpm"), ("tpmrm0", "tpmrm"))
"""Each TPM device node and the udev subsystem it belongs to."""

CURRENT_OWNER = "aziottpm"
LEGACY_OWNER = "iotedge"

UDEV_CONTROL = "/run/udev/control"
"""The socket udevd listens on; absent where udev does not run."""

STAT_FORMAT = "%U %G %a"
"""What `stat -c` prints for a node: owner name, group name, octal mode."""

_ASSIGNMENT = re.compile(
    r'(?P<key>[A-Z_]+)(?:\{[^}]*\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"'
)


@dataclass(frozen=True)
class RuleFile:
    """A udev rules file that names a TPM device.

    Attributes:
        path: its device path.
        devices: the TPM kernel names it matches (`tpm0`, `tpmrm0`).
        owner: the last `OWNER=` its TPM rules set, `None` when none does.
    """

    path: str
    devices: tuple[str, ...]
    owner: str | None


@dataclass(frozen=True)
class DeviceNode:
    """A TPM device node and who may open it.

    Attributes:
        name: `tpm0` or `tpmrm0`.
        present: the node exists under `/dev`.
        owner: its owner's user name (or number when unknown).
        group: its group's name (or number).
        mode: its permission bits, `0o660`.
    """

    name: str
    present: bool
    owner: str | None = None
    group: str | None = None
    mode: int | None = None

    @property
    def path(self) -> str:
        """The node's device path, `/dev/tpm0`."""
        return f"/dev/{self.name}"

    def grants(self, user: str) -> bool:
        """True when `user` can read and write the node (as owner or group)."""
        mode = self.mode or 0
        if self.owner == user:
            return mode & 0o600 == 0o600
        return self.group == user and mode & 0o060 == 0o060


@dataclass(frozen=True)
class TpmAccess:
    """What the rules and device nodes say, against what IoT Edge needs.

    Attributes:
        expected_owner: `aziottpm` (1.2+) or `iotedge` (1.0/1.1).
        rule_files: every rules file that names a TPM device.
        rule_owners: per device name, the owner udev ends up giving it
            (the last `OWNER=` in udev's order), `None` when no rule does.
        devices: the two device nodes.
        tpm_attestation: the IoT Edge configuration provisions with the TPM.
        problems: what is wrong, each with its next action; empty when fine.
        notes: what the fix did that the technician should know (the nodes
            were set by hand because udev does not run).
    """

    expected_owner: str
    rule_files: tuple[RuleFile, ...]
    rule_owners: dict[str, str | None]
    devices: tuple[DeviceNode, ...]
    tpm_attestation: bool
    problems: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.problems

    @property
    def any_device(self) -> bool:
        """True when the device has a TPM node at all."""
        return any(node.present for node in self.devices)

    def names_needing_a_rule(self) -> list[str]:
        """The devices a rule must cover: those present, else `tpm0`."""
        present = [node.name for node in self.devices if node.present]
        return present or ["tpm0"]


def expected_owner_for(installed: InstalledEdge) -> str:
    """Gives the user that must own the TPM: `iotedge` for 1.0/1.1, else `aziottpm`."""
    return LEGACY_OWNER if installed.legacy else CURRENT_OWNER


def rule_mode(owner: str) -> str:
    """Gives the mode the documented rule sets for `owner`: 0660, 0600 for 1.1."""
    return "0660" if owner == CURRENT_OWNER else "0600"


def rule_text(owner: str) -> str:
    """Gives the documented rules file content for `owner`."""
    mode = rule_mode(owner)
    lines = [f"# allow {owner} access to tpm0 and tpmrm0 (written by edgetui)"]
    for name, subsystem in TPM_DEVICES:
        lines.append(
            f'KERNEL=="{name}", SUBSYSTEM=="{subsystem}", '
            f'OWNER="{owner}", MODE="{mode}"'
        )
    return "\n".join(lines) + "\n"


async def check_tpm_access(
    root: DeviceRoot, runner: Runner, installed: InstalledEdge
) -> TpmAccess:
    """Reads the TPM rules and device nodes and says what is wrong.

    Args:
        root: the device root.
        runner: runs `stat` on the device nodes.
        installed: the installed daemon, which decides the owner needed.

    Returns:
        The findings; `problems` is empty when TPM access is right or the
        device neither has a TPM nor provisions with one.

    Raises:
        OperationError: `stat` could not read the nodes (missing, refused).
    """
    owner = expected_owner_for(installed)
    files = _rule_files(root)
    access = TpmAccess(
        expected_owner=owner,
        rule_files=tuple(
            rule for rule in (_rule_file(root, path) for path in files) if rule
        ),
        rule_owners={
            name: _effective_owner(root, files, name) for name, _ in TPM_DEVICES
        },
        devices=await _device_nodes(root, runner),
        tpm_attestation=_uses_tpm_attestation(root),
    )
    return _with_problems(access)


async def fix_tpm_access(
    root: DeviceRoot, runner: Runner, installed: InstalledEdge
) -> TpmAccess:
    """Writes the documented rule, makes udev apply it, and verifies.

    Nothing is written or run when the check finds nothing to fix; the rule
    is written only when the rules give a TPM device to the wrong user (the
    old file is kept as `tpmaccess.rules.edgetui-prev`), udev is always asked
    to apply the rules again. Where udev does not run, the nodes get the
    rule's owner and mode directly and the result's `notes` say so.

    Args:
        root: the device root.
        runner: runs `stat` and `udevadm` (`chown` and `chmod` without udev).
        installed: the installed daemon, which decides the owner needed.

    Returns:
        The findings after the fix (without problems).

    Raises:
        NotRootError: changing this machine's rules without root.
        OperationError: writing failed, udevadm failed, or a problem remains
            (the message says which, and what to do next).
    """
    before = await check_tpm_access(root, runner, installed)
    if before.ok:
        return before

    require_root(root, f"writing {RULE_PATH}")
    if _rule_problems(before):
        _write_rule(root, rule_text(before.expected_owner))
    notes: tuple[str, ...] = ()
    if not await _apply_rules(root, runner):
        notes = await _set_nodes(root, runner, before)

    after = await check_tpm_access(root, runner, installed)
    if not after.ok:
        raise OperationError("; ".join(after.problems))
    return dataclasses.replace(after, notes=notes)


def _with_problems(access: TpmAccess) -> TpmAccess:
    if not (access.any_device or access.tpm_attestation):
        return access
    problems: list[str] = []
    if not access.any_device:
        problems.append(
            "the IoT Edge configuration provisions with the TPM but neither "
            "/dev/tpm0 nor /dev/tpmrm0 exists; enable the TPM in the firmware "
            "settings and reboot"
        )
    problems.extend(_rule_problems(access))
    if not problems:
        problems.extend(_node_problems(access))
    return _replace_problems(access, problems)


def _rule_problems(access: TpmAccess) -> list[str]:
    owner = access.expected_owner
    problems = []
    for name in access.names_needing_a_rule():
        given = access.rule_owners.get(name)
        if given is None:
            problems.append(
                f"no udev rule gives {owner} /dev/{name}; run `sudo edgetui tpm fix`"
            )
        elif given != owner:
            problems.append(
                f"the udev rules give /dev/{name} to {given}, IoT Edge needs "
                f"{owner}; run `sudo edgetui tpm fix`"
            )
    return problems


def _node_problems(access: TpmAccess) -> list[str]:
    owner = access.expected_owner
    problems = []
    for node in access.devices:
        if node.present and not node.grants(owner):
            problems.append(
                f"{node.path} is owned by {node.owner}:{node.group} mode "
                f"{(node.mode or 0):04o} although the rule gives it to {owner}; "
                "reboot the device so udev applies the rule, then run "
                "`edgetui tpm check`"
            )
    return problems


def _replace_problems(access: TpmAccess, problems: list[str]) -> TpmAccess:
    return dataclasses.replace(access, problems=tuple(problems))


def _rule_files(root: DeviceRoot) -> list[str]:
    """Gives the rules files udev reads, in its order (by name, /etc first)."""
    chosen: dict[str, str] = {}
    for directory in RULE_DIRECTORIES:
        host = root.path(directory)
        if not host.is_dir():
            continue
        for entry in host.iterdir():
            if entry.name.endswith(".rules") and entry.name not in chosen:
                chosen[entry.name] = f"{directory}/{entry.name}"
    return [chosen[name] for name in sorted(chosen)]


def _rule_lines(root: DeviceRoot, path: str) -> list[str]:
    try:
        text = root.read_text(path, limit=1024 * 1024)
    except OSError as error:
        log.warning("cannot read %s: %s", path, error)
        return []
    joined = text.replace("\\\n", " ")
    return [
        line.strip()
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _rule_file(root: DeviceRoot, path: str) -> RuleFile | None:
    try:
        rule = parse_udev_rules(root.read_text(path, limit=1024 * 1024))
    except OSError:
        return None
    if rule is None:
        return None
    return RuleFile(path=path, devices=rule.devices, owner=rule.owner)


def _effective_owner(root: DeviceRoot, files: list[str], name: str) -> str | None:
    subsystem = dict(TPM_DEVICES)[name]
    owner: str | None = None
    for path in files:
        for line in _rule_lines(root, path):
            if not _line_matches(line, name, subsystem):
                continue
            for match in _ASSIGNMENT.finditer(line):
                if match["key"] != "OWNER" or match["op"] not in ("=", ":="):
                    continue
                owner = match["value"]
                if match["op"] == ":=":
                    return owner
    return owner


def _line_matches(line: str, name: str, subsystem: str) -> bool:
    """True when a rule line's KERNEL and SUBSYSTEM keys select this device."""
    selected = False
    for match in _ASSIGNMENT.finditer(line):
        key, op, value = match["key"], match["op"], match["value"]
        if key not in ("KERNEL", "SUBSYSTEM") or op not in ("==", "!="):
            continue
        target = name if key == "KERNEL" else subsystem
        hit = any(fnmatch.fnmatchcase(target, part) for part in value.split("|"))
        if hit != (op == "=="):
            return False
        selected = True
    return selected


async def _device_nodes(root: DeviceRoot, runner: Runner) -> tuple[DeviceNode, ...]:
    """Asks `stat` for the owner, group and mode of both TPM nodes."""
    paths = [str(root.path(f"/dev/{name}")) for name, _ in TPM_DEVICES]
    result = await runner.run(
        Command(
            argv=("stat", "-c", STAT_FORMAT, *paths),
            read_only=True,
            timeout=60.0,
            title="Read the TPM device nodes",
        )
    )
    if result.exit_code is None or result.timed_out:
        raise OperationError(
            "cannot read the owner of the TPM device nodes: "
            f"{result.error or 'stat did not finish'}; check that stat (coreutils) "
            "is installed, then run `edgetui tpm check`"
        )
    return _parsed_nodes(paths, result.output)


def _parsed_nodes(paths: list[str], output: Sequence[str]) -> tuple[DeviceNode, ...]:
    """Reads stat's answer for each node path, in order.

    stat prints one line per node it could read, in argument order, and one
    error line (`stat: cannot stat[x] 'PATH': REASON`) per node it could not.
    """
    errors = [line for line in output if line.startswith("stat: ")]
    answers = iter([line for line in output if line.strip() and line not in errors])
    nodes = []
    for (name, _), path in zip(TPM_DEVICES, paths):
        problem = next((line for line in errors if f"{_quoted(path)}:" in line), None)
        answer = next(answers, None) if problem is None else None
        nodes.append(_device_node(name, problem, answer))
    return tuple(nodes)


def _device_node(name: str, problem: str | None, line: str | None) -> DeviceNode:
    path = f"/dev/{name}"
    if problem is not None:
        reason = problem.rsplit(": ", 1)[-1]
        if reason == "No such file or directory":
            return DeviceNode(name=name, present=False)
        raise OperationError(
            f"cannot read {path}: {reason}; run the same command with sudo"
        )
    fields = (line or "").split()
    if len(fields) != 3 or not re.fullmatch(r"[0-7]{1,4}", fields[2]):
        raise OperationError(
            f"cannot read {path}: stat printed {line!r} instead of owner, group "
            "and mode; check that stat on PATH is GNU coreutils' stat"
        )
    owner, group, mode = fields
    return DeviceNode(
        name=name, present=True, owner=owner, group=group, mode=int(mode, 8)
    )


def _quoted(path: str) -> str:
    """A path as stat quotes it in its error lines."""
    return "'" + path.replace("'", "'\\''") + "'"


def _uses_tpm_attestation(root: DeviceRoot) -> bool:
    for path, summarize in ((TOML_PATH, summarize_toml), (YAML_PATH, summarize_yaml)):
        try:
            summary = summarize(root.read_text(path))
        except (OSError, ConfigSyntaxError):
            continue
        return summary.attestation == "tpm"
    return False


def _write_rule(root: DeviceRoot, text: str) -> None:
    try:
        root.write_atomic(RULE_PATH, text, mode=0o644)
    except OSError as error:
        raise OperationError(
            f"cannot write {RULE_PATH}: {error.strerror or error}; nothing was "
            "changed; check free space and that /etc is writable"
        ) from None
    log.info("wrote %s", RULE_PATH)


async def _apply_rules(root: DeviceRoot, runner: Runner) -> bool:
    """Asks udev to read the rules and apply them to the TPM nodes.

    Returns:
        True when udev applied them, False when udev does not run here.

    Raises:
        OperationError: udev runs but a udevadm command failed.
    """
    steps = (
        ("udevadm", "control", "--reload-rules"),
        ("udevadm", "trigger", "--subsystem-match=tpm", "--subsystem-match=tpmrm"),
        ("udevadm", "settle", "--timeout=10"),
    )
    for argv in steps:
        result = await _change(root, runner, argv, "Apply the TPM udev rule")
        if result.ok:
            continue
        if argv[1] == "control" and not root.path(UDEV_CONTROL).exists():
            log.warning("udev does not run here: %s is absent", UDEV_CONTROL)
            return False
        if argv[1] == "settle":
            log.warning(
                "udevadm settle did not finish: %s", result.error or result.text
            )
            continue
        reason = result.error or f"exit code {result.exit_code}"
        raise OperationError(
            f"{RULE_PATH} is written but `{' '.join(argv)}` failed ({reason}); "
            "reboot the device so udev reads the rule, then run `edgetui tpm check`"
        )
    return True


async def _set_nodes(
    root: DeviceRoot, runner: Runner, access: TpmAccess
) -> tuple[str, ...]:
    """Gives the present TPM nodes the rule's owner and mode, as udev would.

    Returns:
        The note that says what was done and why.

    Raises:
        OperationError: chown or chmod failed (the rule stays written).
    """
    owner = access.expected_owner
    mode = rule_mode(owner)
    nodes = [node for node in access.devices if node.present]
    for node in nodes:
        path = str(root.path(node.path))
        for argv in (("chown", owner, path), ("chmod", mode, path)):
            result = await _change(root, runner, argv, "Give the TPM to its user")
            if not result.ok:
                said = result.output[-1] if result.output else None
                reason = result.error or said or f"exit code {result.exit_code}"
                raise OperationError(
                    f"udev does not run here and `{argv[0]} {argv[1]} {node.path}` "
                    f"failed ({reason}); {RULE_PATH} is written; give {node.path} "
                    f"to {owner} with mode {mode} by hand, then run "
                    "`edgetui tpm check`"
                )
    if not nodes:
        return ()
    names = " and ".join(node.path for node in nodes)
    return (
        f"udev does not run here ({UDEV_CONTROL} is absent), so {names} were "
        f"given to {owner} mode {mode} directly; {RULE_PATH} does the same "
        "whenever udev runs",
    )


async def _change(
    root: DeviceRoot, runner: Runner, argv: tuple[str, ...], title: str
) -> CommandResult:
    """Runs a command that changes the device (through sudo on this machine)."""
    return await runner.run(
        Command(argv=argv, needs_root=root.is_host, timeout=60.0, title=title)
    )
