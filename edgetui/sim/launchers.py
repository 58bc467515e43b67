"""Puts the simulated programs on PATH: one small launcher file per program.

A launcher runs `edgetui.sim.programs.<module>.main()` with the interpreter
that runs edgetui, in isolated mode without site packages (the programs
use the standard library only). It finds edgetui by the folder edgetui was
imported from, so it works from a source tree, an editable install and a
wheel alike. Packages own their programs: installing `aziot-edge` writes
the `iotedge` launcher, removing it deletes the file, as dpkg would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import edgetui.sim
from edgetui.sim.catalog import PackageRelease

COMMON_PROGRAMS = {
    "systemctl": "systemctl",
    "journalctl": "journalctl",
    "udevadm": "udevadm",
    "df": "df",
    "stat": "stat",
}
PACKAGE_MANAGER_PROGRAMS = {
    "apt": {
        "apt": "apt",
        "apt-get": "apt_get",
        "apt-cache": "apt_cache",
        "dpkg-query": "dpkg_query",
        "dpkg": "dpkg",
    },
    "dnf": {"dnf": "dnf", "yum": "dnf", "rpm": "rpm"},
}
PACKAGE_PROGRAMS = {"iotedge": "iotedge"}
VERSION_VARIABLE = "EDGETUI_SIM_IOTEDGE_VERSION"

Settings = Mapping[str, str]


def settings(bin_dir: Path, root: Path) -> dict[str, str]:
    """What every launcher needs: its folder, the interpreter, edgetui's folder."""
    return {
        "bin": str(bin_dir),
        "python": sys.executable,
        "import_root": str(Path(edgetui.sim.__file__).resolve().parents[2]),
        "root": str(root),
    }


def write_base_programs(where: Settings, package_manager: str) -> None:
    """Writes the programs every device of this kind has (not package-owned)."""
    programs = {**COMMON_PROGRAMS, **PACKAGE_MANAGER_PROGRAMS[package_manager]}
    for program, module in programs.items():
        write_launcher(where, program, module)


def write_package_programs(where: Settings, release: PackageRelease) -> None:
    """Writes the programs a package installs; they answer with its version."""
    for program in release.programs:
        write_launcher(
            where,
            program,
            PACKAGE_PROGRAMS[program],
            {VERSION_VARIABLE: release.upstream},
        )


def remove_package_programs(where: Settings, release: PackageRelease) -> None:
    """Deletes the programs a package installed."""
    for program in release.programs:
        for name in (program, f".{program}.py"):
            path = Path(where["bin"]) / name
            if path.exists():
                path.unlink()


def write_launcher(
    where: Settings, program: str, module: str, env: Mapping[str, str] | None = None
) -> Path:
    """Writes one launcher and makes it executable.

    Returns:
        The launcher's path.
    """
    bin_dir = Path(where["bin"])
    bin_dir.mkdir(parents=True, exist_ok=True)
    body = _body(where, program, module, env or {})
    python = where["python"]
    path = bin_dir / program
    if _shebang_safe(python):
        _write_executable(path, f"#!{python} -IS\n{body}")
    else:
        script = bin_dir / f".{program}.py"
        script.write_text(body, encoding="utf-8")
        _write_executable(
            path,
            f'#!/bin/sh\nexec {_sh_quote(python)} -IS {_sh_quote(str(script))} "$@"\n',
        )
    return path


def _body(where: Settings, program: str, module: str, env: Mapping[str, str]) -> str:
    lines = [
        f"# The simulated device's {program}.",
        "import os",
        "import sys",
        "",
        f"sys.path.insert(0, {where['import_root']!r})",
        f"sys.argv[0] = {program!r}",
        f"os.environ.setdefault('EDGETUI_SIM_ROOT', {where['root']!r})",
    ]
    lines += [f"os.environ[{key!r}] = {value!r}" for key, value in env.items()]
    lines += [
        f"from edgetui.sim.programs.{module} import main",
        "",
        "sys.exit(main())",
        "",
    ]
    return "\n".join(lines)


def _shebang_safe(python: str) -> bool:
    return len(python) < 200 and not any(char.isspace() for char in python)


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _write_executable(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.new")
    temp.write_text(text, encoding="utf-8")
    os.chmod(temp, 0o755)  # noqa: S103 - a program on PATH must be executable
    os.replace(temp, path)
