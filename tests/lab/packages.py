"""Builds the lab's IoT Edge packages into a local apt repository.

The package sources are real files under `lab/packages/<name>/`: the
`DEBIAN/` control file, conffiles list and maintainer scripts, and the files
the package installs. `@VERSION@` (Debian version), `@UPSTREAM@` (without the
revision), `@LINE@` (major.minor), `@IDENTITY_VERSION@` and `@ARCH@` in any
text file are filled in for each build listed in `BUILDS`.

The `iotedge` and `aziot-edge` packages also get the `iotedge` command: the
simulator's program (standard library only) copied to /usr/lib/iotedge-lab,
run by /usr/bin/iotedge with the package's version, against the device's real
package database, systemd and container engine.

Run `python -m tests.lab.packages DIR` to build the repository into DIR.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .workspace import LAB_SOURCES, REPOSITORY

SOURCES = LAB_SOURCES / "packages"
CLI_SOURCE = SOURCES / "iotedge-cli"
SIM_PACKAGE = REPOSITORY / "edgetui" / "sim"
CLI_LIBRARY = "usr/lib/iotedge-lab"
# Debian's programs first: they run on the Debian device.
HOST_PROGRAM_PATH = "/usr/bin:/usr/sbin:/bin:/usr/local/bin"


@dataclass(frozen=True)
class PackageBuild:
    """One package version to build.

    Attributes:
        name: the package name, also its source folder.
        version: the Debian version, `1.4.41-1`.
        identity_version: for `aziot-edge`, the exact `aziot-identity-service`
            version it depends on.
        host_programs: (program on this machine's PATH, path in the
            package) to ship as they are.
    """

    name: str
    version: str
    identity_version: str = ""
    host_programs: tuple[tuple[str, str], ...] = ()

    @property
    def upstream(self) -> str:
        """The version without the Debian revision: `1.4.41`."""
        return self.version.rsplit("-", 1)[0]

    @property
    def line(self) -> str:
        """The release line: `1.4`."""
        return ".".join(self.upstream.split(".")[:2])

    @property
    def has_cli(self) -> bool:
        """The package ships /usr/bin/iotedge."""
        return self.name in ("iotedge", "aziot-edge")


BUILDS = (
    PackageBuild("moby-engine", "20.10.24+azure-1"),
    PackageBuild(
        "moby-cli", "20.10.24+azure-1", host_programs=(("docker", "usr/bin/docker"),)
    ),
    PackageBuild("libiothsm-std", "1.1.14-1"),
    PackageBuild("iotedge", "1.1.14-1"),
    PackageBuild("libiothsm-std", "1.1.15-1"),
    PackageBuild("iotedge", "1.1.15-1"),
    PackageBuild("aziot-identity-service", "1.4.9-1"),
    PackageBuild("aziot-edge", "1.4.41-1", identity_version="1.4.9-1"),
    PackageBuild("aziot-identity-service", "1.5.6-1"),
    PackageBuild("aziot-edge", "1.5.21-1", identity_version="1.5.6-1"),
    PackageBuild("aziot-identity-service", "1.6.0-1"),
    PackageBuild("aziot-edge", "1.6.0-1", identity_version="1.6.0-1"),
    PackageBuild("aziot-edge", "1.6.1-1", identity_version="1.6.0-1"),
)


def build_repository(repo: Path) -> list[Path]:
    """Builds every package in `BUILDS` into `repo` and indexes it for apt.

    Only an uncompressed `Packages` index is written (and any stale
    `Packages.gz` removed): apt prefers the compressed one if both exist.

    Returns:
        The built .deb files.
    """
    repo.mkdir(parents=True, exist_ok=True)
    architecture = _run(["dpkg", "--print-architecture"]).strip()
    debs = [build_package(build, repo, architecture) for build in BUILDS]

    index = _run(["dpkg-scanpackages", "--multiversion", ".", "/dev/null"], cwd=repo)
    (repo / "Packages").write_text(index)
    (repo / "Packages.gz").unlink(missing_ok=True)
    return debs


def build_package(build: PackageBuild, repo: Path, architecture: str) -> Path:
    """Builds one .deb from its source folder into `repo`."""
    fields = {
        "@VERSION@": build.version,
        "@UPSTREAM@": build.upstream,
        "@LINE@": build.line,
        "@IDENTITY_VERSION@": build.identity_version,
        "@ARCH@": architecture,
    }
    deb = repo / f"{build.name}_{build.version}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="etl-deb-") as scratch:
        tree = Path(scratch) / build.name
        shutil.copytree(SOURCES / build.name, tree, symlinks=True)
        if build.has_cli:
            shutil.copytree(CLI_SOURCE, tree, symlinks=True, dirs_exist_ok=True)
        _fill_in(tree, fields)
        _add_host_programs(tree, build.host_programs)
        if build.has_cli:
            _add_simulator(tree / CLI_LIBRARY)
        _write_md5sums(tree)
        build_deb = ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build"]
        _run([*build_deb, str(tree), str(deb)])
    return deb


def _add_host_programs(tree: Path, programs: tuple[tuple[str, str], ...]) -> None:
    """Copies programs of this machine into the package.

    Raises:
        RuntimeError: a program is not installed here.
    """
    for program, target in programs:
        found = shutil.which(program, path=HOST_PROGRAM_PATH)
        if found is None:
            raise RuntimeError(
                f"{program} is missing on this machine: install docker.io"
            )
        (tree / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(found, tree / target)


def _add_simulator(library: Path) -> None:
    """Copies the simulator's standard-library-only package into the .deb."""
    package = library / "edgetui"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(
        '"""The parts of edgetui the lab device runs."""\n'
    )
    shutil.copytree(
        SIM_PACKAGE,
        package / "sim",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def _write_md5sums(tree: Path) -> None:
    """Lists the checksum of every installed file, as real packages do."""
    lines = []
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree)
        if relative.parts[0] == "DEBIAN" or path.is_symlink() or not path.is_file():
            continue
        digest = hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324
        lines.append(f"{digest}  {relative.as_posix()}\n")
    (tree / "DEBIAN" / "md5sums").write_text("".join(lines))


def _fill_in(tree: Path, fields: dict[str, str]) -> None:
    """Replaces the `@NAME@` fields in every text file of the tree."""
    for path in sorted(tree.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        filled = text
        for name, value in fields.items():
            filled = filled.replace(name, value)
        if filled != text:
            path.write_text(filled)


def _run(argv: list[str], cwd: Path | None = None) -> str:
    completed = subprocess.run(
        argv, cwd=cwd, check=True, capture_output=True, text=True
    )
    return completed.stdout


if __name__ == "__main__":
    for deb in build_repository(Path(sys.argv[1])):
        print(deb)
