"""Generate the student notebooks from the solution notebooks with nbgrader."""

from __future__ import annotations

from pathlib import Path

from autograder.engine.assignment import assignment_ids
from autograder.engine.config import Config
from autograder.engine.nbgrader_run import run_nbgrader


def release_assignment(*, assignment_id: str, root: Path = Config().root) -> Path:
    """Run nbgrader's generate_assignment (configured by ``ROOT/nbgrader_config.py``); returns the released folder."""
    run_nbgrader("generate_assignment", assignment_id, "--force", cwd=root)
    return Path(root) / "assignments" / assignment_id


def release_all(*, config: Config = Config()) -> list[Path]:
    """Every assignment that has a grading folder and a solution notebook, released."""
    return [release_assignment(assignment_id=i, root=config.root) for i in assignment_ids(config)
            if (Path(config.root) / "solutions" / i / f"{i}.ipynb").is_file()]
