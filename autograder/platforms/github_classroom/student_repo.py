"""The repository each student gets on GitHub Classroom: the released notebook, how to work on it, the pinned
packages, and the workflow that grades each push. Nothing of the grader goes in: it is fetched when grading."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.config import Config

TEMPLATE = Path(__file__).resolve().parent / "template"
# template file -> its place in the student repository (stored under other names, so that this repository's own
# git and GitHub do not take them as theirs)
FILES = {"README.md": "README.md", "gitignore": ".gitignore", "classroom.yml": ".github/workflows/classroom.yml"}


def write_student_repo(*, out: Path, config: Config = Config()) -> Path:
    """Write the student repository's files into ``out``, replacing earlier versions of them; anything else there
    (a .git folder, say, when ``out`` is the template repository's clone) is left as it is."""
    out = Path(out)
    copies = {config.release_notebook: config.release_notebook.name, config.root / "requirements.txt": "requirements.txt"}
    copies |= {TEMPLATE / name: place for name, place in FILES.items()}
    for source, place in copies.items():
        (out / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / place)
    return out
