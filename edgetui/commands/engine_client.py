"""The container engine client the operation commands hand to operations."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from edgetui.device import engine
from edgetui.operations.errors import OperationError


@contextlib.contextmanager
def engine_client() -> Iterator[Any]:
    """Opens a docker SDK client for the engine at DOCKER_HOST.

    Raises:
        OperationError: no client can be opened.
    """
    # TODO: call edgetui.device.engine.open_client directly once engine.py
    # provides it; until then the commands that change the engine cannot run.
    opener = getattr(engine, "open_client", None)
    if opener is None:
        raise OperationError(
            "this edgetui build cannot change the container engine; "
            "remove the containers and images by hand (see the README)"
        )
    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(opener())
        except Exception as error:  # the SDK raises its own and requests' errors
            raise OperationError(
                f"the container engine cannot be reached ({error}); start it "
                "(`sudo systemctl start docker`) or check DOCKER_HOST"
            ) from None
        yield client


@contextlib.contextmanager
def optional_engine_client() -> Iterator[Any | None]:
    """Like `engine_client`, but gives `None` when the engine does not answer."""
    with contextlib.ExitStack() as stack:
        client: Any | None = None
        try:
            candidate = stack.enter_context(engine_client())
            candidate.ping()
            client = candidate
        except Exception:  # any failure to reach the engine means "no engine"
            client = None
        yield client
