"""`dnf` (and `yum`): list, install, upgrade, downgrade, remove on simulated RHEL.

dnf resolves exact pins by choosing the matching dependency version, asks
`Is this ok [y/N]: `, refuses to replace conflicting packages without
`--allowerasing`, and treats configuration files as rpm does: a locally
changed one is kept and the new version written beside it as `.rpmnew`.
Downloaded packages wait in dnf's cache (`--downloadonly` stops there) until
a transaction installs them, which empties it again.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Sequence
from pathlib import Path

from edgetui.sim import packaging
from edgetui.sim.catalog import PackageRelease, package_release
from edgetui.sim.debversion import compare_versions
from edgetui.sim.packaging import ResolveError, Transaction
from edgetui.sim.programs.common import ask, complain, pause, say
from edgetui.sim.state import State, StateError, changing_state, read_state, sim_root

REPOSITORY_ID = "iotedge-prod"
PACKAGE_CACHE = f"/var/cache/dnf/{REPOSITORY_ID}-3f1c0e3b2a9d4c71/packages"
_RULE = "=" * 80
_ARCH = "x86_64"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `dnf [-y] COMMAND [PACKAGE...]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    flags = {a for a in args if a.startswith("-")}
    words = [a for a in args if not a.startswith("-")]
    if not words:
        complain("usage: dnf [options] COMMAND")
        return 1
    try:
        root = sim_root()
        return _run(root, words[0], words[1:], flags)
    except StateError as error:
        complain(f"Error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130


def _run(root: Path, command: str, names: list[str], flags: set[str]) -> int:
    if command == "clean":
        return _clean(root)
    if command in ("makecache", "check-update"):
        _metadata_line()
        return 0
    if command == "list":
        return _list(read_state(root), names, flags)
    if command in ("install", "upgrade", "update", "downgrade", "reinstall"):
        return _install(root, command, names, flags)
    if command in ("remove", "erase"):
        return _remove(root, names, flags)
    complain(f"No such command: {command}. Please use /usr/bin/dnf --help")
    return 1


def _metadata_line() -> None:
    say(
        "Last metadata expiration check: 0:14:02 ago on "
        "Wed 03 Dec 2025 04:10:11 PM UTC."
    )


def _list(state: State, patterns: list[str], flags: set[str]) -> int:
    duplicates = "--showduplicates" in flags
    names = sorted(packaging.known_names(state))
    if patterns:
        names = [n for n in names if any(_glob(p, n) for p in patterns)]
    installed = [(n, packaging.installed_version(state, n)) for n in names]
    installed_rows = [(n, v) for n, v in installed if v]
    available_rows: list[tuple[str, str]] = []
    for name, version in installed:
        offers = packaging.offered(state, name)
        if not duplicates:
            offers = offers[:1]
            if version and offers and compare_versions(offers[0], version) <= 0:
                offers = []
        available_rows += [(name, offer) for offer in reversed(offers)]
    if "--available" in flags:
        installed_rows = []
    if "--installed" in flags:
        available_rows = []
    if not installed_rows and not available_rows:
        complain("Error: No matching Packages to list")
        return 1
    _metadata_line()
    for title, rows, prefix in (
        ("Installed Packages", installed_rows, "@"),
        ("Available Packages", available_rows, ""),
    ):
        if rows:
            say(title)
            for name, version in rows:
                say(f"{name + '.' + _ARCH:<40} {version:<30} {prefix}{REPOSITORY_ID}")
    return 0


def _glob(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern)


def _request(state: State, text: str) -> tuple[str, str | None]:
    """`aziot-edge`, `aziot-edge-1.6.0` or `aziot-edge-1.6.0-1.el9`."""
    if text in packaging.known_names(state):
        return text, None
    for name in sorted(packaging.known_names(state), key=len, reverse=True):
        rest = text[len(name) + 1 :]
        if text.startswith(name + "-") and rest[:1].isdigit():
            return name, rest if "-" in rest else rest + "-*"
    return text, None


def _install(root: Path, command: str, texts: list[str], flags: set[str]) -> int:
    state = read_state(root)
    _metadata_line()
    requests = [_request(state, text) for text in texts]
    if command in ("upgrade", "update") and not requests:
        requests = [
            (n, None)
            for n in sorted(state["packages"])
            if packaging.installed_version(state, n)
        ]
    missing = [name for name, _ in requests if name not in packaging.known_names(state)]
    if missing:
        for name in missing:
            say(f"No match for argument: {name}")
        complain(f"Error: Unable to find a match: {' '.join(missing)}")
        return 1
    try:
        plan = packaging.resolve_install(
            state, requests, satisfy_pins=True, reinstall=command == "reinstall"
        )
    except ResolveError as problem:
        complain("Error: ")
        complain(
            " Problem: "
            + " ".join(line.strip() for line in problem.lines if ":" in line)
        )
        return 1
    if plan.of_kind("downgrade") and command != "downgrade":
        plan.changes = [c for c in plan.changes if c.kind != "downgrade"]
    for name in plan.already:
        version = packaging.installed_version(state, name)
        say(f"Package {name}-{version}.{_ARCH} is already installed.")
    return _carry_out(root, plan, flags)


def _carry_out(root: Path, plan: Transaction, flags: set[str]) -> int:
    """Shows, confirms, downloads and (unless download-only) applies a plan."""
    if plan.removals and "--allowerasing" not in flags:
        _conflict_error(plan)
        return 1
    say("Dependencies resolved.")
    if plan.empty:
        say("Nothing to do.")
        say("Complete!")
        return 0
    _print_transaction(plan)
    download_only = "--downloadonly" in flags
    if download_only:
        say(f"{_program().upper()} will only download packages for the transaction.")
    if not _confirmed(flags):
        say("Operation aborted.")
        return 1
    _download(root, plan)
    if download_only:
        _kept_in_cache()
        return 0
    _check_transaction()
    _apply(root, plan)
    _forget_downloads(root, plan)
    return 0


def _kept_in_cache() -> None:
    say("Complete!")
    say(
        "The downloaded packages were saved in cache until the next successful "
        "transaction."
    )
    say(f"You can remove cached packages by executing '{_program()} clean packages'.")


def _program() -> str:
    return "yum" if Path(sys.argv[0]).name == "yum" else "dnf"


def _conflict_error(plan: Transaction) -> None:
    incoming = plan.changes[0].release if plan.changes else None
    name, version = plan.removals[0]
    complain("Error: ")
    complain(f" Problem: problem with installed package {name}-{version}.{_ARCH}")
    if incoming is not None:
        complain(
            f"  - package {incoming.name}-{incoming.version}.{_ARCH} conflicts with "
            f"{name} provided by {name}-{version}.{_ARCH}"
        )
    complain(
        "(try to add '--allowerasing' to command line to replace conflicting packages "
        "or '--skip-broken' to skip uninstallable packages)"
    )


def _print_transaction(plan: Transaction) -> None:
    say(_RULE)
    say(f" {'Package':<27}{'Arch':<10}{'Version':<21}{'Repository':<17}Size")
    say(_RULE)
    for kind, title in (
        ("new", "Installing:"),
        ("upgrade", "Upgrading:"),
        ("downgrade", "Downgrading:"),
        ("reinstall", "Reinstalling:"),
    ):
        rows = plan.of_kind(kind)
        if rows:
            say(title)
            for change in rows:
                _package_row(change.release, REPOSITORY_ID)
    if plan.removals:
        say("Removing dependent packages:" if plan.changes else "Removing:")
        for name, version in plan.removals:
            _package_row(package_release(name, version), "@System")
    say()
    say("Transaction Summary")
    say(_RULE)
    for kind, word in (
        ("new", "Install"),
        ("upgrade", "Upgrade"),
        ("downgrade", "Downgrade"),
    ):
        count = len(plan.of_kind(kind))
        if count:
            say(f"{word:<9}{count} Package{'s' if count > 1 else ''}")
    if plan.removals:
        count = len(plan.removals)
        say(f"{'Remove':<9}{count} Package{'s' if count > 1 else ''}")
    say()
    download = sum(c.release.download_size for c in plan.changes)
    if download:
        say(f"Total download size: {_size(download)}")


def _package_row(release: PackageRelease, repository: str) -> None:
    size = _size(release.download_size)
    say(f" {release.name:<27}{_ARCH:<10}{release.version:<21}{repository:<17}{size:>4}")


def _size(value: int) -> str:
    if value >= 10_000_000:
        return f"{value // 1_000_000} M"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} M"
    return f"{value // 1000} k"


def _confirmed(flags: set[str]) -> bool:
    if flags & {"-y", "--assumeyes"}:
        return True
    answer = ask("Is this ok [y/N]: ")
    if answer is None:
        say()
        return False
    return answer.strip().lower() in ("y", "yes")


def _download(root: Path, plan: Transaction) -> None:
    """Fetches the packages not yet in the cache, as dnf's progress lines."""
    say("Downloading Packages:")
    total = len(plan.changes)
    fetched = 0
    for number, change in enumerate(plan.changes, start=1):
        release = change.release
        cached = _cached_package(root, release)
        if cached.exists():
            say(f"[SKIPPED] {cached.name}: Already downloaded")
            continue
        pause(0.4 + release.download_size / 20_000_000)
        fetched += release.download_size
        say(
            f"({number}/{total}): {cached.name:<50} 6.0 MB/s | "
            f"{_size(release.download_size):>6}     00:01"
        )
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(f"simulated package {cached.name}\n", encoding="utf-8")
    if fetched:
        say("-" * 80)
        say(f"{'Total':<49}6.0 MB/s | {_size(fetched):>6}     00:01")


def _check_transaction() -> None:
    say("Running transaction check")
    say("Transaction check succeeded.")
    say("Running transaction test")
    say("Transaction test succeeded.")
    say("Running transaction")


def _cached_package(root: Path, release: PackageRelease) -> Path:
    """Where dnf keeps a downloaded package until it is installed."""
    name = f"{release.name}-{release.version}.{_ARCH}.rpm"
    return root / PACKAGE_CACHE.lstrip("/") / name


def _forget_downloads(root: Path, plan: Transaction) -> None:
    """dnf (without keepcache) deletes the packages a transaction installed."""
    for change in plan.changes:
        _cached_package(root, change.release).unlink(missing_ok=True)


def _clean(root: Path) -> int:
    cache = root / PACKAGE_CACHE.lstrip("/")
    removed = 0
    for package in cache.glob("*.rpm"):
        package.unlink()
        removed += 1
    say(f"{removed} file{'' if removed == 1 else 's'} removed")
    return 0


def _apply(root: Path, plan: Transaction) -> None:
    say(_progress("Preparing", "", 1, 1))
    steps = len(plan.changes) * 2 + len(plan.removals)
    step = 0
    for change in packaging.dependency_order(plan.changes):
        step += 1
        release = change.release
        verb = {"new": "Installing", "downgrade": "Downgrading"}.get(
            change.kind, "Upgrading"
        )
        pause(0.6)
        say(
            f"  {verb:<17}: {release.name}-{release.version}.{_ARCH:<30} {step}/{steps}"
        )
        with changing_state(root) as state:
            packaging.unpack(state, root, change)
            for question in packaging.conffile_questions(state, root, release.name):
                complain(f"warning: {question.path} created as {question.path}.rpmnew")
            decisions = {
                q.path: "keep"
                for q in packaging.conffile_questions(state, root, release.name)
            }
            packaging.configure(
                state,
                root,
                release.name,
                decisions=decisions,
                was_installed=change.old is not None,
                keep_suffix=".rpmnew",
            )
    for name, version in [
        *plan.removals,
        *((c.release.name, c.old) for c in plan.changes if c.old),
    ]:
        step += 1
        verb = "Erasing" if (name, version) in plan.removals else "Cleanup"
        say(_progress(verb, f"{name}-{version}.{_ARCH}", step, steps))
        if verb == "Erasing":
            with changing_state(root) as state:
                _erase(state, root, name)
    _print_done(plan)


def _progress(verb: str, package: str, step: int, steps: int) -> str:
    return f"  {verb:<17}: {package:<52}{step:>3}/{steps}"


def _erase(state: State, root: Path, name: str) -> None:
    package = state["packages"][name]
    modified = []
    for path, recorded in package["conffiles"].items():
        host = root / path.lstrip("/")
        if (
            host.exists()
            and packaging.digest(host.read_text(encoding="utf-8")) != recorded
        ):
            modified.append(path)
    packaging.remove(state, root, name, purge=False)
    for path, _ in list(package["conffiles"].items()):
        host = root / path.lstrip("/")
        if path in modified:
            host.rename(host.with_name(host.name + ".rpmsave"))
            complain(f"warning: {path} saved as {path}.rpmsave")
        elif host.exists():
            host.unlink()
    state["packages"].pop(name, None)


def _print_done(plan: Transaction) -> None:
    for kind, title in (
        ("upgrade", "Upgraded:"),
        ("downgrade", "Downgraded:"),
        ("new", "Installed:"),
        ("reinstall", "Reinstalled:"),
    ):
        rows = plan.of_kind(kind)
        if rows:
            say(title)
            say(
                "  "
                + "  ".join(
                    f"{c.release.name}-{c.release.version}.{_ARCH}" for c in rows
                )
            )
    if plan.removals:
        say("Removed:")
        say("  " + "  ".join(f"{n}-{v}.{_ARCH}" for n, v in plan.removals))
    say()
    say("Complete!")


def _remove(root: Path, names: list[str], flags: set[str]) -> int:
    state = read_state(root)
    missing = [n for n in names if packaging.installed_version(state, n) is None]
    for name in missing:
        say(f"No match for argument: {name}")
    if missing and len(missing) == len(names):
        complain("Error: No packages marked for removal.")
        return 1
    plan = packaging.resolve_remove(
        state, [n for n in names if n not in missing], False
    )
    say("Dependencies resolved.")
    _print_transaction(plan)
    if not _confirmed(flags):
        say("Operation aborted.")
        return 1
    _check_transaction()
    _apply(root, plan)
    return 0
