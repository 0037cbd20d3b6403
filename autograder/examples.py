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


KINDS = ("reference", "blank", "lenet_wrong_kernel", "vae_weights_missing")  # a class's usual mix


def build_class(*, out_dir: Path, size: int, config: Config = Config()) -> dict[str, Path]:
    """``size`` submissions cycling through ``KINDS``: right, empty, a wrong layer, a missing file."""
    import json

    examples = dict(zip(("reference", "blank"), build_examples(out_dir=Path(out_dir) / "_examples", config=config)))
    notebook = json.loads(config.solution_notebook.read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "lenet":
            cell["source"] = "".join(cell["source"]).replace("Conv2d(1, 6, kernel_size=5", "Conv2d(1, 6, kernel_size=3")
    submissions = {}
    for index in range(size):
        kind = KINDS[index % len(KINDS)]
        folder = Path(out_dir) / f"student{index:03d}_{kind}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(examples["blank" if kind == "blank" else "reference"], folder)
        if kind == "lenet_wrong_kernel":
            (folder / f"{config.assignment}.ipynb").write_text(json.dumps(notebook))
        elif kind == "vae_weights_missing":
            (folder / "mnist_vae_weights.pth").unlink()
        submissions[folder.name] = folder
    return submissions
