"""Each benchmark runs at tiny sizes and reports well-formed, consistent results.

These prove the benchmarks measure what they say, never how fast anything is.
The folder has no `__init__.py`: as a package it would be named `benchmarks`
and hide the benchmarks themselves.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from benchmarks import detection, log_pane, runner_flood, runner_throughput, startup
from benchmarks.measure import Result
from benchmarks.processes import REPOSITORY, child_environment


def check_well_formed(result: Result, name: str) -> None:
    """Asserts one printable line, a positive ratio and JSON-ready figures."""
    assert result.name == name
    assert math.isfinite(result.ratio)
    assert result.ratio > 0
    assert result.measured
    assert result.baseline
    line = result.line()
    assert line.startswith(name)
    assert "ratio" in line
    assert "\n" not in line
    assert json.loads(json.dumps(result.to_json()))["ratio"] == result.ratio
    assert all(isinstance(v, (int, float, str, bool)) for v in result.figures.values())


def test_runner_throughput_compares_runner_with_raw_reads() -> None:
    """Pipes and pty each give lines/s of the Runner over a raw asyncio read."""
    results = runner_throughput.run(runner_throughput.Sizes(lines=2_000, repeats=1))

    assert [result.name for result in results] == ["runner.pipes", "runner.pty"]
    for result in results:
        check_well_formed(result, result.name)
        figures = result.figures
        assert result.ratio == pytest.approx(
            float(figures["runner_lines_per_s"])
            / float(figures["baseline_lines_per_s"])
        )


def test_flood_compares_peak_memory_and_stalls_with_an_empty_command() -> None:
    """A flood in a fresh interpreter is set against no output and an idle loop."""
    sizes = runner_flood.Sizes(lines=5_000, idle_seconds=0.05, repeats=1)

    memory, stall = runner_flood.run(sizes)

    check_well_formed(memory, "flood.memory")
    check_well_formed(stall, "flood.stall")
    assert memory.ratio == pytest.approx(
        int(memory.figures["flood_peak_rss_bytes"])
        / int(memory.figures["empty_peak_rss_bytes"])
    )
    assert int(memory.figures["empty_peak_rss_bytes"]) > 2**20
    assert float(stall.figures["idle_longest_gap_s"]) >= runner_flood.TICK


def test_peak_memory_sees_memory_this_interpreter_held() -> None:
    """The peak resident size rises by a block of memory that was touched."""
    before = runner_flood.peak_resident_bytes()
    block = bytearray(b"x") * (64 * 2**20)

    after = runner_flood.peak_resident_bytes()

    assert len(block) == 64 * 2**20
    assert after - before > 32 * 2**20


def test_detection_compares_concurrent_probes_with_serial_ones() -> None:
    """Every probe runs at once and in turn on a simulated device."""
    (result,) = detection.run(detection.Sizes(repeats=1))

    check_well_formed(result, "detect.concurrency")
    assert result.figures["probes"] == len(detection.PROBE_FUNCTIONS)
    assert result.ratio == pytest.approx(
        float(result.figures["concurrent_s"]) / float(result.figures["serial_s"])
    )


def test_log_pane_compares_batches_with_single_lines() -> None:
    """Batched writes and one write per line both fill a headless pane."""
    sizes = log_pane.Sizes(lines=300, sample_lines=30, batch=100, repeats=1)

    (result,) = log_pane.run(sizes)

    check_well_formed(result, "logpane.batching")
    assert (result.figures["lines"], result.figures["sample_lines"]) == (300, 30)


def test_startup_times_detect_and_imports_without_textual() -> None:
    """detect and the CLI's imports are timed, and neither loads Textual."""
    detect, imports = startup.run(startup.Sizes(repeats=1))

    check_well_formed(detect, "startup.detect")
    check_well_formed(imports, "startup.import")
    assert detect.figures["loads_textual"] is False
    assert imports.figures["loads_textual"] is False


def test_command_prints_one_json_object() -> None:
    """`python -m benchmarks --json` prints every result and no error."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--json", "--quick", "--only", "detect"],
        cwd=REPOSITORY,
        env=child_environment({}),
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["sizes"] == "quick"
    assert report["errors"] == {}
    assert list(report["results"]) == ["detect.concurrency"]
    assert report["results"]["detect.concurrency"]["ratio"] > 0


def test_a_result_without_a_positive_ratio_is_refused() -> None:
    """A zero ratio means a broken measurement, so it cannot be reported."""
    with pytest.raises(ValueError, match="ratio must be positive"):
        Result("broken", "nothing", "nothing", 0.0, higher_is_better=True)
