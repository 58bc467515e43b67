"""Hand-made devices: a root directory and real tool scripts on a private PATH."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from edgetui.device.root import DeviceRoot
from edgetui.runner.runner import Runner

from .data import DATA

_TOOL = """#!{python}
import sys, time
time.sleep({delay})
sys.stdout.write({stdout!r})
sys.stderr.write({stderr!r})
sys.exit({exit_code})
"""

_DF = """#!{python}
import sys
print("Filesystem 1-blocks Used Available Capacity Mounted on")
for number, path in enumerate(sys.argv[3:]):
    free = (number + 1) * 1000000
    print(f"/dev/sda{{number + 1}} 100000000000 1000 {{free}} 1% {{path}}")
"""


class FakeDevice:
    """A device root under `directory/root` and its commands in `directory/bin`.

    Only the tools a test writes are on PATH, so a missing command is really
    missing; the engine address points at a socket that does not exist unless
    the test says otherwise.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.root_path = directory / "root"
        self.bin = directory / "bin"
        self.root_path.mkdir(parents=True)
        self.bin.mkdir()
        self.docker_host = f"unix://{directory}/no-engine.sock"

    @property
    def root(self) -> DeviceRoot:
        """The device root."""
        return DeviceRoot(self.root_path)

    def runner(self) -> Runner:
        """A runner whose children see only this device's PATH and engine."""
        return Runner(env={"PATH": str(self.bin), "DOCKER_HOST": self.docker_host})

    def file(self, device_path: str, text: str) -> Path:
        """Writes a device file."""
        host = self.root_path / device_path.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        host.write_text(text, encoding="utf-8")
        return host

    def data_file(self, device_path: str, sample: str) -> Path:
        """Copies a sample from tests/data/device to a device path."""
        return self.file(device_path, (DATA / sample).read_text(encoding="utf-8"))

    def tool(
        self,
        name: str,
        stdout: str = "",
        stderr: str = "",
        exit_code: int = 0,
        delay: float = 0.0,
    ) -> None:
        """Puts a program on PATH that prints fixed output and exits."""
        script = _TOOL.format(
            python=sys.executable,
            stdout=stdout,
            stderr=stderr,
            exit_code=exit_code,
            delay=delay,
        )
        self._write_tool(name, script)

    def data_tool(
        self, name: str, stdout_sample: str, stderr_sample: str = "", exit_code: int = 0
    ) -> None:
        """Puts a program on PATH that prints samples from tests/data/device."""
        stdout = (DATA / stdout_sample).read_text(encoding="utf-8")
        stderr = (
            (DATA / stderr_sample).read_text(encoding="utf-8") if stderr_sample else ""
        )
        self.tool(name, stdout, stderr, exit_code)

    def df_tool(self) -> None:
        """Puts a df on PATH that reports 1, 2, 3... MB free for its arguments."""
        self._write_tool("df", _DF.format(python=sys.executable))

    def apt_device(self) -> None:
        """Makes this a Debian-family device: os-release and apt-get on PATH."""
        self.data_file("/etc/os-release", "os-release/ubuntu-20.04")
        self.tool("apt-get")
        self.df_tool()

    def remove(self, device_path: str) -> None:
        """Removes a device file or directory."""
        host = self.root_path / device_path.lstrip("/")
        if host.is_dir():
            shutil.rmtree(host)
        else:
            host.unlink()

    def _write_tool(self, name: str, script: str) -> None:
        path = self.bin / name
        path.write_text(script, encoding="utf-8")
        path.chmod(0o755)
