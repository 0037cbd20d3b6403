"""Pass marks from several independent reference runs, by one stated rule.

The rule: the pass mark lies beyond the worst reference run by the runs' range (best minus worst), or by a
stated floor when the runs happen to agree more closely than the figure's known variation. With five runs the
range is about 2.3 standard deviations of a normal figure, so a new correct run falls beyond the worst run plus
the range far less often than it falls beyond the worst run alone; the leave-one-out test
(``leave_one_out``) measures how often on the committed runs themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

MIN_RUNS = 5  # runs per figure a pass mark is derived from


@dataclass(frozen=True)
class Rule:
    """How one figure's pass mark follows from its runs."""

    better: Literal["higher", "lower"]  # which way a better model moves the figure
    floor: float = 0.0                  # the least margin beyond the worst run, in the figure's units
    relative: bool = False              # the floor is a fraction of the worst run's value instead
    integer: bool = False               # counts (digits read on a grid): the mark is rounded outward

    def margin(self, values: list[float]) -> float:
        worst = self.worst(values)
        floor = self.floor * abs(worst) if self.relative else self.floor
        return max(max(values) - min(values), floor)

    def worst(self, values: list[float]) -> float:
        return min(values) if self.better == "higher" else max(values)

    def mark(self, values: list[float]) -> float:
        """The pass mark: a figure passes when it is at least this (higher is better) or at most this."""
        if not values:
            raise ValueError("a pass mark needs at least one reference run")
        sign = -1 if self.better == "higher" else 1
        mark = self.worst(values) + sign * self.margin(values)
        if self.integer:
            mark = float(int(mark) if sign < 0 else -int(-mark))
        return mark

    def passes(self, value: float, mark: float) -> bool:
        return value >= mark if self.better == "higher" else value <= mark

    def describe(self, values: list[float]) -> str:
        """How the mark was derived, for instructors' notes and `python -m autograder thresholds`."""
        floor = f"{self.floor:.0%} of the worst" if self.relative else f"{self.floor:g}"
        side = "-" if self.better == "higher" else "+"
        return (f"worst of {len(values)} runs {self.worst(values):.4g} {side} max(range "
                f"{max(values) - min(values):.4g}, floor {floor})")


def leave_one_out(values: list[float], rule: Rule) -> list[tuple[float, float, bool]]:
    """Each run's value, the pass mark the other runs give, and whether the run passes it."""
    result = []
    for index, value in enumerate(values):
        mark = rule.mark(values[:index] + values[index + 1:])
        result.append((value, mark, rule.passes(value, mark)))
    return result


def run_metrics(reference_dir: Path) -> dict[str, dict]:
    """Every committed run's metrics.json under ``reference_dir`` (``seed<n>/``), by folder name, in seed order."""
    runs = sorted(reference_dir.glob("seed*/metrics.json"), key=lambda p: int(p.parent.name.removeprefix("seed")))
    return {path.parent.name: json.loads(path.read_text()) for path in runs}


def figure_values(runs: dict[str, dict], read: Callable[[dict], float]) -> dict[str, float]:
    """One figure's value in every run that measured it (``read`` raises KeyError where a run did not)."""
    values = {}
    for name, metrics in runs.items():
        try:
            values[name] = float(read(metrics))
        except (KeyError, TypeError):
            continue
    return values
