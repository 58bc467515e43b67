"""What every benchmark shares: its result, its printed line, a few formatters."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

Figure = Union[int, float, str, bool]
"""An absolute number (or fact) behind a ratio; its unit is in its key."""


@dataclass(frozen=True)
class Result:
    """One measurement set against its baseline from the same run.

    Attributes:
        name: a short dotted name (`runner.pipes`).
        measured: what was measured, with its value, for people.
        baseline: what it is compared with, with its value.
        ratio: the measured value divided by the baseline's.
        higher_is_better: which way the ratio should move.
        note: sizes and repeats, for people.
        figures: the absolute numbers behind the ratio, units in the keys.
    """

    name: str
    measured: str
    baseline: str
    ratio: float
    higher_is_better: bool
    note: str = ""
    figures: dict[str, Figure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not math.isfinite(self.ratio) or self.ratio <= 0:
            raise ValueError(f"{self.name}: ratio must be positive, not {self.ratio}")

    def line(self) -> str:
        """The result as one line: name, ratio, measured, baseline, note."""
        better = "higher" if self.higher_is_better else "lower"
        text = (
            f"{self.name:<19} ratio {self.ratio:<7.3g} ({better} is better)"
            f"  {self.measured} vs {self.baseline}"
        )
        return f"{text}; {self.note}" if self.note else text

    def to_json(self) -> dict[str, object]:
        """The result as a JSON-ready object."""
        return {
            "measured": self.measured,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "higher_is_better": self.higher_is_better,
            "note": self.note,
            "figures": dict(self.figures),
        }


def median(values: Sequence[float]) -> float:
    """The median of the repeats of one measurement."""
    if not values:
        raise ValueError("no measurement was taken")
    return float(statistics.median(values))


def ratio(value: float, baseline: float) -> float:
    """`value / baseline`.

    Raises:
        ValueError: the baseline is not positive, so no ratio exists.
    """
    if baseline <= 0:
        raise ValueError(f"the baseline measured {baseline}, so no ratio exists")
    return value / baseline


def repeats_note(repeats: int) -> str:
    """Says how many runs the median is of."""
    return "one run" if repeats == 1 else f"median of {repeats} runs"


def count(value: float) -> str:
    """A count or a rate with thousands separators (`1,250,000`)."""
    return f"{value:,.0f}"


def seconds(value: float) -> str:
    """A duration in the unit that reads best (`85.2 ms`, `1.42 s`)."""
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def mebibytes(value: float) -> str:
    """A size in MiB (`41.3 MiB`)."""
    return f"{value / 2**20:.1f} MiB"
