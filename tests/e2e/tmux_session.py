"""A terminal for end-to-end tests: one tmux server on a private socket."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class TmuxSession:
    """One detached tmux session running a program in an 80x24 window.

    The server uses its own socket and an empty configuration, so nothing
    from the user's tmux leaks in; `remain-on-exit` keeps a program's last
    screen after it ends. The program runs under `sh`, which writes its exit
    status to a file: tmux's own `pane_dead_status` is sometimes left empty
    when the terminal closes before the program is reaped.

    Args:
        workdir: where the socket and configuration live.
        width: columns of the window.
        height: rows of the window.
    """

    NAME = "edgetui-e2e"

    def __init__(self, workdir: Path, width: int = 80, height: int = 24) -> None:
        self.socket = workdir / "tmux.sock"
        self.config = workdir / "tmux.conf"
        self.config.write_text("set -g remain-on-exit on\n", encoding="utf-8")
        self.status_file = workdir / "exit-status"
        self.width = width
        self.height = height

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Runs a tmux client command against the private server."""
        argv = ["tmux", "-S", str(self.socket), "-f", str(self.config), *args]
        return subprocess.run(argv, capture_output=True, text=True, check=False)

    def start(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        """Starts the program in a new detached session."""
        options = [f"-e{name}={value}" for name, value in env.items()]
        size = ["-x", str(self.width), "-y", str(self.height)]
        script = '"$@"; echo "$?" > "$0"'
        wrapped = ["sh", "-c", script, str(self.status_file), *argv]
        result = self.tmux(
            "new-session", "-d", "-s", self.NAME, *size, *options, *wrapped
        )
        assert result.returncode == 0, result.stderr

    def screen(self) -> str:
        """Gives the text on screen now."""
        return self.tmux("capture-pane", "-p", "-t", self.NAME).stdout

    def screen_with_colours(self) -> str:
        """Gives the screen with its colour escape sequences."""
        return self.tmux("capture-pane", "-p", "-e", "-t", self.NAME).stdout

    def press(self, *keys: str) -> None:
        """Sends keys the way tmux names them (`C-q`, `F1`, `r`)."""
        self.tmux("send-keys", "-t", self.NAME, *keys)

    def pane(self, field: str) -> str:
        """Gives one of tmux's pane formats (`pane_dead`, `pane_width`)."""
        shown = self.tmux("display-message", "-p", "-t", self.NAME, f"#{{{field}}}")
        return shown.stdout.strip()

    def wait_for_text(self, text: str, timeout: float) -> str:
        """Polls the screen until `text` shows, and gives that screen.

        Raises:
            AssertionError: `text` did not show within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while text not in screen:
            assert time.monotonic() < deadline, f"{text!r} never showed:\n{screen}"
            time.sleep(0.1)
            screen = self.screen()
        return screen

    def wait_for_change(self, screen: str, timeout: float) -> str:
        """Polls until the screen differs from `screen`, and gives the new one.

        Raises:
            AssertionError: it stayed the same for `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        current = self.screen()
        while current == screen:
            assert time.monotonic() < deadline, f"the screen froze:\n{screen}"
            time.sleep(0.05)
            current = self.screen()
        return current

    def wait_for_exit(self, timeout: float) -> int:
        """Polls until the program ended, and gives its exit status.

        Raises:
            AssertionError: still running after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while self.pane("pane_dead") != "1" or not self._status().endswith("\n"):
            assert time.monotonic() < deadline, f"still running:\n{self.screen()}"
            time.sleep(0.1)
        return int(self._status())

    def _status(self) -> str:
        try:
            return self.status_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def kill_server(self) -> None:
        """Stops the server and every program it still runs."""
        self.tmux("kill-server")
