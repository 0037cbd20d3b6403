"""The fixture library, graded once per session: each submission gets exactly its expected score and messages;
every committed reference run gets full marks, also against pass marks derived from the other runs alone."""

from __future__ import annotations

import shutil

import pytest

from autograder.engine import passmarks
from autograder.engine.assignment import load
from autograder.engine.fixtures import build_all, expected, fixture_names, grade_all, mismatches
from autograder.engine.grade import Grader
from autograder.engine.notebook import cell_points, points

ASSIGNMENT = load("bernoulli_vae")
RUNS = sorted((p for p in ASSIGNMENT.reference_dir.glob("seed*") if (p / "metrics.json").is_file()),
              key=lambda p: int(p.name.removeprefix("seed")))


@pytest.fixture(scope="session")
def grader(config, assignment) -> Grader:
    return Grader(config=config, assignment=assignment)


@pytest.fixture(scope="session")
def graded(config, grader, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("submissions")
    return grade_all(grader, build_all(root, grader=grader, config=config, assignment=ASSIGNMENT))


@pytest.mark.parametrize("name", fixture_names(ASSIGNMENT))
def test_fixture_gets_its_expected_score(graded, name):
    assert not mismatches(graded[name], expected(ASSIGNMENT, name), max_score=points(ASSIGNMENT.solution_notebook)[0])


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


FORGERIES = sorted(p.name for p in ASSIGNMENT.fixtures_dir.iterdir() if p.name.startswith("forgery_"))


def test_each_forgery_scores_exactly_its_honest_twin(graded):
    """A log-density taken from PyTorch's forbidden class (by its names, or through its base class) or from the
    grader's probes earns exactly what the same notebook with the log-density left unfilled earns, and loses the
    same checks: the class is disabled while grading, and no trusted formula is in the student's process."""
    twin = graded["log_prob_left_unfilled"]
    twin_lost = {c.name for c in twin.checks if c.score < c.max_score}
    assert len(FORGERIES) >= 3 and twin_lost
    for name in FORGERIES:
        assert graded[name].score == twin.score, name
        assert {c.name for c in graded[name].checks if c.score < c.max_score} == twin_lost, name


def test_no_reference_formula_is_copied_into_the_students_process():
    """probes.py runs in the student's process: the trusted log-density must live in measures.py alone."""
    import inspect

    from autograder.assignments.bernoulli_vae import measures, probes

    assert "ContinuousBernoulli" not in inspect.getsource(probes)
    assert "ContinuousBernoulli" in inspect.getsource(measures.log_prob)
