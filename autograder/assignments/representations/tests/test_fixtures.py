"""The assignment against its fixture library: each submission gets exactly its expected score and messages.

Reference runs trained with other seeds differ from seed 0 only in mnist_cnn.pt, whose one figure (test accuracy)
test_reference.py checks run by run against the marks the other runs give (leave-one-out)."""

from __future__ import annotations


import pytest
import torch

from autograder.engine.assignment import load
from autograder.engine.fixtures import build_all, expected, fixture_names, grade_all, mismatches
from autograder.engine.grade import Grader
from autograder.engine.grade.inputs import probe_inputs_file, student_inputs_file
from autograder.engine.notebook import points

ASSIGNMENT = load("representations")


@pytest.fixture(scope="session")
def grader(config, assignment) -> Grader:
    return Grader(config=config, assignment=assignment)


@pytest.fixture(scope="session")
def graded(config, grader, tmp_path_factory) -> dict:
    """Every fixture submission built and graded once for the whole session, with its grading time."""
    root = tmp_path_factory.mktemp("submissions")
    return grade_all(grader, build_all(root, grader=grader, config=config, assignment=ASSIGNMENT))


@pytest.mark.parametrize("name", fixture_names(ASSIGNMENT))
def test_fixture_gets_its_expected_score(graded, name):
    assert not mismatches(graded[name], expected(ASSIGNMENT, name), max_score=points(ASSIGNMENT.solution_notebook)[0])


def test_points_per_cell_are_the_notebooks(graded):
    per_cell = {}
    for check in graded["passes_all"].checks:
        per_cell[check.cell] = per_cell.get(check.cell, 0) + check.max_score
    assert per_cell == {"mnist_loaders": 1.5, "cnn_model": 1.5, "net2": 4.5, "embedding": 3, "plot": 1.5}
    assert points(ASSIGNMENT.solution_notebook) == (12, 3)


def test_grading_one_submission_takes_a_few_seconds(graded):
    """t-SNE runs on a bounded number of points: a correct submission grades in seconds, not minutes."""
    assert graded["passes_all"].timings["wall"] < 30, graded["passes_all"].timings


def test_feedback_never_shows_check_source(graded):
    source = "".join(p.read_text() for p in ASSIGNMENT.checks_dir.glob("*.py"))
    code_lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 25}
    for result in graded.values():
        for check in result.checks:
            assert not any(line in check.message for line in code_lines), check.message


# Each forgery and the honest submission whose work it stands in for: a rebound probe module with untrained
# weights (twin: the same weights submitted honestly), zeros of the right shapes or a forward that only lists the
# layers (twin: extract not written), digits looked up in MNIST instead of t-SNE (twin: a projection, no t-SNE).
TWINS = {
    "forgery_imports_the_probe_module_to_rebind_it": "untrained_weights",
    "forgery_extract_returns_zeros_of_the_right_shapes": "extract_not_written",
    "forgery_net2_lists_the_layers_without_computing": "extract_not_written",
    "forgery_embedding_looks_the_digits_up_in_mnist": "embedding_pca_instead_of_tsne",
}


def test_each_forgery_scores_exactly_its_honest_twin(graded):
    """A forgery earns no check its twin does not: the same checks lost, the same score."""
    assert sorted(TWINS) == sorted(name for name in fixture_names(ASSIGNMENT) if name.startswith("forgery_"))
    for forgery, twin in TWINS.items():
        lost = {c.name for c in graded[forgery].checks if c.score < c.max_score}
        assert lost == {c.name for c in graded[twin].checks if c.score < c.max_score}, forgery
        assert graded[forgery].score == graded[twin].score, forgery


def test_the_digits_tsne_embedding_is_scored_against_never_reach_the_students_process(config, graded):
    """The labels stay with the grader, and each representation comes in an order of its own (so that digits
    looked up from the raw images do not label the h5 rows)."""
    full = torch.load(probe_inputs_file(config=config, assignment=ASSIGNMENT), weights_only=True)
    given = torch.load(student_inputs_file(config=config, assignment=ASSIGNMENT), weights_only=True)
    assert "embed_labels" in full and "embed_labels" not in given and "test" not in given
    assert set(given["embed"]) == set(ASSIGNMENT.settings.embedded_layers)
    assert not torch.equal(full["embed_labels"]["input"], full["embed_labels"]["h5"])
