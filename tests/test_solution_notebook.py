"""The solution notebook runs end to end (quick settings), and so does the release once its stubs are filled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch

from conftest import execute_notebook


@pytest.fixture(scope="session")
def quick_run(config, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("solution_run")
    return workdir, execute_notebook(config.solution_notebook, workdir, config)


def test_solution_runs_and_saves_three_weight_files(quick_run, config):
    workdir, _ = quick_run
    for name in config.weight_files:
        state = torch.load(workdir / name, weights_only=True)
        assert isinstance(state, dict) and all(isinstance(t, torch.Tensor) for t in state.values())


def test_solution_cells_all_carry_unique_nbgrader_ids(config):
    nb = nbformat.read(config.solution_notebook, as_version=4)
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells]
    assert len(ids) == len(set(ids))
    assert set(config.definition_cells) <= set(ids)
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] != meta["solution"], meta["grade_id"]
        assert ("points" in meta) == meta["grade"], meta["grade_id"]


def test_released_notebook_runs_once_filled_with_the_solution(config, tmp_path):
    solution = {c.metadata.nbgrader["grade_id"]: c.source
                for c in nbformat.read(config.solution_notebook, as_version=4).cells}
    released = nbformat.read(config.release_notebook, as_version=4)
    for cell in released.cells:
        if cell.cell_type == "code" and cell.metadata.nbgrader.get("solution"):
            cell.source = solution[cell.metadata.nbgrader["grade_id"]]
    filled = tmp_path / "filled.ipynb"
    nbformat.write(released, filled)
    execute_notebook(filled, tmp_path, config)
    assert all((tmp_path / name).is_file() for name in config.weight_files)


def test_nbgrader_validate_lists_the_unanswered_cells(config, tmp_path):
    shutil.copy(config.release_notebook, tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", "validate", config.release_notebook.name],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    report = result.stdout + result.stderr
    assert "VALIDATION FAILED" in report
    for stub in ("transform = ### YOUR CODE HERE ###", "model = ### YOUR CODE HERE ###",
                 "vae_model = ### YOUR CODE HERE ###", "You did not provide a response"):
        assert stub in report
