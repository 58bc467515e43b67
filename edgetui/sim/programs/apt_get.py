"""`apt-get`: update, install, remove, purge, upgrade on the simulated device.

Prints what apt prints, asks `Do you want to continue? [Y/n]` where apt
asks, and hands configuration to `dpkg` (its conffile prompt included).
Purge works as in apt: refusing it is edgetui's job, not the tool's.
Downloads leave the package archives in `/var/cache/apt/archives`, where a
later install finds them (`--download-only` stops there); `clean` empties it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edgetui.sim import packaging, runtime
from edgetui.sim.catalog import PackageRelease, package_release
from edgetui.sim.packaging import Change, ResolveError, Transaction
from edgetui.sim.programs import dpkg
from edgetui.sim.programs.common import ask, complain, pause, say
from edgetui.sim.state import State, StateError, changing_state, read_state, sim_root

_FAILED = 100
_ARCHIVES = "/var/cache/apt/archives"
_REPOSITORY = "https://packages.edge.example/{os}/{release}/prod"


@dataclass
class Options:
    """What the command line asked for."""

    command: str = ""
    packages: list[str] = field(default_factory=list)
    assume_yes: bool = False
    quiet: int = 0
    allow_downgrades: bool = False
    simulate: bool = False
    purge: bool = False
    reinstall: bool = False
    only_upgrade: bool = False
    download_only: bool = False
    force: set[str] = field(default_factory=set)


class CommandLineError(Exception):
    """Bad command line: apt prints `E: ...` and exits 100."""


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `apt-get [OPTIONS] COMMAND [PACKAGE...]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        options = _options(args)
        root = sim_root()
        return _run(root, options)
    except CommandLineError as problem:
        complain(f"E: {problem}")
        return _FAILED
    except StateError as error:
        complain(f"E: {error}")
        return _FAILED
    except KeyboardInterrupt:
        return 130


_SWITCHES = {
    "-y": "assume_yes",
    "--yes": "assume_yes",
    "--assume-yes": "assume_yes",
    "--allow-downgrades": "allow_downgrades",
    "-s": "simulate",
    "--simulate": "simulate",
    "--dry-run": "simulate",
    "--just-print": "simulate",
    "--no-act": "simulate",
    "--purge": "purge",
    "--reinstall": "reinstall",
    "--only-upgrade": "only_upgrade",
    "-d": "download_only",
    "--download-only": "download_only",
}
_QUIET = {"-q": 1, "--quiet": 1, "-qq": 2}
_IGNORED = frozenset(
    {
        "--no-install-recommends",
        "--install-recommends",
        "--fix-missing",
        "-f",
        "--fix-broken",
        "--no-upgrade",
    }
)


def _options(args: list[str]) -> Options:
    options = Options()
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _SWITCHES:
            setattr(options, _SWITCHES[arg], True)
        elif arg in _QUIET:
            options.quiet += _QUIET[arg]
        elif arg.startswith("-o") or arg == "--option":
            value = arg[2:]
            if arg in ("-o", "--option"):
                index += 1
                if index >= len(args):
                    raise CommandLineError(
                        "Command line option -o requires an argument."
                    )
                value = args[index]
            _configuration_option(options, value)
        elif arg.startswith("--allow-") or arg in _IGNORED:
            pass
        elif arg.startswith("-"):
            raise CommandLineError(f"Command line option '{arg}' is not understood")
        elif not options.command:
            options.command = arg
        else:
            options.packages.append(arg)
        index += 1
    if options.quiet >= 2:
        options.assume_yes = True
    if not options.command:
        raise CommandLineError("Invalid operation")
    return options


def _configuration_option(options: Options, text: str) -> None:
    key, _, value = text.partition("=")
    if key.lower() == "dpkg::options::":
        forced = dpkg.force_option(value)
        if forced:
            options.force.add(forced)
    elif key.lower() == "apt::get::assume-yes" and _true(value):
        options.assume_yes = True
    elif key.lower() == "apt::get::download-only" and _true(value):
        options.download_only = True


def _true(value: str) -> bool:
    return value.lower() in ("1", "true", "yes")


def _run(root: Path, options: Options) -> int:
    commands = {
        "update": _update,
        "install": _transaction,
        "remove": _transaction,
        "purge": _transaction,
        "upgrade": _transaction,
        "dist-upgrade": _transaction,
        "autoremove": _autoremove,
        "clean": _clean,
        "autoclean": _clean,
    }
    command = commands.get(options.command)
    if command is None:
        raise CommandLineError(f"Invalid operation {options.command}")
    return command(root, options)


def _clean(root: Path, options: Options) -> int:
    for archive in _archive_folder(root).glob("*.deb"):
        archive.unlink()
    return 0


def _info(options: Options, text: str = "") -> None:
    if options.quiet < 2:
        say(text)


def repository_url(state: State) -> str:
    """The IoT Edge package repository the device's sources name."""
    os_info = state["os"]
    return _REPOSITORY.format(os=os_info["id"], release=os_info["version_id"])


# update ---------------------------------------------------------------------


def _update(root: Path, options: Options) -> int:
    state = read_state(root)
    os_info = state["os"]
    suite = os_info["codename"]
    mirror = (
        "http://deb.debian.org/debian"
        if os_info["id"] == "debian"
        else ("http://archive.ubuntu.com/ubuntu")
    )
    lines = [
        f"Hit:1 {mirror} {suite} InRelease",
        f"Get:2 {mirror} {suite}-updates InRelease [128 kB]",
        f"Get:3 {repository_url(state)} {suite} InRelease [3,632 B]",
        f"Get:4 {repository_url(state)} {suite}/main amd64 Packages [184 kB]",
        "Fetched 316 kB in 2s (158 kB/s)",
    ]
    for line in lines:
        pause(0.5)
        _info(options, line)
    _info(options, "Reading package lists... Done")
    with changing_state(root) as changing:
        changing["lists_updated"] = True
    return 0


# install / remove / purge / upgrade ------------------------------------------


def _transaction(root: Path, options: Options) -> int:
    state = read_state(root)
    _reading(state, options)
    plan = _planned(state, options)
    if plan is None:
        return _FAILED
    _print_plan(root, state, options, plan)
    if plan.empty:
        return 0
    refusal = _refusal(root, state, options, plan)
    if refusal:
        complain(refusal)
        return _FAILED
    return _carry_out(root, state, options, plan)


def _carry_out(root: Path, state: State, options: Options, plan: Transaction) -> int:
    """Simulates, or confirms, downloads and (unless download-only) applies."""
    if options.simulate:
        _print_simulation(plan)
        return 0
    if _needs_confirmation(plan) and not options.assume_yes and not _confirmed():
        complain("Abort.")
        return 1
    _download(root, state, options, plan)
    if options.download_only:
        _info(options, "Download complete and in download only mode")
        return 0
    return _apply(root, options, plan)


def _planned(state: State, options: Options) -> Transaction | None:
    if packaging.pending(state):
        complain(
            "E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' "
            "to correct the problem. "
        )
        return None
    try:
        return _plan(state, options)
    except ResolveError as problem:
        for line in problem.lines:
            (complain if line.startswith("E:") else say)(line)
        return None


def _refusal(
    root: Path, state: State, options: Options, plan: Transaction
) -> str | None:
    downgrades = plan.of_kind("downgrade")
    if downgrades and options.assume_yes and not options.allow_downgrades:
        return "E: Packages were downgraded and -y was used without --allow-downgrades."
    if not options.simulate and _no_room(root, state, plan):
        return f"E: You don't have enough free space in {_ARCHIVES}/."
    return None


def _reading(state: State, options: Options) -> None:
    _info(options, "Reading package lists... Done")
    if state["os"].get("codename") == "focal":
        _info(options, "Building dependency tree       ")
    else:
        _info(options, "Building dependency tree... Done")
    _info(options, "Reading state information... Done")


def _plan(state: State, options: Options) -> Transaction:
    command = options.command
    if command in ("remove", "purge"):
        names = [name.rstrip("+-") for name in options.packages]
        return packaging.resolve_remove(
            state, names, command == "purge" or options.purge
        )
    if command in ("upgrade", "dist-upgrade"):
        return _upgrade_plan(state)
    requests = [_request(text) for text in options.packages]
    if not requests:
        return Transaction()
    if options.only_upgrade:
        requests = [r for r in requests if packaging.installed_version(state, r[0])]
    return packaging.resolve_install(state, requests, reinstall=options.reinstall)


def _request(text: str) -> tuple[str, str | None]:
    name, separator, version = text.partition("=")
    return name, (version if separator else None)


def _upgrade_plan(state: State) -> Transaction:
    requests = []
    for name, package in state["packages"].items():
        newest = packaging.candidate(state, name)
        if package["status"] == "ii" and newest and newest != package["version"]:
            requests.append((name, newest))
    try:
        plan = packaging.resolve_install(state, requests)
    except ResolveError:
        return Transaction()
    return Transaction() if plan.removals else plan


def _print_plan(root: Path, state: State, options: Options, plan: Transaction) -> None:
    for name in plan.already:
        if options.command in ("remove", "purge"):
            _info(options, f"Package '{name}' is not installed, so not removed")
        else:
            version = packaging.installed_version(state, name)
            _info(options, f"{name} is already the newest version ({version}).")
    _print_autoremovable(state, options, plan)
    extra = [
        c.release.name for c in plan.changes if c.release.name not in plan.requested
    ]
    _section(options, "The following additional packages will be installed:", extra)
    marks = "*" if plan.purge else ""
    _section(
        options,
        "The following packages will be REMOVED:",
        [name + marks for name, _ in plan.removals],
    )
    for kind, title in (
        ("new", "The following NEW packages will be installed:"),
        ("upgrade", "The following packages will be upgraded:"),
        ("downgrade", "The following packages will be DOWNGRADED:"),
    ):
        _section(options, title, [c.release.name for c in plan.of_kind(kind)])
    _info(options, _counts(state, plan))
    if not plan.empty:
        _print_sizes(root, state, options, plan)


def _print_autoremovable(state: State, options: Options, plan: Transaction) -> None:
    names = packaging.autoremovable(state, plan)
    if not names:
        return
    if len(names) == 1:
        _info(
            options,
            "The following package was automatically installed and is no longer "
            "required:",
        )
    else:
        _info(
            options,
            "The following packages were automatically installed and are no longer "
            "required:",
        )
    _info(options, "  " + " ".join(names))
    _info(
        options,
        f"Use 'sudo apt autoremove' to remove {'it' if len(names) == 1 else 'them'}.",
    )


def _section(options: Options, title: str, names: list[str]) -> None:
    if names:
        _info(options, title)
        _info(options, "  " + " ".join(sorted(names)))


def _counts(state: State, plan: Transaction) -> str:
    upgraded = len(plan.of_kind("upgrade"))
    new = len(plan.of_kind("new"))
    downgraded = len(plan.of_kind("downgrade"))
    text = f"{upgraded} upgraded, {new} newly installed, "
    if downgraded:
        text += f"{downgraded} downgraded, "
    if plan.of_kind("reinstall"):
        text += f"{len(plan.of_kind('reinstall'))} reinstalled, "
    removed = len(plan.removals)
    return (
        text
        + f"{removed} to remove and {packaging.not_upgraded(state, plan)} not upgraded."
    )


def _print_sizes(root: Path, state: State, options: Options, plan: Transaction) -> None:
    total = sum(c.release.download_size for c in plan.changes)
    needed = _to_fetch(root, state, plan)
    if needed == total and total:
        _info(options, f"Need to get {_size(total)} of archives.")
    elif total:
        _info(options, f"Need to get {_size(needed)}/{_size(total)} of archives.")
    delta = _installed_delta(plan)
    if delta >= 0:
        _info(
            options,
            f"After this operation, {_size(delta)} of additional disk space will "
            "be used.",
        )
    else:
        _info(
            options, f"After this operation, {_size(-delta)} disk space will be freed."
        )


def _installed_delta(plan: Transaction) -> int:
    added = sum(c.release.size for c in plan.changes)
    replaced = sum(
        package_release(c.release.name, c.old).size for c in plan.changes if c.old
    )
    removed = sum(
        package_release(name, version).size for name, version in plan.removals
    )
    return added - replaced - removed


def _size(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} MB"
    if value >= 1000:
        return f"{value / 1000:.0f} kB"
    return f"{value} B"


def _needs_confirmation(plan: Transaction) -> bool:
    extra = any(c.release.name not in plan.requested for c in plan.changes)
    return extra or bool(plan.removals) or bool(plan.of_kind("downgrade"))


def _confirmed() -> bool:
    answer = ask("Do you want to continue? [Y/n] ")
    if answer is None:
        say()
        return False
    return answer.strip().lower() in ("", "y", "yes")


def _no_room(root: Path, state: State, plan: Transaction) -> bool:
    mount = runtime.mount_for(state, _ARCHIVES)
    return bool(_to_fetch(root, state, plan) > mount["size"] - mount["used"])


def _print_simulation(plan: Transaction) -> None:
    say("NOTE: This is only a simulation!")
    say("      apt-get needs root privileges for real execution.")
    say("      Keep also in mind that locking is deactivated,")
    say("      so don't depend on the relevance to the real current situation!")
    for name, version in plan.removals:
        say(f"Remv {name} [{version}]")
    for change in packaging.dependency_order(plan.changes):
        old = f"[{change.old}] " if change.old else ""
        say(f"Inst {change.release.name} {old}({change.release.version} prod [amd64])")
    for change in packaging.dependency_order(plan.changes):
        say(f"Conf {change.release.name} ({change.release.version} prod [amd64])")


def _download(root: Path, state: State, options: Options, plan: Transaction) -> None:
    """Fetches the archives not yet in the cache, as apt's `Get:` lines."""
    suite = f"{state['os']['codename']}/main"
    arch = state["arch"]
    total = 0
    number = 0
    for change in packaging.dependency_order(plan.changes):
        release = change.release
        archive = _archive(root, release, arch)
        if archive.exists():
            continue
        number += 1
        size = release.download_size
        total += size
        pause(0.4 + size / 20_000_000)
        _info(
            options,
            f"Get:{number} {repository_url(state)} {suite} {arch} {release.name} "
            f"{arch} {release.version} [{_archive_size(size)}]",
        )
        archive.parent.mkdir(parents=True, exist_ok=True)
        archive.write_text(
            f"simulated package {release.name} {release.version} {arch}\n",
            encoding="utf-8",
        )
    if number:
        seconds = max(1, round(total / 8_000_000))
        _info(
            options,
            f"Fetched {_size(total)} in {seconds}s ({_size(total // seconds)}/s)",
        )


def _archive_folder(root: Path) -> Path:
    return root / _ARCHIVES.lstrip("/")


def _archive(root: Path, release: PackageRelease, arch: str) -> Path:
    """Where apt keeps a downloaded package: `name_version_arch.deb`."""
    version = release.version.replace(":", "%3a")
    return _archive_folder(root) / f"{release.name}_{version}_{arch}.deb"


def _to_fetch(root: Path, state: State, plan: Transaction) -> int:
    """Bytes of the plan's archives that are not in the cache yet."""
    arch = state["arch"]
    return sum(
        change.release.download_size
        for change in plan.changes
        if not _archive(root, change.release, arch).exists()
    )


def _archive_size(value: int) -> str:
    if value >= 10_000_000:
        return f"{value / 1_000_000:.1f} MB"
    return f"{value // 1000:,} kB"


def _apply(root: Path, options: Options, plan: Transaction) -> int:
    _info(
        options,
        "(Reading database ... 72841 files and directories currently installed.)",
    )
    for name, version in plan.removals:
        pause(0.6)
        _info(options, f"Removing {name} ({version}) ...")
        with changing_state(root) as state:
            packaging.remove(state, root, name, purge=False)
    for change in packaging.dependency_order(plan.changes):
        _unpack(root, options, change)
    failed = dpkg.configure_all(
        root,
        [c.release.name for c in packaging.dependency_order(plan.changes)],
        options.force,
    )
    if plan.purge:
        for name, version in plan.removals:
            pause(0.3)
            _info(options, f"Purging configuration files for {name} ({version}) ...")
            with changing_state(root) as state:
                if name in state["packages"]:
                    packaging.remove(state, root, name, purge=True)
    if plan.changes or plan.removals:
        _info(options, "Processing triggers for man-db (2.10.2-1) ...")
    if failed:
        dpkg.report_failures(failed)
        complain("E: Sub-process /usr/bin/dpkg returned an error code (1)")
        return _FAILED
    return 0


def _unpack(root: Path, options: Options, change: Change) -> None:
    release = change.release
    if change.old is None:
        _info(options, f"Selecting previously unselected package {release.name}.")
    _info(
        options,
        f"Preparing to unpack .../{release.name}_{release.version}_amd64.deb ...",
    )
    pause(0.5 + release.size / 100_000_000)
    if change.old is None or change.kind == "new":
        _info(options, f"Unpacking {release.name} ({release.version}) ...")
    else:
        _info(
            options,
            f"Unpacking {release.name} ({release.version}) over ({change.old}) ...",
        )
    with changing_state(root) as state:
        packaging.unpack(state, root, change)


def _autoremove(root: Path, options: Options) -> int:
    state = read_state(root)
    _reading(state, options)
    names = packaging.autoremovable(state, Transaction())
    if not names:
        _info(options, "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.")
        return 0
    options.packages = names
    options.command = "remove"
    return _transaction(root, options)
