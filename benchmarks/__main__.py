"""`python -m benchmarks [--quick] [--json] [--only NAME ...]`: runs the benchmarks.

Prints one line per result as it is measured, or with `--json` one object
holding every result. Exits 1 when a benchmark could not measure (its error
is printed), never because of a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, TypeVar

from benchmarks import detection, log_pane, runner_flood, runner_throughput, startup
from benchmarks.measure import Result


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its name and how to run it at full or quick size."""

    name: str
    run: Callable[[bool], list[Result]]


Sizes = TypeVar("Sizes")


def _sized(
    run: Callable[[Sizes], list[Result]], full: Sizes, quick: Sizes
) -> Callable[[bool], list[Result]]:
    """Runs a benchmark at its full sizes, or its quick ones when asked."""
    return lambda smaller: run(quick if smaller else full)


BENCHMARKS = (
    Benchmark(
        "runner",
        _sized(runner_throughput.run, runner_throughput.FULL, runner_throughput.QUICK),
    ),
    Benchmark("flood", _sized(runner_flood.run, runner_flood.FULL, runner_flood.QUICK)),
    Benchmark("detect", _sized(detection.run, detection.FULL, detection.QUICK)),
    Benchmark("logpane", _sized(log_pane.run, log_pane.FULL, log_pane.QUICK)),
    Benchmark("startup", _sized(startup.run, startup.FULL, startup.QUICK)),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the chosen benchmarks; returns 0, or 1 if any could not measure."""
    args = _parser().parse_args(argv)
    chosen = [each for each in BENCHMARKS if not args.only or each.name in args.only]
    if not args.json:
        print(_heading(args.quick), flush=True)

    results: dict[str, Result] = {}
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for benchmark in chosen:
        try:
            measured = benchmark.run(args.quick)
        except Exception as error:
            errors[benchmark.name] = f"{type(error).__name__}: {error}"
            if not args.json:
                print(f"{benchmark.name:<19} failed: {errors[benchmark.name]}")
            continue
        for result in measured:
            results[result.name] = result
            if not args.json:
                print(result.line(), flush=True)
    elapsed = time.perf_counter() - started

    if args.json:
        print(json.dumps(report(results, errors, args.quick, elapsed), indent=2))
    else:
        print(f"{len(results)} results in {elapsed:.1f} s")
    return 1 if errors else 0


def report(
    results: dict[str, Result], errors: dict[str, str], quick: bool, elapsed: float
) -> dict[str, object]:
    """Every result, the errors and the machine, as one JSON-ready object."""
    return {
        "sizes": "quick" if quick else "full",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "seconds": elapsed,
        "results": {name: result.to_json() for name, result in results.items()},
        "errors": errors,
    }


def _heading(quick: bool) -> str:
    sizes = "quick" if quick else "full"
    return (
        f"edgetui benchmarks ({sizes} sizes, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs): each ratio is against a baseline from this run"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measures edgetui against baselines taken in the same run.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument(
        "--json", action="store_true", help="print every result as one JSON object"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[each.name for each in BENCHMARKS],
        metavar="NAME",
        help="run only these: " + ", ".join(each.name for each in BENCHMARKS),
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
