"""The solution notebook's markup, the student notebook's stubs, and a quick run of the release filled with the
solution (two batches, a few embedded points)."""

import re

import nbformat
import pytest
import torch

STUB = "### YOUR CODE HERE ###"
EXPECTED_STUBS = {
    "mnist_loaders": [f"{name} = {STUB}" for name in ("transform", "train_loader", "test_loader")],
    "cnn_model": [f"{name} = {STUB}" for name in ("model", "optimizer")],
    "net2": [f"self.{name} = {STUB}" for name in ("conv1", "conv2", "fc1", "fc2")]
            + [f"h{i} = {STUB}" for i in range(1, 7)],
    "embedding": [f"rows = {STUB}", f"embedding = {STUB}"],
    "plot": [STUB],
}


@pytest.fixture(scope="session")
def solution(assignment):
    return nbformat.read(assignment.solution_notebook, as_version=4)


@pytest.fixture(scope="session")
def released(assignment):
    return nbformat.read(assignment.release_notebook, as_version=4)


def by_id(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells}


def test_cells_carry_unique_ids_and_consistent_markup(assignment, solution):
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in solution.cells]
    assert len(ids) == len(set(ids))
    assert set(assignment.settings.definition_cells) <= set(ids)
    for cell in solution.cells:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] != meta["solution"], meta["grade_id"]
        assert ("points" in meta) == meta["grade"], meta["grade_id"]
    assert "parameters" in by_id(solution)["parameters"].metadata.get("tags", [])
    assert sum(c.metadata.nbgrader.get("points", 0) for c in solution.cells) == 15


def test_stubs_are_where_students_write(released):
    cells = by_id(released)
    for grade_id, lines in EXPECTED_STUBS.items():
        assert [line.strip() for line in cells[grade_id].source.splitlines() if STUB in line] == lines, grade_id
    assert cells["depth_answer"].source == "YOUR ANSWER HERE"


def test_no_solution_line_reaches_the_release(solution, released):
    secret, given = set(), set()
    for cell in solution.cells:
        if cell.metadata.nbgrader.get("locked") and not cell.metadata.nbgrader["grade_id"].startswith("check_"):  # checks are no given code
            given |= {line.strip() for line in cell.source.splitlines()}
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
            secret |= {line.strip() for line in region.splitlines() if len(line.strip()) > 3}
    text = nbformat.writes(released)
    leaked = sorted(line for line in secret if line in text and not any(line in g for g in given))
    assert not leaked
    assert "BEGIN SOLUTION" not in text and "TSNE(n_components=2" not in text


def test_released_notebook_runs_once_filled_with_the_solution(config, assignment, solution, released, tmp_path):
    import papermill

    code = {c.metadata.nbgrader["grade_id"]: c.source for c in solution.cells}
    for cell in released.cells:
        if cell.cell_type == "code" and cell.metadata.nbgrader.get("solution"):
            cell.source = code[cell.metadata.nbgrader["grade_id"]]
    filled = tmp_path / "filled.ipynb"
    nbformat.write(released, filled)
    papermill.execute_notebook(str(filled), str(tmp_path / "executed.ipynb"), cwd=str(tmp_path),
                               parameters={"data_root": str(config.data_root), "max_batches": 2, "n_embed": 40},
                               kernel_name="python3", progress_bar=False)
    state = torch.load(tmp_path / "mnist_cnn.pt", weights_only=True)
    assert sorted(state) == ["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight", "fc1.bias", "fc1.weight",
                             "fc2.bias", "fc2.weight"]
