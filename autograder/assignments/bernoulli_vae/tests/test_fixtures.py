"""The fixture library, graded once per session: each submission gets exactly its expected score and messages;
every committed reference run gets full marks, also against pass marks derived from the other runs alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.engine import passmarks
from autograder.engine.assignment import load
from autograder.engine.fixtures import build_submission, expected, fixture_names
from autograder.engine.grade import GradeResult, Grader
from autograder.engine.notebook import cell_points, points

ASSIGNMENT = load("bernoulli_vae")
FIXTURES = ASSIGNMENT.fixtures_dir
RUNS = sorted((p for p in ASSIGNMENT.reference_dir.glob("seed*") if (p / "metrics.json").is_file()),
              key=lambda p: int(p.name.removeprefix("seed")))


@pytest.fixture(scope="session")
def grader(config, assignment) -> Grader:
    return Grader(config=config, assignment=assignment)


@pytest.fixture(scope="session")
def graded(config, grader, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("submissions")
    results = {}
    for name in fixture_names(ASSIGNMENT):
        try:
            folder = build_submission(FIXTURES / name, root / name, config=config, assignment=ASSIGNMENT,
                                      inputs=lambda: grader.inputs)
            results[name] = grader.grade(folder)
        except Exception as error:  # a grader fault fails this fixture's test alone
            results[name] = GradeResult(name, [], error=f"grader fault: {type(error).__name__}: {error}", graded=False)
    return results


@pytest.mark.parametrize("name", fixture_names(ASSIGNMENT))
def test_fixture_gets_its_expected_score(graded, name):
    expected_result = expected(ASSIGNMENT, name)
    result = graded[name]
    assert result.graded, result.error
    lost = {c.name: c.message for c in result.checks if c.score < c.max_score}
    if expected_result["lost"] == "all":
        assert result.score == 0 and all(lost[c.name] for c in result.checks)
        assert all(expected_result.get("message", "") in message for message in lost.values())
    else:
        assert sorted(lost) == sorted(expected_result["lost"]), lost
        for check, fragment in expected_result["lost"].items():
            assert fragment in lost[check], (check, lost[check])
    assert result.score == pytest.approx(expected_result["score"])
    assert result.max_score == points(ASSIGNMENT.solution_notebook)[0]


def test_points_per_cell_are_the_notebooks_and_total_twenty(graded):
    per_cell = {}
    for check in graded["passes_all"].checks:
        per_cell[check.cell] = per_cell.get(check.cell, 0) + check.max_score
    assert per_cell == cell_points(ASSIGNMENT.solution_notebook, "code")
    assert sum(points(ASSIGNMENT.solution_notebook)) == 20


def test_at_least_five_reference_runs_are_committed():
    assert len(RUNS) >= passmarks.MIN_RUNS
    for run in RUNS:
        assert all((run / name).is_file() for name in (*ASSIGNMENT.settings.weight_files, "training_log.txt"))


@pytest.mark.parametrize("run", RUNS, ids=lambda p: p.name)
def test_every_reference_run_gets_full_marks(grader, assignment, tmp_path, run):
    shutil.copy(assignment.solution_notebook, tmp_path)
    for name in assignment.settings.weight_files:
        shutil.copy(run / name, tmp_path)
    result = grader.grade(tmp_path)
    assert result.score == result.max_score, {c.name: c.message for c in result.checks if c.score < c.max_score}


def test_leave_one_out_every_run_passes_the_marks_of_the_others(assignment):
    """Marks derived from the other runs alone: every run still passes every one of them."""
    from autograder.assignments.bernoulli_vae import thresholds

    runs = passmarks.run_metrics(assignment.reference_dir)
    rules = thresholds.rules(assignment.settings)
    failures = []
    for name, (rule, read) in rules.items():
        values = passmarks.figure_values(runs, read)
        assert len(values) >= passmarks.MIN_RUNS, name
        for (run, _), (value, mark, passes) in zip(values.items(), passmarks.leave_one_out(list(values.values()), rule)):
            if not passes:
                failures.append(f"{name}: {run} {value:.4g} against {mark:.4g}")
    assert not failures, failures
