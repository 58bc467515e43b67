"""The queue between a running command and whoever consumes its events.

It holds a bounded number of events: a producer waits for room, so a child
that floods output is read only as fast as its events are consumed. The
final event never waits, so a command can always end.
"""

from __future__ import annotations

import asyncio

from edgetui.runner.events import CommandFinished, RunnerEvent

EVENT_CAPACITY = 64
"""Events waiting for the consumer before the child's output is held back."""


class EventChannel:
    """A bounded, ordered queue of runner events ending with CommandFinished."""

    def __init__(self, capacity: int = EVENT_CAPACITY) -> None:
        self._events: asyncio.Queue[RunnerEvent] = asyncio.Queue()
        self._room = asyncio.Semaphore(capacity)
        self._waiting_producers = 0
        self._closed = False

    @property
    def held_back(self) -> bool:
        """True while a producer waits for the consumer to make room."""
        return self._waiting_producers > 0

    async def put(self, event: RunnerEvent) -> None:
        """Adds an output or prompt event, waiting while the channel is full."""
        self._waiting_producers += 1
        try:
            await self._room.acquire()
        finally:
            self._waiting_producers -= 1
        self._events.put_nowait(event)

    def finish(self, event: CommandFinished) -> None:
        """Adds the last event, at once."""
        self._events.put_nowait(event)

    async def get(self) -> RunnerEvent | None:
        """The next event, or None after CommandFinished was taken."""
        if self._closed:
            return None
        event = await self._events.get()
        if isinstance(event, CommandFinished):
            self._closed = True
        else:
            self._room.release()
        return event
