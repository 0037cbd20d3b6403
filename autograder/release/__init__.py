"""Generate the student notebooks from the solution notebooks with nbgrader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def release_assignment(*, assignment: str = "hw2", root: Path = ROOT) -> Path:
    """Run nbgrader's generate_assignment (configured by ``nbgrader_config.py``); returns the released folder."""
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--log-level=WARN"]
    # nbgrader runs the `alembic` executable of its environment, so that environment's bin/ goes first on PATH.
    # nbgrader_config.py names this package's preprocessor, so the package must import from any course folder.
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{result.stdout}{result.stderr}")
    return Path(root) / "assignments" / assignment
