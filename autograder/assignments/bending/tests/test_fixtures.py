"""The bending assignment against its fixture library: each submission gets exactly its expected score and messages."""

from __future__ import annotations


import pytest

from autograder.engine.assignment import load
from autograder.engine.fixtures import build_all, build_submission, expected, fixture_names, grade_all, mismatches
from autograder.engine.grade import Grader
from autograder.engine.notebook import points

BENDING = load("bending")
NAMES = fixture_names(BENDING)


@pytest.fixture(scope="session")
def grader(config, assignment) -> Grader:
    return Grader(config=config, assignment=assignment)


@pytest.fixture(scope="session")
def graded(config, grader, tmp_path_factory) -> dict:
    """Every fixture submission built and graded once for the whole session."""
    root = tmp_path_factory.mktemp("bending-submissions")
    return grade_all(grader, build_all(root, grader=grader, config=config, assignment=BENDING))


@pytest.mark.parametrize("name", NAMES)
def test_fixture_gets_its_expected_score(graded, name):
    assert points(BENDING.solution_notebook)[0] == 16
    assert not mismatches(graded[name], expected(BENDING, name), max_score=16)


def test_the_library_covers_correct_variants_and_each_named_mistake():
    correct = [n for n in NAMES if n.startswith(("passes_all", "correct_"))]
    assert {"correct_torch_fx", "correct_functional_call"} <= set(correct)
    assert {"correct_helper_in_an_added_cell", "correct_demo_line_after_a_graded_function",
            "correct_parameters_used_in_a_graded_cell"} <= set(correct)
    for mistake in ("mask_keeps_one_minus_p", "bias_added_to_the_layer_input", "hooks_not_removed",
                    "normalised_over_the_wrong_dimension", "interpolates_in_pixel_space", "blank_release",
                    "record_hooks_left_when_the_call_raises", "bend_weights_not_restored_when_the_call_raises",
                    "bend_activation_hook_left_when_the_call_raises", "kernels_of_transposed_convolutions_reordered",
                    "keep_mask_reseeds_the_generator", "reconstruct_reseeds_the_generator",
                    "bend_weights_matches_anywhere", "listing_in_registration_order",
                    "bend_activation_records_gradients", "kernels_divided_by_zero", "kernels_normalised_in_place"):
        assert mistake in NAMES


FORGERIES = [name for name in NAMES if name.startswith("forgery_")]


def test_each_forgery_scores_exactly_its_honest_twin(graded):
    """A rebound probe module, an output that merely differs from the unbent one, a listing of the shipped model
    written out by hand: each earns exactly what the honest mistake beside it (its ``twin`` in expected.json) earns,
    and loses the same checks."""
    assert len(FORGERIES) >= 3
    for name in FORGERIES:
        twin = graded[expected(BENDING, name)["twin"]]
        lost = {c.name for c in graded[name].checks if c.score < c.max_score}
        assert graded[name].score == twin.score, name
        assert lost == {c.name for c in twin.checks if c.score < c.max_score}, name


def test_points_per_cell(graded):
    per_cell = {}
    for check in graded["passes_all"].checks:
        per_cell[check.cell] = per_cell.get(check.cell, 0) + check.max_score
    assert per_cell == {"bend_reconstruct": 1, "bend_record": 2, "bend_listing": 1, "bend_kernels": 1,
                        "bend_weight_ops": 2, "bend_weights": 3, "bend_activation_ops": 2, "bend_activation": 2,
                        "bend_interpolate": 2}


def test_feedback_never_shows_check_source(graded):
    source = "".join(p.read_text() for p in BENDING.checks_dir.glob("*.py"))
    code_lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 25}
    for result in graded.values():
        for check in result.checks:
            assert not any(line in check.message for line in code_lines), check.message


def test_grading_is_deterministic(grader, graded, config, tmp_path):
    folder = build_submission(BENDING.fixtures_dir / "hooks_not_removed", tmp_path / "again", config=config,
                              assignment=BENDING, inputs=lambda: grader.inputs)
    again = grader.grade(folder)
    first = graded["hooks_not_removed"]
    assert [(c.name, c.score, c.message) for c in again.checks] == [(c.name, c.score, c.message) for c in first.checks]
