"""The running step's output, held between the executor and the log pane.

The executor may deliver thousands of lines a second. Each arrives here and
nowhere else: the Run screen takes what is new on a short timer and writes
it to its log pane in one batch, and the app appends the same lines to the
run's output file in one write per tick. Only the last `capacity` lines of
the running step are kept in memory; the file keeps them all.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

OUTPUT_FILE_NAME = "run-output.log"
"""Every output line of the wizard's runs, in the state directory."""


@dataclass(frozen=True)
class NewOutput:
    """What a reader has not seen yet.

    Attributes:
        restart: the step changed since the last read: clear the pane first.
        lines: the lines to add, oldest first.
        generation: pass back to the next `new_since()`.
        total: pass back to the next `new_since()`.
    """

    restart: bool
    lines: list[str]
    generation: int
    total: int


class OutputBuffer:
    """The last lines of the running step, and the run's output file.

    Args:
        capacity: lines of the running step kept for the log pane.
        path: the file every line is appended to; `None` for none.
    """

    def __init__(self, capacity: int, path: Path | None = None) -> None:
        self.capacity = capacity
        self.path = path
        self.problem: str | None = None
        self._lines: deque[str] = deque(maxlen=capacity)
        self._generation = 0
        self._total = 0
        self._unwritten: list[str] = []

    @property
    def total(self) -> int:
        """Lines added since the step began (a mark for `since()`)."""
        return self._total

    def start_section(self, heading: str) -> None:
        """Begins the output of another step (or attempt) with a heading."""
        self._lines.clear()
        self._generation += 1
        self._total = 0
        self.add([heading])

    def add(self, lines: Iterable[str]) -> None:
        """Adds output lines (already free of escapes and secrets)."""
        batch = list(lines)
        self._lines.extend(batch)
        self._total += len(batch)
        if self.path is not None and self.problem is None:
            self._unwritten.extend(batch)

    def new_since(self, generation: int, total: int) -> NewOutput:
        """Gives the lines a reader has not seen, by what it saw last."""
        restart = generation != self._generation
        unseen = self._total if restart else self._total - total
        kept = list(self._lines)
        lines = kept[len(kept) - min(unseen, len(kept)) :]
        return NewOutput(restart, lines, self._generation, self._total)

    def tail(self, count: int) -> list[str]:
        """The last `count` lines of the running step."""
        kept = list(self._lines)
        return kept[-count:] if count > 0 else []

    def since(self, mark: int) -> list[str]:
        """The lines added after `total` was `mark` (those still kept)."""
        unseen = max(self._total - mark, 0)
        return self.tail(min(unseen, self.capacity))

    def write_pending(self) -> None:
        """Appends the lines not yet written to the output file, in one write."""
        if not self._unwritten or self.path is None:
            return
        text = "\n".join(self._unwritten) + "\n"
        self._unwritten = []
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as output:
                output.write(text)
        except OSError as error:
            self.problem = f"cannot write {self.path}: {error.strerror or error}"
            log.error("%s", self.problem)
