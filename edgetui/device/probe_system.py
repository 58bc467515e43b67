"""Probes of the system around IoT Edge: OS, TPM rule, free disk, session."""

from __future__ import annotations

import os
from pathlib import Path

from edgetui.device.context import ProbeContext, ProbeOutcome, describe_failure
from edgetui.device.disk import df_argv, parse_df, paths_that_matter
from edgetui.device.osinfo import OS_RELEASE_PATHS, parse_os_release
from edgetui.device.session import is_root, is_ssh_session, may_change
from edgetui.device.tpm import RULES_DIRECTORY, TPM_DEVICES, parse_udev_rules
from edgetui.facts.device import DeviceFacts, TpmFacts

EDGE_DATA_DIRECTORIES = ("/var/lib/aziot", "/var/lib/iotedge")
"""Where IoT Edge 1.2+ and 1.0/1.1 keep their state."""


async def probe_os(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Reads os-release and finds the package manager."""
    outcome = ProbeOutcome("")
    facts.os.package_manager = context.package_manager()
    if facts.os.package_manager is None:
        outcome.warn(
            "package-manager-missing",
            "None of apt-get, dnf or yum is on PATH, so edgetui can neither read "
            "nor install packages. Run edgetui on the device itself, with "
            "/usr/bin and /usr/sbin on PATH.",
        )

    variables = _read_os_release(context, outcome)
    facts.os.id = variables.get("ID") or None
    facts.os.version_id = variables.get("VERSION_ID") or None
    facts.os.pretty_name = variables.get("PRETTY_NAME") or None
    if variables and facts.os.id is None:
        outcome.warn(
            "os-unknown",
            "os-release names no ID, so the operating system is unknown. Check "
            "/etc/os-release on the device.",
        )

    name = facts.os.pretty_name or " ".join(
        part for part in (facts.os.id, facts.os.version_id) if part
    )
    manager = facts.os.package_manager or "no package manager"
    outcome.summary = f"{name or 'unknown OS'}, {manager}"
    return outcome


def _read_os_release(context: ProbeContext, outcome: ProbeOutcome) -> dict[str, str]:
    problems: list[str] = []
    for path in OS_RELEASE_PATHS:
        try:
            return parse_os_release(context.root.read_text(path))
        except FileNotFoundError:
            problems.append(f"{path} does not exist")
        except OSError as error:
            problems.append(f"{path}: {error.strerror or error}")
    outcome.warn(
        "os-unknown",
        f"The operating system is unknown ({'; '.join(problems)}). Check that "
        "edgetui runs on the device (or that --root names the device's root).",
    )
    return {}


async def probe_tpm(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Finds the udev rule for tpm0/tpmrm0 and whether a TPM device exists."""
    outcome = ProbeOutcome("")
    tpm = TpmFacts(
        device_present=any(context.root.exists(device) for device in TPM_DEVICES)
    )
    for path in _rules_files(context):
        try:
            rule = parse_udev_rules(context.root.read_text(path))
        except OSError as error:
            outcome.warn(
                "tpm-rule-unreadable",
                f"Cannot read {path} ({error.strerror or error}), so the TPM access "
                "rule is unknown. Run edgetui as root (sudo edgetui).",
            )
            continue
        if rule is not None and (rule.owner or tpm.rule_owner is None):
            tpm.rule_path, tpm.rule_owner = path, rule.owner
    facts.tpm = tpm

    device = "TPM present" if tpm.device_present else "no TPM device"
    if tpm.rule_path is None:
        outcome.summary = f"no TPM rule, {device}"
    else:
        owner = f"OWNER={tpm.rule_owner}" if tpm.rule_owner else "no OWNER"
        outcome.summary = f"{Path(tpm.rule_path).name}: {owner}, {device}"
    return outcome


def _rules_files(context: ProbeContext) -> list[str]:
    directory = context.root.path(RULES_DIRECTORY)
    try:
        names = sorted(entry.name for entry in directory.iterdir())
    except OSError:
        return []
    return [
        f"{RULES_DIRECTORY}/{name}"
        for name in names
        if name.endswith(".rules") and (directory / name).is_file()
    ]


async def probe_disk(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Measures free bytes on every device path an update writes to."""
    outcome = ProbeOutcome("")
    edge = [path for path in EDGE_DATA_DIRECTORIES if context.root.exists(path)]
    wanted = paths_that_matter(
        context.package_manager(), edge or EDGE_DATA_DIRECTORIES[:1]
    )
    host_paths = {path: _nearest_existing(context, path) for path in wanted}
    free, problem = await _free_bytes(context, list(dict.fromkeys(host_paths.values())))
    if problem is not None:
        outcome.warn(
            "disk-unavailable",
            f"Free disk space is unknown ({problem}). Check that df (coreutils) "
            "is on PATH, then detect again.",
        )
        outcome.summary = "unknown"
        return outcome

    facts.disk = {path: free[host] for path, host in host_paths.items() if host in free}
    least = min(facts.disk.items(), key=lambda item: item[1])
    outcome.summary = f"least free: {least[0]} {format_bytes(least[1])}"
    return outcome


def _nearest_existing(context: ProbeContext, device_path: str) -> str:
    host = context.root.path(device_path)
    while not host.exists() and host != context.root.root:
        host = host.parent
    return str(host)


async def _free_bytes(
    context: ProbeContext, hosts: list[str]
) -> tuple[dict[str, int], str | None]:
    """Gives free bytes per host path, or why df could not tell."""
    result = await context.run(df_argv(hosts), "Measure free disk space")
    if result.exit_code is None or result.timed_out:
        return {}, describe_failure(result)
    rows = parse_df(result.output)
    if len(rows) == len(hosts):
        return {host: row.available for host, row in zip(hosts, rows)}, None

    free: dict[str, int] = {}
    for host in hosts:
        single = await context.run(df_argv([host]), "Measure free disk space")
        found = parse_df(single.output)
        if found:
            free[host] = found[0].available
    return free, None if free else describe_failure(result)


async def probe_session(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Tells whether edgetui may change the device, and whether over SSH."""
    facts.privilege.root = may_change(context.root)
    facts.session.ssh = is_ssh_session()
    who = "root"
    if not is_root():
        may = "may write the device root" if facts.privilege.root else "not root"
        who = f"user id {os.geteuid()} ({may})"
    where = "over SSH" if facts.session.ssh else "local session"
    return ProbeOutcome(f"{who}, {where}")


def format_bytes(count: int) -> str:
    """Formats a byte count for people: `18.9 GB`, `512 MB`."""
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit in ("B", "kB") else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"
