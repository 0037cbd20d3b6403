"""The student notebook: stubs in every solution cell, no solution line leaked, points as stated."""

import re

import nbformat
import pytest

STUB = "### YOUR CODE HERE ###"


@pytest.fixture(scope="session")
def released(assignment):
    return nbformat.read(assignment.release_notebook, as_version=4)


def test_every_solution_cell_is_stubbed(assignment, released):
    for cell in released.cells:
        meta = cell.metadata.nbgrader
        if meta.get("solution"):
            assert STUB in cell.source or cell.source == "YOUR ANSWER HERE", meta["grade_id"]


def test_no_solution_line_reaches_the_release(assignment, released):
    solution = nbformat.read(assignment.solution_notebook, as_version=4)
    secret, given = set(), set()
    for cell in solution.cells:
        if cell.metadata.nbgrader.get("locked") and not cell.metadata.nbgrader["grade_id"].startswith("check_"):  # checks are no given code
            given |= {line.strip() for line in cell.source.splitlines()}
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
            secret |= {line.strip() for line in region.splitlines() if len(line.strip()) > 3}
    text = nbformat.writes(released)
    leaked = sorted(line for line in secret if line in text and not any(line in g for g in given))
    assert not leaked
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "104 / 45", "nn.Linear(256, 128)", "torch.randn_like(sigma)\n"):
        assert marker not in text


def test_points_total_twenty_with_two_written_answers(assignment):
    solution = nbformat.read(assignment.solution_notebook, as_version=4)
    code = sum(c.metadata.nbgrader.get("points", 0) for c in solution.cells if c.cell_type == "code")
    written = sum(c.metadata.nbgrader.get("points", 0) for c in solution.cells if c.cell_type == "markdown")
    assert (code, written) == (18, 2)


def test_cells_carry_unique_ids_and_consistent_flags(assignment):
    nb = nbformat.read(assignment.solution_notebook, as_version=4)
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells]
    assert len(ids) == len(set(ids)) and set(assignment.settings.definition_cells) <= set(ids)
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] != meta["solution"], meta["grade_id"]
        assert ("points" in meta) == meta["grade"], meta["grade_id"]
