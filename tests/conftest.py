from __future__ import annotations

import pytest

from autograder.config import Config

# A run of the notebook small enough for the test suite: one epoch of two batches per model.
QUICK = {"lenet_epochs": 1, "ae_epochs": 1, "vae_epochs": 1, "max_batches": 2}


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


def execute_notebook(notebook, workdir, config: Config, **parameters):
    """Run ``notebook`` with papermill in ``workdir`` (the quick settings unless overridden); returns the output."""
    import papermill

    output = workdir / "executed.ipynb"
    papermill.execute_notebook(
        str(notebook), str(output), parameters={"data_root": str(config.data_root), **QUICK, **parameters},
        cwd=str(workdir), kernel_name="python3", progress_bar=False,
    )
    return output
