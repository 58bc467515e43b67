"""Starts the interpreters and commands the benchmarks time or observe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
"""The folder holding `benchmarks` and `edgetui`, put on a child's import path."""


@dataclass(frozen=True)
class Finished:
    """A child that ran to its end.

    Attributes:
        seconds: wall time from start to exit.
        stdout: what it printed.
        stderr: what it printed on stderr.
    """

    seconds: float
    stdout: str
    stderr: str


def run_timed(argv: list[str], env: Mapping[str, str] | None = None) -> Finished:
    """Runs `argv` to its end with edgetui importable, timing it.

    Args:
        argv: the command (never through a shell).
        env: variables added to this process's environment.

    Returns:
        Its wall time and output.

    Raises:
        RuntimeError: it exited with a non-zero status.
    """
    started = time.perf_counter()
    completed = subprocess.run(
        argv,
        env=child_environment(env or {}),
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        last = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(
            f"{' '.join(argv[:4])} exited with {completed.returncode}: {last[0]}"
        )
    return Finished(elapsed, completed.stdout, completed.stderr)


def python(*arguments: str) -> list[str]:
    """The argv running this interpreter with `arguments`."""
    return [sys.executable, *arguments]


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment with the repository first on the import path."""
    env = dict(os.environ)
    paths = [str(REPOSITORY), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    env.update(extra)
    return env
