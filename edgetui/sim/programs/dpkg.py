"""`dpkg`: configuring unpacked packages, with dpkg's conffile prompt; `--audit`.

`apt-get` configures through the same functions, so the prompt, the pager
for `D`, the shell for `Z` and the failure without input are the same
whichever tool reaches them. A package is `half-configured` while its
postinst runs: one stopped then stays so, and `--audit` names it.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from edgetui.sim import packaging
from edgetui.sim.catalog import package_release
from edgetui.sim.packaging import ConffileQuestion
from edgetui.sim.programs import dpkg_query
from edgetui.sim.programs.common import ask, complain, pause, say
from edgetui.sim.state import StateError, changing_state, read_state, sim_root

_FORCE_OPTIONS = ("confnew", "confold", "confdef", "confmiss")
_AUDIT_TEXTS = (
    (
        "iU",
        "The following packages have been unpacked but not yet configured.\n"
        "They must be configured using dpkg --configure or the configure\n"
        "menu option in dselect for them to work:",
    ),
    (
        "iF",
        "The following packages are only half configured, probably due to problems\n"
        "configuring them the first time.  The configuration should be retried using\n"
        "dpkg --configure <package> or the configure menu option in dselect:",
    ),
)
"""dpkg's audit sections for the states the simulated device can reach."""


class EndOfInputError(Exception):
    """stdin ended while dpkg was asking about a conffile."""


class ConfigureError(Exception):
    """A package could not be configured; the message is dpkg's reason."""


def force_option(argument: str) -> str | None:
    """`--force-confold` -> `confold` (None for other arguments)."""
    if argument.startswith("--force-") and argument[8:] in _FORCE_OPTIONS:
        return argument[8:]
    return None


def configure_all(root: Path, names: list[str], force: set[str]) -> list[str]:
    """Configures unpacked packages in dependency order, printing as dpkg does.

    Returns:
        The packages that failed (they stay unpacked, `iU`).
    """
    failed: list[str] = []
    for name in _dependency_order(root, names):
        blocker = _unconfigured_dependency(root, name, failed)
        if blocker is not None:
            _report_dependency_problem(root, name, blocker)
            failed.append(name)
            continue
        try:
            _configure_one(root, name, force)
        except ConfigureError as problem:
            complain(f"dpkg: error processing package {name} (--configure):")
            complain(f" {problem}")
            failed.append(name)
    return failed


def report_failures(failed: list[str]) -> None:
    """dpkg's closing lines after errors."""
    complain("Errors were encountered while processing:")
    for name in failed:
        complain(f" {name}")


def _dependency_order(root: Path, names: list[str]) -> list[str]:
    state = read_state(root)
    ordered: list[str] = []
    remaining = list(names)
    while remaining:
        for name in list(remaining):
            release = package_release(name, state["packages"][name]["version"])
            if not any(dep in remaining and dep != name for dep, _ in release.depends):
                ordered.append(name)
                remaining.remove(name)
                break
        else:
            ordered.extend(remaining)
            break
    return ordered


def _unconfigured_dependency(root: Path, name: str, failed: list[str]) -> str | None:
    state = read_state(root)
    release = package_release(name, state["packages"][name]["version"])
    for dependency, _ in release.depends:
        if dependency in failed:
            return dependency
    return None


def _report_dependency_problem(root: Path, name: str, blocker: str) -> None:
    state = read_state(root)
    release = package_release(name, state["packages"][name]["version"])
    pin = dict(release.depends).get(blocker)
    complain(f"dpkg: dependency problems prevent configuration of {name}:")
    complain(f" {name} depends on {blocker} (= {pin}); however:")
    complain(f"  Package {blocker} is not configured yet.")
    complain("")
    complain(f"dpkg: error processing package {name} (--configure):")
    complain(" dependency problems - leaving unconfigured")


def _configure_one(root: Path, name: str, force: set[str]) -> None:
    state = read_state(root)
    package = state["packages"][name]
    was_installed = bool(package["conffiles"])
    say(f"Setting up {name} ({package['version']}) ...")
    with changing_state(root) as state:
        questions = packaging.conffile_questions(state, root, name)
    decisions: dict[str, str] = {}
    for question in questions:
        try:
            decisions[question.path] = decide(question, force)
        except EndOfInputError:
            raise ConfigureError("end of file on stdin at conffile prompt") from None
    with changing_state(root) as state:
        state["packages"][name]["status"] = "iF"
    pause(0.6)
    with changing_state(root) as state:
        packaging.configure(
            state, root, name, decisions=decisions, was_installed=was_installed
        )
        release = package_release(name, state["packages"][name]["version"])
    if release.note and not was_installed:
        say(release.note)


def decide(question: ConffileQuestion, force: set[str]) -> str:
    """Asks (or, with --force-conf*, decides) what to do with one conffile.

    Returns:
        `install` (the maintainer's version) or `keep` (the current one).

    Raises:
        EndOfInputError: stdin ended before an answer.
    """
    say()
    say(f"Configuration file '{question.path}'")
    for line in question.reason:
        say(line)
    if "confnew" in force:
        say(" ==> Using new config file as default.")
        return _install(question)
    if "confold" in force or "confdef" in force:
        say(" ==> Keeping old config file as default.")
        return "keep"
    say("   What would you like to do about it ?  Your options are:")
    say("    Y or I  : install the package maintainer's version")
    say("    N or O  : keep your currently-installed version")
    say("      D     : show the differences between the versions")
    say("      Z     : start a shell to examine the situation")
    say(" The default action is to keep your current version.")
    while True:
        answer = ask(f"*** {Path(question.path).name} (Y/I/N/O/D/Z) [default=N] ? ")
        if answer is None:
            say()
            raise EndOfInputError
        choice = answer.strip().lower()[:1]
        if choice in ("y", "i"):
            return _install(question)
        if choice in ("", "n", "o"):
            return "keep"
        if choice == "d":
            _show_differences(question)
        elif choice == "z":
            _examine_in_shell(question)


def _install(question: ConffileQuestion) -> str:
    say(f"Installing new version of config file {question.path} ...")
    return "install"


def _show_differences(question: ConffileQuestion) -> None:
    diff = "".join(
        difflib.unified_diff(
            question.current.splitlines(keepends=True),
            question.new.splitlines(keepends=True),
            fromfile=question.path,
            tofile=f"{question.path}.dpkg-new",
        )
    )
    pager = os.environ.get("DPKG_PAGER") or os.environ.get("PAGER") or "pager"
    program = shutil.which(pager.split()[0]) if pager else None
    if pager == "cat" or program is None or not sys.stdin.isatty():
        sys.stdout.write(diff)
        sys.stdout.flush()
        return
    subprocess.run([program, *pager.split()[1:]], input=diff, text=True, check=False)


def _examine_in_shell(question: ConffileQuestion) -> None:
    say("Useful environment variables:")
    say(f" - DPKG_CONFFILE_OLD='{question.path}'")
    say(f" - DPKG_CONFFILE_NEW='{question.path}.dpkg-new'")
    say("Type 'exit' when you're done.")
    shell = os.environ.get("SHELL") or "sh"
    if shutil.which(shell) and sys.stdin.isatty():
        subprocess.run([shell], check=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `dpkg --configure`, `--audit`, `-l`, `-s` or `--print-architecture`."""
    args = list(sys.argv[1:] if argv is None else argv)
    force = {option for option in map(force_option, args) if option}
    args = [arg for arg in args if force_option(arg) is None]
    try:
        root = sim_root()
        if args[:1] in (["-l"], ["--list"], ["-s"], ["--status"]):
            return dpkg_query.main(args)
        if args == ["--print-architecture"]:
            say(read_state(root)["arch"])
            return 0
        if args[:1] == ["--configure"] and len(args) > 1:
            return _configure_command(root, args[1:], force)
        if args[:1] in (["--audit"], ["-C"]):
            return _audit(root, args[1:])
    except StateError as error:
        complain(f"dpkg: {error}")
        return 2
    complain(
        "dpkg: error: this simulated device supports --configure, --audit, -l and -s"
    )
    return 2


def _audit(root: Path, names: list[str]) -> int:
    """Names the packages dpkg left part way; silent when there are none.

    dpkg exits 0 either way: the report is the answer.
    """
    packages = read_state(root)["packages"]
    for name in names:
        if name not in packages:
            complain(f"dpkg: package '{name}' is not installed")
    wanted = [n for n in sorted(packages) if not names or n in names]
    for status, text in _AUDIT_TEXTS:
        stuck = [n for n in wanted if packages[n]["status"] == status]
        if stuck:
            say(text)
            for name in stuck:
                say(_brief(name, packages[name]["version"]))
            say()
    return 0


def _brief(name: str, version: str) -> str:
    """One audit line: the name in 20 columns, the summary cut to fit 80."""
    room = 57 - max(0, len(name) - 20)
    summary = package_release(name, version).summary
    return f" {name:<20} {summary[:room]}"


def _configure_command(root: Path, names: list[str], force: set[str]) -> int:
    state = read_state(root)
    waiting = packaging.pending(state)
    if names not in (["-a"], ["--pending"]):
        for name in names:
            if name not in waiting:
                complain(
                    f"dpkg: error processing package {name} (--configure):\n"
                    f" package {name} is already installed and configured"
                )
                return 1
        waiting = names
    failed = configure_all(root, waiting, force)
    if failed:
        report_failures(failed)
        return 1
    return 0
