"""`dpkg-query`: the package database (-W with formats, -l, -s)."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

from edgetui.sim.catalog import UnknownPackageError, package_release
from edgetui.sim.programs.common import complain, say
from edgetui.sim.state import StateError, read_state, sim_root

STATUS_WORDS = {
    "ii": "install ok installed",
    "rc": "deinstall ok config-files",
    "iU": "install ok unpacked",
    "iF": "install ok half-configured",
}
_DEFAULT_FORMAT = "${binary:Package}\t${Version}\n"
_FIELD = re.compile(r"\$\{([^}]+)\}")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `dpkg-query -W|-l|-s [-f FORMAT] [PACKAGE...]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        action, showformat, names = _options(args)
        state = read_state(sim_root())
    except (ValueError, StateError) as error:
        complain(f"dpkg-query: {error}")
        return 2
    packages = state["packages"]
    if action == "list":
        return _list(state, names)
    if action == "status":
        return _status(state, names)
    return _show(packages, state["arch"], showformat, names)


def _options(args: list[str]) -> tuple[str, str, list[str]]:
    action, showformat, names = "", _DEFAULT_FORMAT, []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-W", "--show"):
            action = "show"
        elif arg in ("-l", "--list"):
            action = "list"
        elif arg in ("-s", "--status"):
            action = "status"
        elif arg.startswith("--showformat="):
            showformat = arg.split("=", 1)[1]
        elif arg in ("-f", "--showformat"):
            index += 1
            if index >= len(args):
                raise ValueError(f"option {arg} requires a value")
            showformat = args[index]
        elif arg.startswith("-f"):
            showformat = arg[2:]
            if showformat.startswith("="):
                showformat = showformat[1:]
        elif arg.startswith("-"):
            raise ValueError(f"unknown option {arg}")
        else:
            names.append(arg)
        index += 1
    if not action:
        raise ValueError(
            "need an action option\n\nUse --help for help about querying packages."
        )
    return action, _unescape(showformat), names


def _unescape(text: str) -> str:
    return text.replace("\\t", "\t").replace("\\n", "\n")


def _selected(
    packages: dict[str, Any], names: list[str]
) -> tuple[list[str], list[str]]:
    if not names:
        return sorted(packages), []
    found: list[str] = []
    missing: list[str] = []
    for name in names:
        matches = [p for p in sorted(packages) if _glob(name, p)]
        if matches:
            found.extend(m for m in matches if m not in found)
        else:
            missing.append(name)
    return found, missing


def _glob(pattern: str, name: str) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, name) is not None


def _show(
    packages: dict[str, Any], arch: str, showformat: str, names: list[str]
) -> int:
    found, missing = _selected(packages, names)
    out = sys.stdout
    for name in found:
        out.write(_format(showformat, _fields(name, packages[name], arch)))
    out.flush()
    for name in missing:
        complain(f"dpkg-query: no packages found matching {name}")
    return 1 if missing else 0


def _format(showformat: str, fields: dict[str, str]) -> str:
    return _FIELD.sub(lambda match: fields.get(match.group(1), ""), showformat)


def _fields(name: str, package: dict[str, Any], arch: str) -> dict[str, str]:
    status = package["status"]
    return {
        "Package": name,
        "binary:Package": name,
        "Version": package["version"],
        "Architecture": arch,
        "db:Status-Abbrev": status + " ",
        "Status": STATUS_WORDS[status],
        "db:Status-Want": STATUS_WORDS[status].split()[0],
        "db:Status-Status": STATUS_WORDS[status].split()[2],
        "binary:Summary": _summary(name, package["version"]),
    }


def _summary(name: str, version: str) -> str:
    try:
        return package_release(name, version).summary
    except UnknownPackageError:
        return ""


def _list(state: dict[str, Any], names: list[str]) -> int:
    packages = state["packages"]
    found, missing = _selected(packages, names)
    rows = [
        (
            packages[n]["status"],
            n,
            packages[n]["version"],
            state["arch"],
            _summary(n, packages[n]["version"]),
        )
        for n in found
    ]
    widths = [
        max([14, *(len(r[1]) for r in rows)]),
        max([12, *(len(r[2]) for r in rows)]),
        max([12, *(len(r[3]) for r in rows)]),
    ]
    if rows:
        say("Desired=Unknown/Install/Remove/Purge/Hold")
        say(
            "| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/"
            "trig-aWait/Trig-pend"
        )
        say("|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)")
        names_header = ["Name", "Version", "Architecture"]
        say(
            "||/ "
            + " ".join(h.ljust(w) for h, w in zip(names_header, widths))
            + " Description"
        )
        say("+++-" + "-".join("=" * w for w in widths) + "-" + "=" * 33)
    for status, name, version, arch, summary in rows:
        cells = [name.ljust(widths[0]), version.ljust(widths[1]), arch.ljust(widths[2])]
        say(f"{status}  " + " ".join(cells) + " " + summary)
    for name in missing:
        complain(f"dpkg-query: no packages found matching {name}")
    return 1 if missing else 0


def _status(state: dict[str, Any], names: list[str]) -> int:
    packages = state["packages"]
    status = 0
    for index, name in enumerate(names):
        package = packages.get(name)
        if package is None:
            complain(
                f"dpkg-query: package '{name}' is not installed and no information "
                "is available"
            )
            status = 1
            continue
        if index:
            say()
        release = package_release(name, package["version"])
        say(f"Package: {name}")
        say(f"Status: {STATUS_WORDS[package['status']]}")
        say(f"Architecture: {state['arch']}")
        say(f"Version: {package['version']}")
        if release.depends:
            depends = ", ".join(
                f"{dep} (= {version})" if version else dep
                for dep, version in release.depends
            )
            say(f"Depends: {depends}")
        if package["conffiles"]:
            say("Conffiles:")
            for path, digest in package["conffiles"].items():
                say(f" {path} {digest}")
        say(f"Description: {release.summary}")
    return status
