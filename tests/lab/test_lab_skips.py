"""Without what the lab needs, lab tests skip with one reason, or fail under CI.

These tests run a second pytest with a PATH that has none of the lab's host
tools, so they need neither root nor the tools themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .workspace import REPOSITORY

LAB_TESTS = "tests/lab/test_packages.py"


def run_lab_tests_without_tools(ci: bool, tmp_path: Path) -> str:
    """Runs some lab tests with an empty PATH; gives pytest's output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CI", "EDGETUI_LAB_WORK")
    }
    env["PATH"] = str(tmp_path)
    if ci:
        env["CI"] = "true"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", LAB_TESTS],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return completed.stdout + completed.stderr


def test_missing_tools_skip_the_lab_with_one_reason(tmp_path: Path) -> None:
    """Every lab test is skipped and one line says which tools are missing."""
    output = run_lab_tests_without_tools(ci=False, tmp_path=tmp_path)

    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, output
    assert "dockerd (apt package docker.io)" in skipped[0]
    assert "LAB NOT RUN: lab tests need" in output
    assert "3 skipped" in output


def test_missing_tools_fail_the_lab_under_ci(tmp_path: Path) -> None:
    """Under CI a missing tool is an error, never a skip."""
    output = run_lab_tests_without_tools(ci=True, tmp_path=tmp_path)

    assert "3 errors" in output, output
    assert "CI must provide them" in output
    assert "skipped" not in output.splitlines()[-1]
