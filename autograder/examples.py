"""Example submissions built from the repository itself: the reference solution and the unfilled release."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.config import Config


def build_examples(*, out_dir: Path, config: Config = Config()) -> list[Path]:
    """``reference/``: the solution notebook with the reference weights; ``blank/``: the released notebook alone."""
    reference, blank = Path(out_dir) / "reference", Path(out_dir) / "blank"
    for folder in (reference, blank):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    shutil.copy(config.solution_notebook, reference)
    for name in config.weight_files:
        shutil.copy(config.reference_weights() / name, reference)
    shutil.copy(config.release_notebook, blank)
    return [reference, blank]
