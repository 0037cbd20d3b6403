"""Run an nbgrader command in a course directory with this repository's package importable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autograder.engine.config import ROOT


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds its log."""


def run_nbgrader(*args: str, cwd: Path) -> str:
    """``nbgrader ARGS`` run in ``cwd``, where it finds the course's nbgrader_config.py; returns its log."""
    # nbgrader runs the `alembic` executable of its environment, so that environment's bin/ goes first on PATH.
    # Course configs name this package's classes (release preprocessor, gradebook recorder): it must import anywhere.
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=cwd,
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise NbgraderError(f"nbgrader {' '.join(args[:2])} failed in {cwd}:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr
