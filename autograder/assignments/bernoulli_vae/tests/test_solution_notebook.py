"""The solution notebook runs end to end with quick settings and writes both weight files; so does the release
once its stubs are filled with the solution's cells."""

import nbformat
import torch

QUICK = {"dense_epochs": 1, "conv_epochs": 1, "max_batches": 2}


def run(notebook, workdir, config):
    import papermill

    papermill.execute_notebook(str(notebook), str(workdir / "executed.ipynb"),
                               parameters={"data_root": str(config.data_root), **QUICK}, cwd=str(workdir),
                               kernel_name="python3", progress_bar=False)


def test_release_filled_with_the_solution_runs_and_saves_both_state_dicts(config, assignment, tmp_path):
    solution = {c.metadata.nbgrader["grade_id"]: c.source
                for c in nbformat.read(assignment.solution_notebook, as_version=4).cells}
    released = nbformat.read(assignment.release_notebook, as_version=4)
    for cell in released.cells:
        if cell.metadata.nbgrader.get("solution"):
            cell.source = solution[cell.metadata.nbgrader["grade_id"]]
    nbformat.write(released, tmp_path / "filled.ipynb")
    run(tmp_path / "filled.ipynb", tmp_path, config)
    for name in assignment.settings.weight_files:
        state = torch.load(tmp_path / name, weights_only=True)
        assert isinstance(state, dict) and all(isinstance(t, torch.Tensor) for t in state.values())
