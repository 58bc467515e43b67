"""Start-up: a headless command against a bare interpreter, and the CLI's imports.

`edgetui detect --json --demo legacy-1.1` at instant simulated speed builds
the simulated device, starts its engine, detects and prints; the baseline
is `python -c pass`, the least any Python program pays. The import
measurement times, inside a fresh interpreter, importing `edgetui.cli`
against importing `textual.app`, to show the command line does not pay for
the wizard; a run with `-X importtime` checks that `detect` never loads
Textual at all.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass

from benchmarks.measure import Result, median, ratio, repeats_note, seconds
from benchmarks.processes import python, run_timed

_IMPORT_PROGRAM = """\
import json, sys, time
started = time.perf_counter()
import {module}
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "textual": "textual" in sys.modules}}))
"""


@dataclass(frozen=True)
class Sizes:
    """How much to measure.

    Attributes:
        repeats: runs per side; the median counts.
        scenario: the simulated device `detect` reads.
    """

    repeats: int
    scenario: str = "legacy-1.1"


FULL = Sizes(repeats=5)
QUICK = Sizes(repeats=3)


@dataclass(frozen=True)
class ImportTime:
    """One import in a fresh interpreter: its seconds, and whether Textual loaded."""

    seconds: float
    textual: bool


def run(sizes: Sizes) -> list[Result]:
    """Measures `edgetui detect` start-up and the CLI's import time.

    Raises:
        RuntimeError: a command failed or printed something unexpected.
    """
    with tempfile.TemporaryDirectory(prefix="edgetui-bench-") as state:
        env = {"EDGETUI_STATE_DIR": state, "EDGETUI_SIM_SPEED": "0"}
        return [_detect(sizes, env), _imports(sizes)]


def _detect(sizes: Sizes, env: dict[str, str]) -> Result:
    detect = python("-m", "edgetui", "detect", "--json", "--demo", sizes.scenario)
    textual = _detect_loads_textual(detect, env)
    detect_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(sizes.repeats):
        finished = run_timed(detect, env)
        _check_facts(finished.stdout)
        detect_times.append(finished.seconds)
        bare_times.append(run_timed(python("-c", "pass")).seconds)

    wall, bare = median(detect_times), median(bare_times)
    command = f"python -m edgetui detect --json --demo {sizes.scenario}"
    return Result(
        name="startup.detect",
        measured=f"{command} {seconds(wall)}",
        baseline=f"python -c pass {seconds(bare)}",
        ratio=ratio(wall, bare),
        higher_is_better=False,
        note=f"simulated speed 0, Textual loaded: {_yes_no(textual)}, "
        + repeats_note(sizes.repeats),
        figures={"detect_s": wall, "python_s": bare, "loads_textual": textual},
    )


def _imports(sizes: Sizes) -> Result:
    _import_time("edgetui.cli")  # compiles bytecode left stale by edits
    cli_times: list[ImportTime] = []
    textual_times: list[ImportTime] = []
    for _ in range(sizes.repeats):
        cli_times.append(_import_time("edgetui.cli"))
        textual_times.append(_import_time("textual.app"))

    cli = median([each.seconds for each in cli_times])
    textual = median([each.seconds for each in textual_times])
    loads = any(each.textual for each in cli_times)
    return Result(
        name="startup.import",
        measured=f"import edgetui.cli {seconds(cli)}",
        baseline=f"import textual.app {seconds(textual)}",
        ratio=ratio(cli, textual),
        higher_is_better=False,
        note=f"Textual loaded by edgetui.cli: {_yes_no(loads)}, "
        + repeats_note(sizes.repeats),
        figures={
            "cli_import_s": cli,
            "textual_import_s": textual,
            "loads_textual": loads,
        },
    )


def _import_time(module: str) -> ImportTime:
    program = _IMPORT_PROGRAM.format(module=module)
    reading = json.loads(run_timed(python("-c", program)).stdout)
    return ImportTime(float(reading["seconds"]), bool(reading["textual"]))


def _detect_loads_textual(detect: list[str], env: dict[str, str]) -> bool:
    """Runs `detect` once with `-X importtime`; True if any Textual module loaded."""
    traced = [detect[0], "-X", "importtime", *detect[1:]]
    report = run_timed(traced, env).stderr
    imported = (line.rsplit("|", 1)[-1].strip() for line in report.splitlines())
    return any(name.split(".")[0] == "textual" for name in imported)


def _check_facts(output: str) -> None:
    facts = json.loads(output)
    if not isinstance(facts, dict) or "os" not in facts:
        raise RuntimeError(f"detect printed no facts: {output[:200]!r}")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
