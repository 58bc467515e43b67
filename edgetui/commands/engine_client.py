"""The container engine client the operation commands hand to operations."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from edgetui.device.engine import ENGINE_ERRORS, open_client
from edgetui.operations.errors import OperationError


@contextlib.contextmanager
def engine_client() -> Iterator[Any]:
    """Opens a docker SDK client for the engine at DOCKER_HOST.

    Raises:
        OperationError: the engine does not answer.
    """
    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(open_client())
        except ENGINE_ERRORS as error:
            raise OperationError(
                f"the container engine cannot be reached ({error}); start it "
                "(`sudo systemctl start docker`) or check DOCKER_HOST"
            ) from None
        yield client


@contextlib.contextmanager
def optional_engine_client() -> Iterator[Any | None]:
    """Like `engine_client`, but gives `None` when the engine does not answer."""
    with contextlib.ExitStack() as stack:
        try:
            client: Any | None = stack.enter_context(engine_client())
        except OperationError:
            client = None
        yield client
