"""Package transactions of the simulated device: resolve, remove, unpack, configure.

apt-get, dpkg and dnf share this model. Resolution follows the real tools
where it matters for IoT Edge: apt takes each dependency's candidate
(newest) version and fails on an exact pin it does not satisfy, dnf picks
the version that satisfies; conflicting packages are removed (apt) or
refused without `--allowerasing` (dnf); removing a package removes what
depends on it. Removal keeps configuration files (`rc`), purge deletes
them and the package's data folders. Configuration files are dpkg
conffiles: a locally changed one that a new version also changes needs a
decision, which the caller asks for.
"""

from __future__ import annotations

import fnmatch
import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edgetui.sim import launchers, runtime, services
from edgetui.sim.catalog import ENGINE_RELEASES, PackageRelease, package_release
from edgetui.sim.debversion import compare_versions, newest_first
from edgetui.sim.state import State

START_ON_INSTALL = frozenset({"docker.service", "containerd.service", "docker.socket"})


class ResolveError(Exception):
    """The request cannot be satisfied; `lines` is what the tool prints."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class Change:
    """One package to unpack and configure.

    Attributes:
        kind: `new`, `upgrade`, `downgrade` or `reinstall`.
        old: the version it replaces, if any.
        auto: installed only as a dependency.
    """

    release: PackageRelease
    kind: str
    old: str | None = None
    auto: bool = False


@dataclass
class Transaction:
    """What a request will do, in the order the tools do it."""

    changes: list[Change] = field(default_factory=list)
    removals: list[tuple[str, str]] = field(default_factory=list)
    purge: bool = False
    already: list[str] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        """Nothing to do."""
        return not self.changes and not self.removals

    def of_kind(self, kind: str) -> list[Change]:
        """The changes of one kind."""
        return [change for change in self.changes if change.kind == kind]


# Reading the database --------------------------------------------------------


def offered(state: State, name: str) -> list[str]:
    """Versions the repositories offer for a package, newest first."""
    return newest_first([v for n, v in state["offers"] if n == name])


def candidate(state: State, name: str) -> str | None:
    """The version apt would install: the newest offered (or the installed one)."""
    versions = offered(state, name)
    installed = state["packages"].get(name)
    if installed and installed["status"] != "rc":
        versions = newest_first([*versions, installed["version"]])
    return versions[0] if versions else None


def installed_version(state: State, name: str) -> str | None:
    """The version installed (unpacked or configured), or None."""
    package = state["packages"].get(name)
    if package is None or package["status"] == "rc":
        return None
    return str(package["version"])


def known_names(state: State) -> set[str]:
    """Every package the repositories or the database know."""
    return {name for name, _ in state["offers"]} | set(state["packages"])


def match_version(state: State, name: str, wanted: str) -> str | None:
    """The offered version matching `wanted` (exact, glob, or upstream prefix)."""
    versions = offered(state, name)
    installed = installed_version(state, name)
    if installed:
        versions = newest_first([*versions, installed])
    for version in versions:
        if version == wanted or fnmatch.fnmatchcase(version, wanted):
            return version
    return None


# Resolving -----------------------------------------------------------------


def resolve_install(
    state: State,
    requests: Sequence[tuple[str, str | None]],
    *,
    satisfy_pins: bool = False,
    reinstall: bool = False,
) -> Transaction:
    """Works out an install request.

    Args:
        requests: (package, version or None for the candidate).
        satisfy_pins: choose dependency versions that satisfy exact pins
            (dnf); apt takes the candidate and fails instead.
        reinstall: install again what is installed in the same version.

    Raises:
        ResolveError: unknown package or version, or unmet dependencies.
    """
    plan = Transaction()
    chosen: dict[str, str] = {}
    auto: set[str] = set()
    for name, wanted in requests:
        chosen[name] = _requested_version(state, name, wanted)
        plan.requested.add(name)
    queue = list(chosen)
    unmet: list[str] = []
    while queue:
        name = queue.pop(0)
        release = package_release(name, chosen[name])
        for dependency, pin in release.depends:
            version = _dependency_version(state, dependency, pin, chosen, satisfy_pins)
            if pin is not None and version != pin:
                shown = version or "it is not installable"
                unmet.append(
                    f" {name} : Depends: {dependency} (= {pin}) but "
                    + (f"{shown} is to be installed" if version else shown)
                )
                continue
            if version is None or dependency in chosen:
                continue
            if installed_version(state, dependency) != version:
                chosen[dependency] = version
                auto.add(dependency)
                queue.append(dependency)
    if unmet:
        raise ResolveError(_unmet_lines(unmet))
    _fill_changes(state, plan, chosen, auto, reinstall)
    _add_conflict_removals(state, plan)
    return plan


def _requested_version(state: State, name: str, wanted: str | None) -> str:
    if name not in known_names(state):
        raise ResolveError([f"E: Unable to locate package {name}"])
    if wanted is None:
        version = candidate(state, name)
        if version is None:
            raise ResolveError(
                [
                    f"Package {name} is not available, but is referred to by "
                    "another package.",
                    f"E: Package '{name}' has no installation candidate",
                ]
            )
        return version
    version = match_version(state, name, wanted)
    if version is None:
        raise ResolveError([f"E: Version '{wanted}' for '{name}' was not found"])
    return version


def _dependency_version(
    state: State,
    name: str,
    pin: str | None,
    chosen: dict[str, str],
    satisfy_pins: bool,
) -> str | None:
    if name in chosen:
        return chosen[name]
    installed = installed_version(state, name)
    if pin is None:
        return installed or candidate(state, name)
    if installed == pin:
        return installed
    if satisfy_pins and pin in offered(state, name):
        return pin
    return candidate(state, name)


def _unmet_lines(unmet: list[str]) -> list[str]:
    return [
        "Some packages could not be installed. This may mean that you have",
        "requested an impossible situation or if you are using the unstable",
        "distribution that some required packages have not yet been created",
        "or been moved out of Incoming.",
        "The following information may help to resolve the situation:",
        "",
        "The following packages have unmet dependencies:",
        *unmet,
        "E: Unable to correct problems, you have held broken packages.",
    ]


def _fill_changes(
    state: State,
    plan: Transaction,
    chosen: dict[str, str],
    auto: set[str],
    reinstall: bool,
) -> None:
    for name, version in chosen.items():
        old = installed_version(state, name)
        status = state["packages"].get(name, {}).get("status")
        if old == version and status == "ii" and not reinstall:
            plan.already.append(name)
            continue
        if old is None:
            kind = "new"
        elif old == version:
            kind = "reinstall"
        else:
            kind = "upgrade" if compare_versions(version, old) > 0 else "downgrade"
        plan.changes.append(
            Change(package_release(name, version), kind, old, auto=name in auto)
        )


def _add_conflict_removals(state: State, plan: Transaction) -> None:
    incoming = {change.release.name: change.release for change in plan.changes}
    doomed: list[str] = []
    for name in sorted(state["packages"]):
        if installed_version(state, name) is None or name in incoming:
            continue
        theirs = package_release(name, state["packages"][name]["version"])
        for release in incoming.values():
            if name in release.conflicts or release.name in theirs.conflicts:
                doomed.append(name)
                break
    for name in _with_dependents(state, doomed, keep=set(incoming)):
        plan.removals.append((name, state["packages"][name]["version"]))


def resolve_remove(state: State, names: list[str], purge: bool) -> Transaction:
    """Works out a remove or purge request (dependents go too).

    Raises:
        ResolveError: a package the database does not know at all.
    """
    plan = Transaction(purge=purge)
    targets: list[str] = []
    for name in names:
        package = state["packages"].get(name)
        if package is None:
            if name not in known_names(state):
                raise ResolveError([f"E: Unable to locate package {name}"])
            plan.already.append(name)
        elif package["status"] == "rc" and not purge:
            plan.already.append(name)
        else:
            targets.append(name)
        plan.requested.add(name)
    for name in _with_dependents(state, targets, keep=set()):
        plan.removals.append((name, state["packages"][name]["version"]))
    return plan


def _with_dependents(state: State, names: list[str], keep: set[str]) -> list[str]:
    result = list(names)
    changed = True
    while changed:
        changed = False
        for other in sorted(state["packages"]):
            if (
                other in result
                or other in keep
                or installed_version(state, other) is None
            ):
                continue
            release = package_release(other, state["packages"][other]["version"])
            if any(dependency in result for dependency, _ in release.depends):
                result.append(other)
                changed = True
    return result


def autoremovable(state: State, after: Transaction) -> list[str]:
    """Automatically installed packages nothing will need after the transaction."""
    removed = {name for name, _ in after.removals}
    remaining = {
        name: package
        for name, package in state["packages"].items()
        if package["status"] != "rc" and name not in removed
    }
    needed: set[str] = set()
    for name, package in remaining.items():
        for dependency, _ in package_release(name, package["version"]).depends:
            needed.add(dependency)
    for change in after.changes:
        needed.update(dependency for dependency, _ in change.release.depends)
    return sorted(
        name
        for name, package in remaining.items()
        if package.get("auto") and name not in needed
    )


# Doing -----------------------------------------------------------------------


def remove(state: State, root: Path, name: str, purge: bool) -> None:
    """Removes (or purges) one package: its units stop, its files go."""
    package = state["packages"][name]
    release = package_release(name, package["version"])
    if package["status"] != "rc":
        for unit in release.units:
            if unit in state["services"]:
                services.stop(state, unit)
                del state["services"][unit]
        for path in release.files:
            _delete(root, path)
        launchers.remove_package_programs(state["launchers"], release)
        if state["engine"].get("package") == name:
            state["engine"] = {}
    if purge:
        for path in [*package["conffiles"], *release.purge_paths]:
            _delete(root, path)
        del state["packages"][name]
    elif package["conffiles"]:
        package["status"] = "rc"
    else:
        del state["packages"][name]


def _delete(root: Path, device_path: str) -> None:
    path = root / device_path.lstrip("/")
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def unpack(state: State, root: Path, change: Change) -> None:
    """Unpacks a package: files and programs in place, status `iU`."""
    release = change.release
    if (
        change.old is not None
        and state["packages"].get(release.name, {}).get("status") != "rc"
    ):
        previous = package_release(release.name, change.old)
        for path in set(previous.files) - set(release.files):
            _delete(root, path)
    for path, text in release.files.items():
        _write(root, path, text)
    launchers.write_package_programs(state["launchers"], release)
    existing = state["packages"].get(release.name, {})
    state["packages"][release.name] = {
        "version": release.version,
        "status": "iU",
        "auto": existing.get("auto", change.auto) if existing else change.auto,
        "conffiles": dict(existing.get("conffiles", {})),
    }


def _write(root: Path, device_path: str, text: str) -> None:
    path = root / device_path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@dataclass
class ConffileQuestion:
    """A conffile dpkg must ask about.

    Attributes:
        reason: the two `==>` lines dpkg prints.
        current: the text on the device; new: the text the package ships.
    """

    path: str
    reason: tuple[str, str]
    current: str
    new: str


def digest(text: str) -> str:
    """The md5 dpkg records for a conffile."""
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - as dpkg does


def conffile_questions(state: State, root: Path, name: str) -> list[ConffileQuestion]:
    """Conffiles of an unpacked package that need the technician's decision."""
    package = state["packages"][name]
    release = package_release(name, package["version"])
    questions = []
    for path, new in release.conffiles.items():
        host = root / path.lstrip("/")
        if not host.exists():
            continue
        current = host.read_text(encoding="utf-8", errors="replace")
        recorded = package["conffiles"].get(path)
        if digest(current) == digest(new) or (recorded and digest(new) == recorded):
            continue
        if recorded is None:
            reason = (
                " ==> File on system created by you or by a script.",
                " ==> File also in package provided by package maintainer.",
            )
        elif digest(current) == recorded:
            continue
        else:
            reason = (
                " ==> Modified (by you or by a script) since installation.",
                " ==> Package distributor has shipped an updated version.",
            )
        questions.append(ConffileQuestion(path, reason, current, new))
    return questions


def configure(
    state: State,
    root: Path,
    name: str,
    *,
    decisions: dict[str, str],
    was_installed: bool,
    keep_suffix: str = ".dpkg-dist",
) -> None:
    """Configures an unpacked package: conffiles as decided, units, status `ii`.

    Args:
        decisions: conffile path -> `install` (the maintainer's version) or
            `keep` (the technician's), for the questions that were asked.
        was_installed: the package was configured before (an upgrade).
        keep_suffix: where the new version of a kept conffile goes
            (`.dpkg-dist`, or `.rpmnew` for rpm).
    """
    package = state["packages"][name]
    release = package_release(name, package["version"])
    for path, new in release.conffiles.items():
        host = root / path.lstrip("/")
        decision = decisions.get(path)
        if decision == "keep":
            _write(root, path + keep_suffix, new)
        elif decision == "install":
            if host.exists():
                shutil.copy2(host, host.with_name(host.name + ".dpkg-old"))
            _write(root, path, new)
        else:
            recorded = package["conffiles"].get(path)
            current = host.read_text(encoding="utf-8") if host.exists() else None
            if (current is None and recorded is None) or (
                current is not None
                and (recorded is None or digest(current) == recorded)
            ):
                _write(root, path, new)
        package["conffiles"][path] = digest(new)
    package["status"] = "ii"
    _engine_package(state, release)
    _units(state, root, release, was_installed)


def _engine_package(state: State, release: PackageRelease) -> None:
    if release.version in ENGINE_RELEASES:
        product, version, api = ENGINE_RELEASES[release.version]
        state["engine"] = {
            "package": release.name,
            "product": product,
            "version": version,
            "api_version": api,
        }


def _units(state: State, root: Path, release: PackageRelease, upgrade: bool) -> None:
    for unit in release.units:
        service = state["services"].get(unit)
        if service is None:
            state["services"][unit] = {
                "state": "inactive",
                "since": _now(),
                "pid": 500 + 61 * len(state["services"]),
                "enabled": True,
            }
            if unit in START_ON_INSTALL:
                _try_start(state, root, unit)
        elif upgrade and service["state"] == "active" and unit.endswith(".service"):
            services.stop(state, unit)
            _try_start(state, root, unit)


def _try_start(state: State, root: Path, unit: str) -> None:
    try:
        services.start(state, root, unit)
    except services.UnitError:
        return


def _now() -> str:
    return runtime.engine_time(runtime.now())


def dependency_order(changes: list[Change]) -> list[Change]:
    """Changes with the packages others depend on first."""
    names = {change.release.name for change in changes}
    first = [c for c in changes if not any(d in names for d, _ in c.release.depends)]
    return first + [c for c in changes if c not in first]


def pending(state: State) -> list[str]:
    """Packages unpacked (`iU`) or half configured (`iF`), not configured yet."""
    return sorted(
        n for n, p in state["packages"].items() if p["status"] in ("iU", "iF")
    )


def not_upgraded(state: State, plan: Transaction) -> int:
    """Installed packages with a newer candidate that the plan leaves alone."""
    touched = {c.release.name for c in plan.changes} | {n for n, _ in plan.removals}
    count = 0
    for name, package in state["packages"].items():
        if package["status"] != "ii" or name in touched:
            continue
        newest = candidate(state, name)
        if newest and compare_versions(newest, package["version"]) > 0:
            count += 1
    return count
