"""Pass marks proven on runs they never saw: every assignment's validation runs (reference/validation/seed<n>/,
trained from the solution notebook like the others and used by no mark) pass every mark, and the whole assignment's
estimated share of correct runs that lose a point stays under the target."""

from __future__ import annotations

import json

import pytest

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.passmarks import (FALSE_FAIL, MIN_RUNS, VALIDATION, Figure, Rule, assignment_share,
                                        figure_runs, figure_values, pass_marks, per_figure_share)

FIGURED = [i for i in assignment_ids() if hasattr(load(i).module("thresholds") or object(), "figures")]


def _figures(assignment) -> dict[str, Figure]:
    return assignment.module("thresholds").figures(assignment.settings)


def test_validation_runs_derive_no_mark(tmp_path):
    """A validation run, however far off, moves no mark: only reference/seed<n>/ counts."""
    for folder, value in (("seed0", 0.90), ("seed1", 0.92), ("seed2", 0.91), ("validation/seed100", 0.10)):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "metrics.json").write_text(json.dumps({"acc": value}))
    figures = {"acc": Figure("accuracy", lambda m: m["acc"], Rule("higher"))}
    before = pass_marks(figures, tmp_path, min_runs=3)["acc"].value
    (tmp_path / VALIDATION / "seed101").mkdir()
    (tmp_path / VALIDATION / "seed101" / "metrics.json").write_text(json.dumps({"acc": 0.0}))
    assert pass_marks(figures, tmp_path, min_runs=3)["acc"].value == before
    assert list(figure_runs(figures["acc"], tmp_path, validation=True)) == ["seed100", "seed101"]


def test_a_figure_of_code_reads_its_validation_runs_from_its_own_file_under_validation(tmp_path):
    """A figure whose runs are a JSON file (code run with several seeds) has its validation runs in the file of the
    same name under reference/validation/, and they move no mark either."""
    (tmp_path / VALIDATION).mkdir()
    (tmp_path / "runs.json").write_text(json.dumps({f"s{i}": {"acc": 0.90 + i / 100} for i in range(3)}))
    (tmp_path / VALIDATION / "runs.json").write_text(json.dumps({"s100": {"acc": 0.0}}))
    figures = {"acc": Figure("accuracy", lambda m: m["acc"], Rule("higher"), runs="runs.json")}
    assert list(figure_runs(figures["acc"], tmp_path)) == ["s0", "s1", "s2"]
    assert list(figure_runs(figures["acc"], tmp_path, validation=True)) == ["s100"]
    mark = pass_marks(figures, tmp_path, min_runs=3)["acc"].value
    assert mark == Rule("higher").mark([0.90, 0.91, 0.92], per_figure_share(1))


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_every_validation_run_passes_every_mark(assignment_id):
    """Fails on any point a correct run no mark was derived from would lose."""
    assignment = load(assignment_id)
    marks = assignment.module("thresholds").thresholds(assignment)
    failed = [f"{name}: {run}'s {value:.4g} fails the mark {marks[name].value:.4g}"
              for name, figure in _figures(assignment).items()
              for run, value in figure_values(figure_runs(figure, assignment.reference_dir, validation=True),
                                              figure.read).items()
              if not figure.rule.passes(value, marks[name].value)]
    assert not failed, failed


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_every_figure_has_validation_runs(assignment_id):
    """At least MIN_RUNS validation runs per figure, of training runs or of code run with other seeds. An assignment
    still short of them says so in its thresholds.py (``SHORT_OF_VALIDATION``, shown by `python -m autograder
    thresholds`); that note must go once the runs exist."""
    assignment = load(assignment_id)
    module = assignment.module("thresholds")
    found = {name: len(figure_values(figure_runs(figure, assignment.reference_dir, validation=True), figure.read))
             for name, figure in _figures(assignment).items()}
    short = {name: count for name, count in found.items() if count < MIN_RUNS}
    if getattr(module, "SHORT_OF_VALIDATION", None):
        assert short, f"every figure has {MIN_RUNS} validation runs now: remove SHORT_OF_VALIDATION from " \
                      f"{assignment_id}'s thresholds.py"
    else:
        assert not short, f"figures with fewer than {MIN_RUNS} validation runs: {short}"


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_a_correct_run_loses_a_point_in_fewer_than_1_of_200(assignment_id):
    """The estimate from every run, validation runs included (the predictive Student-t's tail beyond each mark),
    for all of the assignment's marks together."""
    assignment = load(assignment_id)
    marks = assignment.module("thresholds").thresholds(assignment)
    shares = {}
    for name, figure in _figures(assignment).items():
        every = [*figure_values(figure_runs(figure, assignment.reference_dir), figure.read).values(),
                 *figure_values(figure_runs(figure, assignment.reference_dir, validation=True), figure.read).values()]
        shares[name] = figure.rule.false_fail(every, marks[name].value)
    assert assignment_share(list(shares.values())) < FALSE_FAIL, shares


@pytest.mark.parametrize("assignment_id", FIGURED)
def test_every_mark_can_fail(assignment_id):
    """A mark beyond every value the figure can take checks nothing: such a figure is dropped or replaced."""
    assignment = load(assignment_id)
    marks = assignment.module("thresholds").thresholds(assignment)
    never = [f"{name}: {marks[name].value:.4g}" for name, figure in _figures(assignment).items()
             if not figure.rule.can_fail(marks[name].value)]
    assert not never, never


def test_the_design_share_leaves_room_under_the_target():
    assert assignment_share([per_figure_share(9)] * 9) == pytest.approx(FALSE_FAIL / 4)


def test_make_reference_trains_validation_runs_apart():
    from autograder.cli import main
    from autograder.engine.reference import run_dir

    assignment = load(FIGURED[0])
    assert run_dir(assignment, 100, validation=True) == assignment.reference_dir / VALIDATION / "seed100"
    assert run_dir(assignment, 3) == assignment.reference_dir / "seed3"
    with pytest.raises(SystemExit):  # a mistake is one run in its own folder
        main(["reference", "--assignment", FIGURED[0], "--mistake", "any", "--validation"])
