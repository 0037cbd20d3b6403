"""The pass-mark rule, and every assignment's marks against its committed reference runs."""

from __future__ import annotations

import json
import statistics

import pytest

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.passmarks import (MIN_RUNS, Rule, assignment_share, figure_runs, figure_values, leave_one_out,
                                        per_figure_share, run_metrics)


def test_the_mark_is_the_prediction_bound_or_the_floor_beyond_the_worst_run_whichever_is_more_lenient():
    from scipy.stats import t

    values = [0.20, 0.21, 0.25]
    mean, scale = sum(values) / 3, statistics.stdev(values) * (1 + 1 / 3) ** 0.5
    assert Rule("lower").mark(values, 0.01) == pytest.approx(mean + t.ppf(0.99, 2) * scale)
    assert Rule("lower", floor=1.0).mark(values, 0.01) == pytest.approx(0.25 + 1.0)  # the floor is more lenient
    assert Rule("higher", floor=0.5, relative=True).mark([0.90, 0.90], 0.01) == pytest.approx(0.45)  # no spread
    assert Rule("higher").mark([0.90, 0.98], 0.1) < Rule("higher").mark([0.90, 0.94, 0.98], 0.1)  # fewer runs: wider
    assert Rule("higher", floor=2, integer=True).mark([10, 9.5], 0.5) == 7  # counts round outward
    with pytest.raises(ValueError):
        Rule("higher").mark([], 0.01)


def test_the_estimated_false_fail_share_is_the_predictive_tail_beyond_the_mark():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    rule = Rule("higher")
    for share in (0.001, 0.01, 0.1):  # the mark's own runs give back the share it was set at
        assert rule.false_fail(values, rule.mark(values, share)) == pytest.approx(share)
    assert rule.false_fail(values, 3.0) == pytest.approx(0.5)
    assert Rule("lower").false_fail(values, 3.0) == pytest.approx(0.5)
    assert Rule("higher").false_fail([0.9, 0.9], 0.8) == 0 and Rule("higher").false_fail([0.9, 0.9], 0.95) == 1
    assert Rule("higher", integer=True).false_fail([10, 10, 10, 9, 9], 9) < rule.false_fail([10, 10, 10, 9, 9], 9)
    assert assignment_share([0.1, 0.2]) == pytest.approx(1 - 0.9 * 0.8)
    assert assignment_share([per_figure_share(7, 0.01)] * 7) == pytest.approx(0.01)


def test_a_mark_outside_the_possible_values_can_never_fail():
    assert not Rule("higher", possible=(0.0, 1.0)).can_fail(-0.2)
    assert Rule("higher", possible=(0.0, 1.0)).can_fail(0.3)
    assert not Rule("lower", possible=(0.0, 1.0)).can_fail(1.0)


def test_leave_one_out_fails_an_outlier_the_other_runs_do_not_cover():
    """The test below can fail: a run far outside the others' spread fails the others' mark."""
    verdicts = leave_one_out([0.175, 0.178, 0.176, 0.177, 0.210], Rule("lower", floor=0.05, relative=True), 0.001)
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
    share, failed = per_figure_share(len(figures)), []
    for name, figure in figures.items():
        values = figure_values(figure_runs(figure, assignment.reference_dir), figure.read)
        failed += [f"{name}: {run}'s {value:.4g} fails the others' mark {mark:.4g}"
                   for run, (value, mark, ok) in zip(values, leave_one_out(list(values.values()), figure.rule, share))
                   if not ok]
    assert not failed, failed
    marks = assignment.module("thresholds").thresholds(assignment)
    assert all(figure.rule.passes(v, marks[name].value) for name, figure in figures.items()
               for v in figure_values(figure_runs(figure, assignment.reference_dir), figure.read).values())


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_every_pass_mark_comes_from_enough_runs(assignment_id):
    """At least the assignment's RUNS_NEEDED (its thresholds.py; else the engine's MIN_RUNS, which grading needs) runs
    per figure. An assignment still short of runs says so in its thresholds.py (``SHORT_OF_RUNS``, shown by `python
    -m autograder thresholds`); that note must go once the runs exist."""
    assignment = load(assignment_id)
    module = assignment.module("thresholds")
    needed = getattr(module, "RUNS_NEEDED", MIN_RUNS)
    found = {name: len(figure_values(figure_runs(figure, assignment.reference_dir), figure.read))
             for name, figure in module.figures(assignment.settings).items()}
    short = {name: count for name, count in found.items() if count < needed}
    if getattr(module, "SHORT_OF_RUNS", None):
        assert short, f"every figure has {needed} runs now: remove SHORT_OF_RUNS from {assignment_id}'s thresholds.py"
    else:
        assert not short, f"figures with fewer than {needed} runs: {short}"


def test_the_thresholds_table_shows_runs_validation_marks_shares_verdicts_and_mistakes(tmp_path):
    """What `python -m autograder thresholds` prints, on a made-up assignment folder's runs and one mistake."""
    from autograder.engine.passmarks import Figure, Mistake, report

    for folder, value in (("seed0", 0.90), ("seed1", 0.92), ("seed2", 0.91), ("seed3", 0.93), ("seed4", 0.90),
                          ("validation/seed100", 0.91), ("validation/seed101", 0.60)):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "metrics.json").write_text(json.dumps({"m": {"acc": value}}))
    (tmp_path / "mistakes" / "short").mkdir(parents=True)
    (tmp_path / "mistakes" / "short" / "metrics.json").write_text(json.dumps({"m": {"acc": 0.70}}))
    figures = {"acc": Figure("accuracy", lambda m: m["m"]["acc"], Rule("higher", floor=0.01)),
               "never": Figure("accuracy again", lambda m: m["m"]["acc"], Rule("higher", floor=2, possible=(0, 1)))}
    mistakes = {"short": Mistake("trained too briefly", ("m",), {}), "other": Mistake("not run", ("m",), {})}
    table = report(figures, tmp_path, mistakes, "only a test", "none trained")
    assert "SHORT OF RUNS: only a test" in table and "SHORT OF VALIDATION RUNS: none trained" in table
    assert "runs (5): seed0 0.9, seed1 0.92, seed2 0.91, seed3 0.93, seed4 0.9" in table
    assert "validation runs (2): seed100 0.91, seed101 0.6" in table
    share = per_figure_share(2)
    mark = Rule("higher", floor=0.01).mark([0.90, 0.92, 0.91, 0.93, 0.90], share)
    assert f"mark:     {mark:.4g} = the more lenient of mean 0.912 - t(1-{share:.2g}, 4 df)" in table
    assert "validation: FAILS seed101 0.6" in table and "CAN NEVER FAIL" in table
    assert "of correct runs (predictive Student-t of all 7 runs" in table
    assert "every run passes the mark of the others" in table
    assert "trained too briefly: 0.7, caught" in table and "not measured yet" in table and "other" in table
    assert "whole assignment: a correct run loses some point with estimated probability" in table


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_every_listed_mistake_is_trained_and_measured(assignment_id):
    """Each of the thresholds.py MISTAKES has its reference/mistakes/<name>/metrics.json, so the thresholds table
    shows where it lands. One still untrained is named in ``UNTRAINED_MISTAKES``; that note must go once it is."""
    from autograder.engine.reference import mistakes

    assignment = load(assignment_id)
    missing = sorted(name for name in mistakes(assignment)
                     if not (assignment.reference_dir / "mistakes" / name / "metrics.json").is_file())
    assert missing == sorted(getattr(assignment.module("thresholds"), "UNTRAINED_MISTAKES", ())), missing


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_a_thresholds_printout_in_the_readme_is_what_the_command_prints_now(assignment_id):
    """An assignment README that quotes `python -m autograder thresholds` quotes it as the committed runs give it
    today: a run added or re-measured changes the marks, and a stale printout would contradict the grader."""
    import re

    from autograder.engine.reference import thresholds_table

    assignment = load(assignment_id)
    readme = (assignment.folder / "README.md").read_text()
    quoted = [block for block in re.findall(r"```\n(.*?)```", readme, re.S) if "whole assignment:" in block]
    now = thresholds_table(assignment).strip()
    for block in quoted:
        assert block.strip() == now, f"refresh the printout in {assignment_id}'s README with " \
                                     f"`python -m autograder thresholds --assignment {assignment_id}`"
