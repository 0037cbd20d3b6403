"""Every assignment folder keeps the engine's contract, and the engine knows none of them by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.engine.assignment import AssignmentError, assignment_ids, infer, load
from autograder.engine.grade import Grader
from autograder.engine.notebook import cell_points, read_cells

IDS = assignment_ids()


@pytest.fixture(scope="module", params=IDS)
def graded_blank(request, config, tmp_path_factory):
    """Each assignment's unfilled release, graded: every check runs and reports its points."""
    assignment = load(request.param, config)
    folder = tmp_path_factory.mktemp(assignment.id)
    (folder / assignment.release_notebook.name).write_bytes(assignment.release_notebook.read_bytes())
    return assignment, Grader(config=config, assignment=assignment).grade(folder)


def test_the_checks_points_per_cell_are_the_notebooks(graded_blank):
    assignment, result = graded_blank
    per_cell: dict[str, float] = {}
    for check in result.checks:
        per_cell[check.cell] = per_cell.get(check.cell, 0) + check.max_score
    assert per_cell == cell_points(assignment.solution_notebook, "code")
    assert result.score == 0 and all(c.message for c in result.checks)


@pytest.mark.parametrize("assignment_id", IDS)
def test_settings_name_real_cells_and_files(assignment_id):
    assignment = load(assignment_id)
    settings = assignment.settings
    cells = {c["nbgrader"].get("grade_id") for c in read_cells(assignment.solution_notebook)}
    assert set(settings.definition_cells) <= cells
    for model in settings.models:
        assert model.cell in settings.definition_cells
        assert (assignment.reference_weights() / model.weight_file).is_file()
    assert {cell for cell, _ in settings.training_cells} <= cells


def test_the_engine_names_no_assignment_and_no_model(config):
    """What is specific to an assignment lives in its folder (comments may still use one as an example)."""
    names = set()
    for assignment_id in IDS:
        settings = load(assignment_id).settings
        names |= {assignment_id, settings.title, *(m.name for m in settings.models),
                  *(m.weight_file for m in settings.models)}
    engine = Path(config.root) / "autograder" / "engine"
    for path in [*engine.rglob("*.py"), *engine.rglob("*.yml"), *engine.rglob("*.sh"), engine.parent / "cli.py"]:
        code = "\n".join(line.split("#")[0] for line in path.read_text().splitlines())
        code = re.sub(r'"""(.|\n)*?"""', "", code)  # docstrings: prose, may give an example
        for name in names:
            assert not re.search(rf"\b{re.escape(name)}\b", code), f"{path.relative_to(config.root)} names {name!r}"


def test_an_assignment_is_inferred_from_a_renamed_notebook_by_its_cells(assignment, tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "my homework.ipynb").write_bytes(assignment.release_notebook.read_bytes())
    found, how = infer([tmp_path / "alice"])
    assert found == assignment and "inferred" in how


def test_an_unknown_assignment_lists_the_known_ones():
    with pytest.raises(AssignmentError, match=f"the assignments are {', '.join(IDS)}"):
        load("hw99")
