"""Example submissions built from the repository itself: the reference solution, the unfilled release, a class."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config


def build_examples(*, out_dir: Path, assignment: Assignment) -> list[Path]:
    """``reference/``: the solution notebook with the reference weights; ``blank/``: the released notebook alone."""
    reference, blank = Path(out_dir) / "reference", Path(out_dir) / "blank"
    Path(out_dir).mkdir(parents=True, exist_ok=True, mode=0o700)  # the solution and its weights: not for others
    for folder in (reference, blank):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    shutil.copy(assignment.solution_notebook, reference)
    for name in assignment.settings.weight_files:
        shutil.copy(assignment.reference_weights() / name, reference)
    shutil.copy(assignment.release_notebook, blank)
    return [reference, blank]


def build_class(*, out_dir: Path, size: int, assignment: Assignment, config: Config = Config()) -> dict[str, Path]:
    """``size`` submissions cycling through the assignment's ``class_mix`` fixtures (complete submissions, right
    and wrong), each named ``student<i>_<fixture>``."""
    from autograder.engine.fixtures import build_submission

    kinds = assignment.settings.class_mix
    built = {kind: build_submission(assignment.fixtures_dir / kind, Path(out_dir) / "_fixtures" / kind,
                                    config=config, assignment=assignment) for kind in kinds}
    submissions = {}
    for index in range(size):
        kind = kinds[index % len(kinds)]
        folder = Path(out_dir) / f"student{index:03d}_{kind}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(built[kind], folder)
        submissions[folder.name] = folder
    return submissions
