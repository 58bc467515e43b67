"""Fixtures of the lab tests: one lab per run, fresh devices per test.

Lab tests need root and the host tools in `workspace.HOST_TOOLS`. Without
them they are skipped with one reason; under CI (`CI=true`) that is a
failure instead, so a broken CI machine cannot pass by skipping.
"""

from __future__ import annotations

import inspect
import os
import signal
import time
from collections.abc import Iterator

import pytest

from .lab import Lab
from .workspace import TIMINGS, missing_components

_NOT_RUN: list[str] = []
_SKIP_PLACE = "tests/lab/conftest.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Runs the lab tests last, after every other test.

    The lab's engine and devices are children of pytest while the lab lives,
    and tests of process trees count pytest's children: the lab must not be
    running around them.
    """
    items.sort(key=lambda item: item.get_closest_marker("lab") is not None)


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """The run's lab: repository, Debian root, edgetui, engine (stopped at the end)."""
    missing = missing_components()
    if missing:
        reason = "lab tests need " + ", ".join(missing)
        _NOT_RUN.append(reason)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must provide them)", pytrace=False)
        pytest.skip(reason)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    opened = Lab.open()
    try:
        yield opened
    finally:
        opened.close()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    """Turns SIGTERM into an interrupt, so that the lab's teardown still runs."""
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(autouse=True)
def _lab_test_timing(request: pytest.FixtureRequest) -> Iterator[None]:
    """Records how long each lab test takes, its devices included."""
    start = time.monotonic()
    yield
    if "lab" in request.fixturenames:
        TIMINGS.add(f"test {request.node.name}", time.monotonic() - start)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """Reports every lab skip at one place, so the summary folds them into one line."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if _NOT_RUN and report.skipped and isinstance(report.longrepr, tuple):
        report.longrepr = (_SKIP_PLACE, _skip_line(), report.longrepr[2])


def _skip_line() -> int:
    """The line of this file where the lab fixture skips."""
    source = inspect.getsource(lab.__wrapped__)  # type: ignore[attr-defined]
    first = inspect.getsourcelines(lab.__wrapped__)[1]  # type: ignore[attr-defined]
    offset = next(i for i, text in enumerate(source.splitlines()) if "skip(" in text)
    return first + offset


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints the lab's timings, or the one reason it did not run."""
    if _NOT_RUN:
        terminalreporter.write_line(f"LAB NOT RUN: {_NOT_RUN[0]}", red=True, bold=True)
        return
    lines = TIMINGS.lines()
    if lines:
        terminalreporter.write_sep("-", "lab timings")
        for line in lines:
            terminalreporter.write_line(line)
