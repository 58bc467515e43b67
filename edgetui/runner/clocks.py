"""The clocks that stop a command: overall timeout and the no-output watchdog.

Both stand still while a prompt waits for a person, and the watchdog does
not count time the command spends held back by a slow consumer.
"""

from __future__ import annotations

import asyncio


class CommandClocks:
    """Tracks when a command started, last showed life, and waited for answers.

    Args:
        timeout: seconds the command may run in all; None for no limit.
        idle_timeout: seconds it may go without output; None for no limit.
    """

    def __init__(self, timeout: float | None, idle_timeout: float | None) -> None:
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        self._loop = asyncio.get_running_loop()
        self.started = self._loop.time()
        self.last_activity = self.started
        self._paused = 0.0
        self._pause_started: float | None = None

    def elapsed(self) -> float:
        """Seconds since the start, waits for answers included."""
        return self._loop.time() - self.started

    def touch(self) -> None:
        """Records a sign of life (output read or delivered)."""
        self.last_activity = self._loop.time()

    def quiet_for(self) -> float:
        """Seconds since the last sign of life."""
        return self._loop.time() - self.last_activity

    def pause(self) -> None:
        """Stops both clocks: a prompt waits for a person."""
        if self._pause_started is None:
            self._pause_started = self._loop.time()

    def resume(self) -> None:
        """Starts the clocks again after an answer."""
        if self._pause_started is None:
            return
        now = self._loop.time()
        self._paused += now - self._pause_started
        self._pause_started = None
        self.last_activity = now

    def overdue(self, held_back: bool) -> tuple[str | None, float]:
        """Says whether a limit has passed, else how long until the next look.

        Args:
            held_back: the consumer is slow, so silence is not the command's.

        Returns:
            (why it is overdue, for people, or None; seconds to wait).
        """
        if self._pause_started is not None:
            return None, 0.25
        now = self._loop.time()
        delay = 1.0
        if self.timeout is not None:
            left = self.started + self._paused + self.timeout - now
            if left <= 0:
                return f"timed out after {self.timeout:g} s", 0.0
            delay = min(delay, left)
        if self.idle_timeout is not None and not held_back:
            left = self.last_activity + self.idle_timeout - now
            if left <= 0:
                return f"no output for {self.idle_timeout:g} s", 0.0
            delay = min(delay, left)
        return None, max(delay, 0.01)
