"""Pass marks from several independent reference runs, by one stated rule, and the share of correct runs a mark
would fail.

The rule: each figure's runs are taken as draws of a normal variable of unknown mean and spread. A new correct run
then lies beyond mean -/+ t * s * sqrt(1 + 1/n) with probability alpha (n runs, mean and standard deviation s of
the runs, t the Student-t quantile 1 - alpha with n - 1 degrees of freedom: the one-sided prediction bound, wide
when few runs show the spread). alpha is the assignment's target share of correct solutions that lose any point
(``FALSE_FAIL``), quartered so that the estimate from more runs has room (halved was not enough: bernoulli_vae's
five validation runs put the estimate of its whole assignment at 0.009), and split evenly over its figures. A figure's ``floor`` is the least margin beyond the worst run, for
runs that agree more closely than the figure can vary (the same representation embedded with ten t-SNE seeds
gives the same trustworthiness ten times); the mark is the more lenient of the two.

The estimated share of correct runs a mark fails (``false_fail``) is the tail beyond the mark of the same
predictive Student-t, fitted to every run, the validation runs included (``reference/validation/``),
which no mark is derived from: heavier-tailed than a normal fit, and more so the fewer the runs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

from autograder.engine.grade.checks import Threshold

MIN_RUNS = 5  # runs per figure a pass mark is derived from
FALSE_FAIL = 1 / 200  # target: share of correct solutions that lose any point of an assignment's pass marks
VALIDATION = "validation"  # reference/validation/: runs that check the marks and derive none


def per_figure_share(figures: int, target: float = FALSE_FAIL / 4) -> float:
    """The share of correct runs each of ``figures`` marks may fail so that all together fail ``target``."""
    return 1 - (1 - target) ** (1 / max(figures, 1))


def assignment_share(shares: list[float]) -> float:
    """The share of correct runs that fail at least one mark, the figures taken as independent."""
    return 1 - math.prod(1 - share for share in shares)


@dataclass(frozen=True)
class Rule:
    """How one figure's pass mark follows from its runs."""

    better: Literal["higher", "lower"]  # which way a better model moves the figure
    floor: float = 0.0                  # the least margin beyond the worst run, in the figure's units
    relative: bool = False              # the floor is a fraction of the worst run's value instead
    integer: bool = False               # counts (digits read on a grid): the mark is rounded outward
    # the values the figure can take (an accuracy: 0 to 1); a mark outside them can never fail
    possible: tuple[float, float] = (-math.inf, math.inf)

    @property
    def sign(self) -> int:  # the direction from a good value towards a failing one
        return -1 if self.better == "higher" else 1

    def worst(self, values: list[float]) -> float:
        return min(values) if self.better == "higher" else max(values)

    def bound(self, values: list[float], share: float) -> float:
        """The one-sided prediction bound a new run falls beyond with probability ``share`` (the worst run when a
        single run shows no spread)."""
        mean, scale = _predictive(values)
        if scale == 0:
            return self.worst(values)
        from scipy.special import stdtrit  # Student-t quantile: scipy.stats's t.ppf, without its 0.8 s import

        return mean + self.sign * float(stdtrit(len(values) - 1, 1 - share)) * scale

    def mark(self, values: list[float], share: float) -> float:
        """The pass mark: a figure passes when it is at least this (higher is better) or at most this."""
        if not values:
            raise ValueError("a pass mark needs at least one reference run")
        worst = self.worst(values)
        by_floor = worst + self.sign * (self.floor * abs(worst) if self.relative else self.floor)
        mark = self.bound(values, share)
        mark = min(mark, by_floor) if self.better == "higher" else max(mark, by_floor)
        if self.integer:
            mark = float(math.floor(mark) if self.sign < 0 else math.ceil(mark))
        return mark

    def passes(self, value: float, mark: float) -> bool:
        return value >= mark if self.better == "higher" else value <= mark

    def can_fail(self, mark: float) -> bool:
        """Whether some possible value fails ``mark``."""
        low, high = self.possible
        return mark > low if self.better == "higher" else mark < high

    def false_fail(self, values: list[float], mark: float) -> float:
        """Estimated share of correct runs that fail ``mark``: the predictive Student-t of ``values``' tail beyond
        it (a count fails one unit beyond the mark, so its tail starts half a unit beyond)."""
        mean, scale = _predictive(values)
        edge = mark + self.sign * (0.5 if self.integer else 0)
        if scale == 0:
            return 0.0 if self.passes(mean, edge) else 1.0
        from scipy.special import stdtr  # Student-t distribution function (scipy.stats's t.cdf)

        z = (edge - mean) / scale
        return float(stdtr(len(values) - 1, z if self.better == "higher" else -z))

    def describe(self, values: list[float], share: float) -> str:
        """How the mark was derived, for instructors' notes and `python -m autograder thresholds`."""
        mean, scale = _predictive(values)
        side = "-" if self.better == "higher" else "+"
        bound = f"mean {mean:.4g} {side} t(1-{share:.2g}, {len(values) - 1} df) * {scale:.3g}"
        if not self.floor:
            return bound
        floor = f"{self.floor:.0%} of the worst" if self.relative else f"{self.floor:g}"
        return f"the more lenient of {bound} and worst {self.worst(values):.4g} {side} floor {floor}"


def _predictive(values: list[float]) -> tuple[float, float]:
    """Mean of ``values`` and the scale s * sqrt(1 + 1/n) of a new value's predictive Student-t (0 for one run)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(variance * (1 + 1 / n))


def leave_one_out(values: list[float], rule: Rule, share: float) -> list[tuple[float, float, bool]]:
    """Each run's value, the pass mark the other runs give, and whether the run passes it."""
    result = []
    for index, value in enumerate(values):
        mark = rule.mark(values[:index] + values[index + 1:], share)
        result.append((value, mark, rule.passes(value, mark)))
    return result


def run_metrics(reference_dir: Path) -> dict[str, dict]:
    """Every committed run's metrics.json in ``reference_dir``'s own ``seed<n>/`` folders, by folder name, in seed
    order (not those of its subfolders: ``validation/seed<n>/`` derives no mark)."""
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


def figure_runs(figure: Figure, reference_dir: Path, *, validation: bool = False) -> dict[str, dict]:
    """The committed runs ``figure`` is read from, by run name; with ``validation``, its validation runs, which
    derive no mark: the same layout under reference/validation/ (training runs in seed<n>/, or the JSON file of runs
    of a figure of code, run with seeds the marks' runs did not use)."""
    folder = reference_dir / VALIDATION if validation else reference_dir
    if not figure.runs:
        return run_metrics(folder)
    path = folder / figure.runs
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
    ``min_runs`` did (a bundle or a clone that left runs out must not grade with other marks)."""
    share = per_figure_share(len(figures))
    marks = {}
    for name, figure in figures.items():
        values = list(figure_values(figure_runs(figure, reference_dir), figure.read).values())
        if len(values) < min_runs:
            raise FileNotFoundError(f"{figure.what}: {len(values)} reference run(s) under {reference_dir}, {min_runs} "
                                    "needed: run `make reference ASSIGNMENT=<id> SEEDS=\"n ...\"` for more seeds")
        marks[name] = Threshold(figure.rule.mark(values, share), figure.rule.describe(values, share))
    return marks


def report(figures: dict[str, Figure], reference_dir: Path, mistakes: dict[str, Mistake], short_of_runs: str = "",
           short_of_validation: str = "") -> str:
    """Per figure: every run's and validation run's value, the pass mark and its rule, the estimated share of
    correct runs that fail it, the verdicts of the validation runs and of leave-one-out, and where each measured
    mistake lands (caught, or inside the correct runs' spread); then the whole assignment's estimated share."""
    measured = {name: json.loads((reference_dir / "mistakes" / name / "metrics.json").read_text())
                for name in mistakes if (reference_dir / "mistakes" / name / "metrics.json").is_file()}
    lines = [f"SHORT OF RUNS: {short_of_runs}"] if short_of_runs else []
    lines += [f"SHORT OF VALIDATION RUNS: {short_of_validation}"] if short_of_validation else []
    share, shares = per_figure_share(len(figures)), []
    for name, figure in figures.items():
        values = figure_values(figure_runs(figure, reference_dir), figure.read)
        checking = figure_values(figure_runs(figure, reference_dir, validation=True), figure.read)
        rule = figure.rule
        mark = rule.mark(list(values.values()), share)
        every = list(values.values()) + list(checking.values())
        shares.append(rule.false_fail(every, mark))
        lines.append(f"{name}: {figure.what} ({rule.better} is better)")
        lines.append(f"  runs ({len(values)}): " + ", ".join(f"{run} {value:.4g}" for run, value in values.items()))
        lines.append(f"  validation runs ({len(checking)}): " + (", ".join(
            f"{run} {value:.4g}" for run, value in checking.items()) or "none"))
        lines.append(f"  mark:     {mark:.4g} = {rule.describe(list(values.values()), share)}"
                     + ("" if rule.can_fail(mark) else f"  CAN NEVER FAIL (possible values {rule.possible})"))
        lines.append(f"  false fail: {shares[-1]:.2g} of correct runs (predictive Student-t of all {len(every)} runs; "
                     f"per-figure target {share:.2g})")
        failed = [f"{run} {value:.4g}" for run, value in checking.items() if not rule.passes(value, mark)]
        if checking:
            lines.append("  validation: " + ("every run passes" if not failed else "FAILS " + ", ".join(failed)))
        failed = [f"{run} ({value:.4g} vs {other:.4g})" for run, (value, other, ok)
                  in zip(values, leave_one_out(list(values.values()), rule, share)) if not ok]
        lines.append("  leave-one-out: " + ("every run passes the mark of the others" if not failed
                                            else "FAILS " + ", ".join(failed)))
        for mistake, metrics in measured.items():
            found = figure_values({mistake: metrics}, figure.read).get(mistake)
            if found is not None:
                verdict = "caught" if not rule.passes(found, mark) else "NOT caught (inside the correct runs' spread)"
                lines.append(f"  mistake:  {mistakes[mistake].what}: {found:.4g}, {verdict}")
    lines.append(f"whole assignment: a correct run loses some point with estimated probability "
                 f"{assignment_share(shares):.2g} = 1 - prod(1 - false fail) over {len(shares)} figures "
                 f"(target under {FALSE_FAIL:.2g})")
    missing = [name for name in mistakes if name not in measured]
    if missing:
        lines.append("mistakes not measured yet (`python -m autograder reference --mistake NAME`): " + ", ".join(missing))
    return "\n".join(lines)
