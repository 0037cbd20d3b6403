"""The pass-mark rule, and every assignment's marks against its committed reference runs."""

from __future__ import annotations

import json

import pytest

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.passmarks import MIN_RUNS, Rule, figure_runs, figure_values, leave_one_out, pass_marks, run_metrics


def test_the_mark_lies_beyond_the_worst_run_by_the_range_or_the_floor():
    assert Rule("lower", floor=0.01).mark([0.20, 0.21, 0.25]) == pytest.approx(0.25 + 0.05)
    assert Rule("lower", floor=0.10).mark([0.20, 0.21]) == pytest.approx(0.21 + 0.10)
    assert Rule("higher", floor=0.05, relative=True).mark([0.90, 0.98]) == pytest.approx(0.90 - 0.08)
    assert Rule("higher", floor=0.5, relative=True).mark([0.90, 0.98]) == pytest.approx(0.90 - 0.45)
    assert Rule("higher", floor=2, integer=True).mark([10, 9.5]) == 7  # counts round outward
    with pytest.raises(ValueError):
        Rule("higher").mark([])


def test_leave_one_out_fails_an_outlier_the_other_runs_do_not_cover():
    """The test below can fail: a run far outside the others' spread fails the others' mark."""
    verdicts = leave_one_out([0.175, 0.178, 0.176, 0.177, 0.210], Rule("lower", floor=0.05, relative=True))
    assert [ok for _, _, ok in verdicts] == [True, True, True, True, False]


def test_runs_are_read_in_seed_order(tmp_path):
    for seed, value in ((10, 0.3), (2, 0.2)):
        (tmp_path / f"seed{seed}").mkdir()
        (tmp_path / f"seed{seed}" / "metrics.json").write_text(json.dumps({"m": {"x": value}}))
    (tmp_path / "seed5").mkdir()
    (tmp_path / "seed5" / "metrics.json").write_text(json.dumps({"other": {}}))  # a run of another model only
    runs = run_metrics(tmp_path)
    assert list(runs) == ["seed2", "seed5", "seed10"]
    assert figure_values(runs, lambda m: m["m"]["x"]) == {"seed2": 0.2, "seed10": 0.3}


FIGURED = [i for i in assignment_ids() if hasattr(load(i).module("thresholds") or object(), "figures")]


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_each_run_passes_the_mark_the_other_runs_give(assignment_id):
    """Leave-one-out: a correct run with a seed no mark was derived from would pass. Fails the moment a mark is
    too tight for the spread of correct runs."""
    assignment = load(assignment_id)
    figures = assignment.module("thresholds").figures(assignment.settings)
    failed = []
    for name, figure in figures.items():
        values = figure_values(figure_runs(figure, assignment.reference_dir), figure.read)
        failed += [f"{name}: {run}'s {value:.4g} fails the others' mark {mark:.4g}"
                   for run, (value, mark, ok) in zip(values, leave_one_out(list(values.values()), figure.rule)) if not ok]
    assert not failed, failed
    marks = assignment.module("thresholds").thresholds(assignment)
    assert all(figure.rule.passes(v, marks[name].value) for name, figure in figures.items()
               for v in figure_values(figure_runs(figure, assignment.reference_dir), figure.read).values())


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_every_pass_mark_comes_from_enough_runs(assignment_id):
    """At least MIN_RUNS runs per figure. An assignment still short of runs says so in its thresholds.py
    (``SHORT_OF_RUNS``, shown by `python -m autograder thresholds`); that note must go once the runs exist."""
    assignment = load(assignment_id)
    module = assignment.module("thresholds")
    found = {name: len(figure_values(figure_runs(figure, assignment.reference_dir), figure.read))
             for name, figure in module.figures(assignment.settings).items()}
    short = {name: count for name, count in found.items() if count < MIN_RUNS}
    if getattr(module, "SHORT_OF_RUNS", None):
        assert short, f"every figure has {MIN_RUNS} runs now: remove SHORT_OF_RUNS from {assignment_id}'s thresholds.py"
    else:
        assert not short, f"figures with fewer than {MIN_RUNS} runs: {short}"


def test_the_thresholds_table_shows_runs_marks_verdicts_and_mistakes(tmp_path):
    """What `python -m autograder thresholds` prints, on a made-up assignment folder's runs and one mistake."""
    from autograder.engine.passmarks import Figure, Mistake, report

    for seed, value in enumerate((0.90, 0.92, 0.91, 0.93, 0.90)):
        (tmp_path / f"seed{seed}").mkdir()
        (tmp_path / f"seed{seed}" / "metrics.json").write_text(json.dumps({"m": {"acc": value}}))
    (tmp_path / "mistakes" / "short").mkdir(parents=True)
    (tmp_path / "mistakes" / "short" / "metrics.json").write_text(json.dumps({"m": {"acc": 0.70}}))
    figures = {"acc": Figure("accuracy", lambda m: m["m"]["acc"], Rule("higher", floor=0.01))}
    mistakes = {"short": Mistake("trained too briefly", ("m",), {}), "other": Mistake("not run", ("m",), {})}
    table = report(figures, tmp_path, mistakes, "only a test")
    assert "SHORT OF RUNS: only a test" in table
    assert "seed0 0.9, seed1 0.92, seed2 0.91, seed3 0.93, seed4 0.9" in table
    assert "mark:     0.87 = worst of 5 runs 0.9 - max(range 0.03, floor 0.01)" in table
    assert "every run passes the mark of the others" in table
    assert "trained too briefly: 0.7, caught" in table and "not measured yet" in table and "other" in table
