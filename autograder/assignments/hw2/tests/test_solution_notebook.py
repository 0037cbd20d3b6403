"""The solution notebook runs end to end (quick settings), and so does the release once its stubs are filled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch

# A run of the notebook small enough for the test suite: one epoch of two batches per model.
QUICK = {"lenet_epochs": 1, "ae_epochs": 1, "vae_epochs": 1, "max_batches": 2}


def execute_notebook(notebook, workdir, config, **parameters):
    """Run ``notebook`` with papermill in ``workdir`` (the quick settings unless overridden); returns the output."""
    import papermill

    output = workdir / "executed.ipynb"
    papermill.execute_notebook(
        str(notebook), str(output), parameters={"data_root": str(config.data_root), **QUICK, **parameters},
        cwd=str(workdir), kernel_name="python3", progress_bar=False,
    )
    return output


@pytest.fixture(scope="session")
def quick_run(config, assignment, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("solution_run")
    return workdir, execute_notebook(assignment.solution_notebook, workdir, config)


def test_solution_runs_and_saves_three_weight_files(quick_run, assignment):
    workdir, _ = quick_run
    for name in assignment.settings.weight_files:
        state = torch.load(workdir / name, weights_only=True)
        assert isinstance(state, dict) and all(isinstance(t, torch.Tensor) for t in state.values())


def test_solution_cells_all_carry_unique_nbgrader_ids(assignment):
    nb = nbformat.read(assignment.solution_notebook, as_version=4)
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells]
    assert len(ids) == len(set(ids))
    assert set(assignment.settings.definition_cells) <= set(ids)
    for cell in nb.cells:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] != meta["solution"], meta["grade_id"]
        assert ("points" in meta) == meta["grade"], meta["grade_id"]


def test_released_notebook_runs_once_filled_with_the_solution(config, assignment, tmp_path):
    solution = {c.metadata.nbgrader["grade_id"]: c.source
                for c in nbformat.read(assignment.solution_notebook, as_version=4).cells}
    released = nbformat.read(assignment.release_notebook, as_version=4)
    for cell in released.cells:
        if cell.cell_type == "code" and cell.metadata.nbgrader.get("solution"):
            cell.source = solution[cell.metadata.nbgrader["grade_id"]]
    filled = tmp_path / "filled.ipynb"
    nbformat.write(released, filled)
    execute_notebook(filled, tmp_path, config)
    assert all((tmp_path / name).is_file() for name in assignment.settings.weight_files)


def test_nbgrader_validate_lists_the_unanswered_cells(assignment, tmp_path):
    shutil.copy(assignment.release_notebook, tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", "validate", assignment.release_notebook.name],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    report = result.stdout + result.stderr
    assert "VALIDATION FAILED" in report
    for stub in ("transform = ### YOUR CODE HERE ###", "model = ### YOUR CODE HERE ###",
                 "vae_model = ### YOUR CODE HERE ###", "You did not provide a response"):
        assert stub in report


def test_a_reference_run_of_one_model_replaces_only_its_file(config, assignment, tmp_path, monkeypatch):
    """`make reference MODEL=ae`: the AE trains, the other models do not, and their earlier files stay."""
    from autograder.engine.assignment import Assignment
    from autograder.engine.reference import train_reference

    monkeypatch.setattr(Assignment, "reference_weights", lambda self, seed=None: tmp_path / f"seed{seed}")
    earlier = tmp_path / "seed7"
    shutil.copytree(assignment.reference_dir / "seed0", earlier)
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}
    train_reference(assignment=assignment, config=config, seed=7, models=("ae",), ae_epochs=1, max_batches=2)
    after = {p.name: p.read_bytes() for p in earlier.iterdir()}
    assert after["mnist_ae_weights.pth"] != before["mnist_ae_weights.pth"]
    assert {k: v for k, v in after.items() if k not in ("mnist_ae_weights.pth", "training_log.txt")} == \
        {k: v for k, v in before.items() if k not in ("mnist_ae_weights.pth", "training_log.txt")}
    log = after["training_log.txt"].decode()
    assert log.count("[ae_train]\nepoch 0:") == 1 and "epoch 1:" not in log.split("[ae_train]")[1].split("[")[0]
    assert log.split("[lenet_train]")[1].split("[")[0] == before["training_log.txt"].decode().split(
        "[lenet_train]")[1].split("[")[0]
