"""The repository each student gets on GitHub Classroom: the released notebook, how to work on it, the pinned
packages, and the workflow that grades each push. Nothing of the grader goes in: it is fetched when grading."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.notebook import points

TEMPLATE = Path(__file__).resolve().parent / "template"
# template file -> its place in the student repository (stored under other names, so that this repository's own
# git and GitHub do not take them as theirs)
FILES = {"README.md": "README.md", "gitignore": ".gitignore", "classroom.yml": ".github/workflows/classroom.yml"}


def write_student_repo(*, out: Path, assignment: Assignment, config: Config = Config()) -> Path:
    """Write the student repository's files into ``out``, replacing earlier versions of them; anything else there
    (a .git folder, say, when ``out`` is the template repository's clone) is left as it is. The templates' words
    in capitals between @ signs are filled in for ``assignment``."""
    out = Path(out)
    settings, (auto, manual) = assignment.settings, points(assignment.solution_notebook)
    names = [f"`{name}`" for name in settings.weight_files]
    fill = {"@ASSIGNMENT@": assignment.id, "@RUNNER@": assignment.id.upper().replace("-", "_"),
            "@TITLE@": settings.title, "@NOTEBOOK@": f"{assignment.id}.ipynb",
            "@WEIGHT_FILE_NAMES@": ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names),
            "@AUTO_POINTS@": f"{auto:g}", "@MANUAL_POINTS@": f"{manual:g}"}
    copies = {assignment.release_notebook: assignment.release_notebook.name,
              config.root / "requirements.txt": "requirements.txt"}
    # files released beside the notebook (a trained model the students are given, say) go in too
    copies.update({path: path.name for path in sorted(assignment.release_notebook.parent.iterdir())
                   if path.is_file() and path != assignment.release_notebook})
    for source, place in copies.items():
        (out / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / place)
    for name, place in FILES.items():
        text = (TEMPLATE / name).read_text()
        for word, value in fill.items():
            text = text.replace(word, value)
        (out / place).parent.mkdir(parents=True, exist_ok=True)
        (out / place).write_text(text)
    return out
