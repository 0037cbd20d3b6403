"""Adding an assignment is adding a folder: README.md's "Adding an assignment", followed for a throw-away one.

The assignment ``tiny`` (one graded function, one check) is written into a temporary course, released with
nbgrader and graded by the unchanged engine: the solution gets full marks, the release and a wrong answer none.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.cli import main
from autograder.engine.assignment import AssignmentError, assignment_ids, infer, load
from autograder.engine.config import Config
from autograder.engine.grade import grade_submissions
from autograder.engine.release import release_all

SETTINGS = '''
    """A throw-away assignment: one function to write."""

    from dataclasses import dataclass

    from autograder.engine.assignment import AssignmentSettings
    from autograder.engine.config import setting


    @dataclass(frozen=True)
    class Settings(AssignmentSettings):
        id: str = setting("tiny", "nbgrader assignment id.")
        title: str = setting("Tiny", "Name shown to students.")
        definition_cells: tuple = setting(("imports", "square"), "Cells that only define things.")


    SETTINGS = Settings()
'''
PROBES = '''
    """What the student's process is asked: square() on three numbers."""


    def _square(ns, inputs, _):
        return {"values": [ns["square"](x) for x in (2, 3, -4)]}


    PLAN = [("square", _square, False)]
'''
CHECK = '''
    from autograder.engine.grade.checks import expect, points


    @points(1, "square", "square: squares its argument")
    def test_square(student, reference):
        found = student.probe("square", "square", "calling square")["values"]
        expected = reference.probe("square", "square", "calling square")["values"]
        expect(found == expected, f"square(2), square(3), square(-4) gave {found}, expected {expected}")
'''


def nbgrader(grade_id: str, **flags) -> dict:
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "locked": not flags.get("solution", False),
                         "solution": False, "grade": False, **flags}}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


@pytest.fixture(scope="module")
def course(tmp_path_factory, config) -> Config:
    """The course root (solutions/, nbgrader_config.py) and the grading folders, as the README says to write them."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(config.root / "nbgrader_config.py", root)
    solution = new_notebook(cells=[
        new_markdown_cell("# Tiny\nWrite `square(x)`.", metadata=nbgrader("intro")),
        new_code_cell("import math", metadata=nbgrader("imports")),
        new_code_cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
                      metadata=nbgrader("square", solution=True, grade=True, points=1)),
    ])
    solution.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (root / "solutions" / "tiny").mkdir(parents=True)
    nbformat.write(solution, root / "solutions" / "tiny" / "tiny.ipynb")
    grading = root / "grading"
    write(grading / "tiny" / "__init__.py", SETTINGS)
    write(grading / "tiny" / "probes.py", PROBES)
    write(grading / "tiny" / "checks" / "__init__.py", "")
    write(grading / "tiny" / "checks" / "test_square.py", CHECK)
    return Config(root=root, assignments_dir=grading, cache_dir=root / ".cache", default_assignment="tiny")


@pytest.fixture(scope="module")
def released(course) -> Path:
    [folder] = release_all(config=course)
    return folder / "tiny.ipynb"


def submission(folder: Path, notebook: Path, body: str | None = None) -> Path:
    folder.mkdir()
    nb = nbformat.read(notebook, as_version=4)
    if body is not None:
        nb.cells[2].source = f"def square(x):\n    {body}"
    nbformat.write(nb, folder / "tiny.ipynb")
    return folder


def test_the_folder_is_found_and_released_with_a_stub(course, released):
    assert assignment_ids(course) == ["tiny"]
    assert "### YOUR CODE HERE ###" in released.read_text() and "x * x" not in released.read_text()


def test_the_unchanged_engine_grades_it(course, released, tmp_path):
    tiny = load("tiny", course)
    folders = {"right": submission(tmp_path / "right", tiny.solution_notebook),
               "blank": submission(tmp_path / "blank", released),
               "wrong": submission(tmp_path / "wrong", released, "return 2 * x")}
    results = {r.submission: r for r in grade_submissions(submissions=folders, out_dir=tmp_path / "out",
                                                          assignment=tiny, config=course)}
    assert {name: (r.score, r.max_score) for name, r in results.items()} == {
        "right": (1, 1), "blank": (0, 1), "wrong": (0, 1)}
    assert "gave [4, 6, -8], expected [4, 9, 16]" in results["wrong"].checks[0].message
    assert infer(list(folders.values()), config=course)[0] == tiny
    assert "# Tiny feedback: wrong" in (tmp_path / "out" / "wrong" / "feedback.md").read_text()


def test_the_command_line_lists_it_and_refuses_an_unknown_id(course, capsys):
    assert main(["list"], config=course) == 0
    assert "tiny" in capsys.readouterr().out
    assert main(["config", "--assignment", "nope"], config=course) == 2
    assert "no assignment 'nope': the assignments are tiny" in capsys.readouterr().err
    with pytest.raises(AssignmentError):
        load("nope", course)
