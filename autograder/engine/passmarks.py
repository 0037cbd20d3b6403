"""Pass marks from several independent reference runs, by one stated rule.

The rule: the pass mark lies beyond the worst reference run by the runs' range (best minus worst), or by a
stated floor when the runs happen to agree more closely than the figure's known variation. With five runs the
range is about 2.3 standard deviations of a normal figure, so a new correct run falls beyond the worst run plus
the range far less often than it falls beyond the worst run alone; the leave-one-out test
(``leave_one_out``) measures how often on the committed runs themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

from autograder.engine.grade.checks import Threshold

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


@dataclass(frozen=True)
class Figure:
    """A figure of submitted weights that a check compares with a pass mark."""

    what: str                        # how tables name it ("LeNet-5 test accuracy")
    read: Callable[[dict], float]    # its value in a run's metrics.json (KeyError where the run has none)
    rule: Rule
    # where its runs are, under reference/: "" for the training runs (seed<n>/metrics.json), else a JSON file of
    # runs by name, for a figure of code that is run several times without training (a t-SNE with 10 seeds)
    runs: str = ""


def figure_runs(figure: Figure, reference_dir: Path) -> dict[str, dict]:
    """The committed runs ``figure`` is read from, by run name."""
    if not figure.runs:
        return run_metrics(reference_dir)
    path = reference_dir / figure.runs
    return json.loads(path.read_text()) if path.is_file() else {}


@dataclass(frozen=True)
class Mistake:
    """A plausible way to train a model wrongly, trained by `python -m autograder reference --mistake NAME` into
    ``reference/mistakes/<name>/`` so the thresholds table shows which pass marks catch it."""

    what: str                  # "the autoencoder trained 1 epoch instead of 20"
    models: tuple[str, ...]    # the models the run trains (the others keep no file)
    parameters: dict           # notebook parameters that make the mistake
    cells: dict = field(default_factory=dict)  # grade_id -> the wrong source that replaces the solution's cell


def pass_marks(figures: dict[str, Figure], reference_dir: Path, *, min_runs: int = MIN_RUNS) -> dict[str, Threshold]:
    """Each figure's pass mark from every committed run that measured it; FileNotFoundError when fewer than
    ``min_runs`` did (a bundle or a clone that left runs out must not grade with looser marks)."""
    marks = {}
    for name, figure in figures.items():
        values = list(figure_values(figure_runs(figure, reference_dir), figure.read).values())
        if len(values) < min_runs:
            raise FileNotFoundError(f"{figure.what}: {len(values)} reference run(s) under {reference_dir}, {min_runs} "
                                    "needed: run `make reference ASSIGNMENT=<id> SEED=n` for more seeds")
        marks[name] = Threshold(figure.rule.mark(values), figure.rule.describe(values))
    return marks


def report(figures: dict[str, Figure], reference_dir: Path, mistakes: dict[str, Mistake], short_of_runs: str = "") -> str:
    """Per figure: every run's value, the pass mark and its rule, the leave-one-out verdicts, and where each
    measured mistake lands (caught, or inside the correct runs' spread)."""
    measured = {name: json.loads((reference_dir / "mistakes" / name / "metrics.json").read_text())
                for name in mistakes if (reference_dir / "mistakes" / name / "metrics.json").is_file()}
    lines = [f"SHORT OF RUNS: {short_of_runs}"] if short_of_runs else []
    for name, figure in figures.items():
        values = figure_values(figure_runs(figure, reference_dir), figure.read)
        rule = figure.rule
        mark = rule.mark(list(values.values()))
        lines.append(f"{name}: {figure.what} ({'higher' if rule.better == 'higher' else 'lower'} is better)")
        lines.append("  runs:     " + ", ".join(f"{run} {value:.4g}" for run, value in values.items())
                     + ("" if len(values) >= MIN_RUNS else f"  (fewer than {MIN_RUNS} runs)"))
        lines.append(f"  mark:     {mark:.4g} = {rule.describe(list(values.values()))}")
        failed = [f"{run} ({value:.4g} vs {other:.4g})" for run, (value, other, ok)
                  in zip(values, leave_one_out(list(values.values()), rule)) if not ok]
        lines.append("  leave-one-out: " + ("every run passes the mark of the others" if not failed
                                            else "FAILS " + ", ".join(failed)))
        for mistake, metrics in measured.items():
            found = figure_values({mistake: metrics}, figure.read).get(mistake)
            if found is not None:
                verdict = "caught" if not rule.passes(found, mark) else "NOT caught (inside the correct runs' spread)"
                lines.append(f"  mistake:  {mistakes[mistake].what}: {found:.4g}, {verdict}")
    missing = [name for name in mistakes if name not in measured]
    if missing:
        lines.append("mistakes not measured yet (`python -m autograder reference --mistake NAME`): " + ", ".join(missing))
    return "\n".join(lines)
