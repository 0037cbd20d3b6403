"""Releasing with nbgrader: every assignment's committed release is up to date and reproducible, without outputs,
and the preprocessor that clears solutions keeps what the student should see."""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config as TraitletsConfig

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.release import release_all
from autograder.engine.release.clear_solutions import ClearSolutionsInPlace

STUB = "### YOUR CODE HERE ###"


@pytest.fixture(scope="session")
def fresh_releases(config, tmp_path_factory):
    """Every assignment released twice from the committed sources in a scratch copy of the course directory."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(config.root / "solutions", root / "solutions")
    shutil.copy(config.root / "nbgrader_config.py", root)
    scratch = type(config)(root=root, assignments_dir=config.assignments_dir)
    first = {folder.name: (folder / f"{folder.name}.ipynb").read_bytes() for folder in release_all(config=scratch)}
    second = {folder.name: (folder / f"{folder.name}.ipynb").read_bytes() for folder in release_all(config=scratch)}
    return first, second


def test_every_assignment_is_released_reproducibly_and_up_to_date(fresh_releases, config):
    first, second = fresh_releases
    assert sorted(first) == assignment_ids(config)
    assert first == second
    for assignment_id, released in first.items():
        assert load(assignment_id, config).release_notebook.read_bytes() == released, \
            f"run `make release` and commit assignments/{assignment_id}/"


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_releases_have_no_outputs_and_keep_points(assignment_id):
    assignment = load(assignment_id)
    solution_points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("points")
                       for c in nbformat.read(assignment.solution_notebook, as_version=4).cells}
    for cell in nbformat.read(assignment.release_notebook, as_version=4).cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        assert cell.metadata.nbgrader.get("points") == solution_points[cell.metadata.nbgrader["grade_id"]]


def clear(source: str) -> str:
    nb = new_notebook(cells=[new_code_cell(source, metadata={"nbgrader": {
        "grade_id": "x", "solution": True, "grade": False, "locked": False, "schema_version": 3}})])
    nb.metadata["kernelspec"] = {"language": "python", "name": "python3", "display_name": "Python 3"}
    c = TraitletsConfig()
    c.ClearSolutions.code_stub = {"python": STUB}
    nb, _ = ClearSolutionsInPlace(config=c).preprocess(nb, {})
    return nb.cells[0].source


def test_assignments_keep_their_target_and_other_statements_become_one_stub():
    source = "x = 1\n    ### BEGIN SOLUTION\n    y = f(\n        2)\n    print(y)\n    z()\n    ### END SOLUTION"
    assert clear(source) == f"x = 1\n    y = {STUB}\n    {STUB}"


def test_blanked_line_keeps_stride_and_non_literals():
    assert clear("a = nn.Conv2d(1, 6, kernel_size=5, stride=1, bias=flag)  ### BLANKS") == \
        "a = nn.Conv2d(_, _, kernel_size=_, stride=1, bias=flag)"


def test_unterminated_region_is_an_error():
    with pytest.raises(RuntimeError, match="no end solution"):
        clear("### BEGIN SOLUTION\nx = 1")
