"""The iotedge program outside the simulator, as the lab packages run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from edgetui.sim import tomltext

DATA = Path(__file__).parent.parent / "data" / "sim"
REPOSITORY = Path(__file__).resolve().parents[2]


def _iotedge(
    root: Path, *argv: str, version: str | None = "1.5.21"
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPOSITORY),
        "EDGETUI_SIM_ROOT": str(root),
        "DOCKER_HOST": f"unix://{root}/no-engine.sock",
    }
    if version:
        env["EDGETUI_SIM_IOTEDGE_VERSION"] = version
    return subprocess.run(
        [sys.executable, "-m", "edgetui.sim.programs.iotedge", *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_version_comes_from_the_environment(tmp_path: Path) -> None:
    """The lab package sets the version; without it the program says what is missing."""
    assert _iotedge(tmp_path, "version").stdout == "iotedge 1.5.21\n"
    missing = _iotedge(tmp_path, "version", version=None)
    assert missing.returncode == 1
    assert "EDGETUI_SIM_IOTEDGE_VERSION is not set" in missing.stderr


def test_config_import_works_on_a_plain_root_without_simulator_state(
    tmp_path: Path,
) -> None:
    """Import needs only device files: a bare directory with config.yaml is enough."""
    (tmp_path / "etc/iotedge").mkdir(parents=True)
    (tmp_path / "etc/iotedge/config.yaml").write_text(
        (DATA / "legacy-1.1-config.yaml").read_text()
    )
    result = _iotedge(tmp_path, "config", "import")
    assert result.returncode == 0, result.stderr
    config = tomltext.loads((tmp_path / "etc/aziot/config.toml").read_text())
    assert (
        config["agent"]["config"]["image"] == "mcr.microsoft.com/azureiotedge-agent:1.1"
    )
    assert "imported_master_encryption_key" not in config


def test_list_without_an_engine_or_systemctl_fails_cleanly(tmp_path: Path) -> None:
    """Missing daemon and engine give the CLI's error, not a traceback."""
    result = _iotedge(tmp_path, "list")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("A module runtime error occurred")


IOTEDGE_IMPORTS = """
import sys
from edgetui.sim.programs import (
    iotedge, iotedge_check, iotedge_config, iotedge_modules, iotedge_system,
)
banned = (
    "edgetui.sim.state", "edgetui.sim.services", "edgetui.sim.runtime",
    "docker", "yaml", "tomlkit",
)
print([name for name in sys.modules if name.startswith(banned)])
"""

SIMULATOR_IMPORTS = """
import importlib, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import edgetui.sim as sim
for info in pkgutil.walk_packages(sim.__path__, "edgetui.sim."):
    importlib.import_module(info.name)
sim.SCENARIOS
tops = {name.split(".")[0] for name in sys.modules}
outside = tops - set(sys.stdlib_module_names) - {"edgetui", "__main__"}
ours = [
    name for name in sys.modules
    if name.startswith("edgetui.") and not name.startswith("edgetui.sim")
]
print(sorted(outside), ours)
"""


def test_iotedge_never_imports_the_simulator_state() -> None:
    """The iotedge modules stand alone: no simulator state, no third-party packages."""
    result = subprocess.run(
        [sys.executable, "-c", IOTEDGE_IMPORTS],
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[]\n"


def test_simulator_imports_only_the_standard_library() -> None:
    """Every module under edgetui.sim imports only the standard library and itself."""
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", SIMULATOR_IMPORTS, str(REPOSITORY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[] []\n"
