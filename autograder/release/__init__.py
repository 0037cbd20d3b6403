"""Generate the student notebooks from the solution notebooks with nbgrader."""

from __future__ import annotations

from pathlib import Path

from autograder.config import ROOT
from autograder.nbgrader_run import run_nbgrader


def release_assignment(*, assignment: str = "hw2", root: Path = ROOT) -> Path:
    """Run nbgrader's generate_assignment (configured by ``nbgrader_config.py``); returns the released folder."""
    run_nbgrader("generate_assignment", assignment, "--force", cwd=root)
    return Path(root) / "assignments" / assignment
