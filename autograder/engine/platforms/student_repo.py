"""The repository each student gets: the released notebook, how to work on it, the pinned packages, and the CI
file that grades each push (a GitHub Actions workflow, GitLab CI's .gitlab-ci.yml, or the legacy GitHub
Classroom workflow). Nothing of the grader goes in: it is fetched when grading."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.notebook import points

TEMPLATE = Path(__file__).resolve().parent / "templates"
FILES = {"README.md": "README.md", "gitignore": ".gitignore"}
# platform -> its CI file: template name -> place in the student repository (templates are stored under other
# names, so that this repository's own git, GitHub and GitLab do not take them as theirs), and what the student
# must leave alone
PLATFORMS = {
    "github": ({"grade.yml": ".github/workflows/grade.yml"}, "`.github/`"),
    "gitlab": ({"gitlab-ci.yml": ".gitlab-ci.yml"}, "`.gitlab-ci.yml`"),
    "github-classroom": ({"classroom.yml": ".github/workflows/classroom.yml"}, "`.github/`"),  # legacy
}


def write_student_repo(*, out: Path, assignment: Assignment, config: Config = Config(),
                       platform: str = "github") -> Path:
    """Write the student repository's files for ``platform`` (one of PLATFORMS) into ``out``, replacing earlier
    versions of them; anything else there (a .git folder, say, when ``out`` is the template repository's clone)
    is left as it is. The templates' words in capitals between @ signs are filled in for ``assignment``."""
    if platform not in PLATFORMS:
        raise ValueError(f"no student repository for the platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
    out = Path(out)
    ci_files, protected = PLATFORMS[platform]
    settings, (auto, manual) = assignment.settings, points(assignment.solution_notebook)
    names = [f"`{name}`" for name in settings.weight_files]
    fill = {"@ASSIGNMENT@": assignment.id, "@RUNNER@": assignment.id.upper().replace("-", "_"),
            "@TITLE@": settings.title, "@NOTEBOOK@": f"{assignment.id}.ipynb",
            "@WEIGHT_FILE_NAMES@": ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names),
            "@AUTO_POINTS@": f"{auto:g}", "@MANUAL_POINTS@": f"{manual:g}",
            "@HOW_TO_SEE@": (TEMPLATE / f"how-{platform}.md").read_text(), "@CI_FILE@": next(iter(ci_files.values())),
            "@CI_FOLDER@": protected}
    copies = {assignment.release_notebook: assignment.release_notebook.name,
              config.root / "requirements.txt": "requirements.txt"}
    # files released beside the notebook (a trained model the students are given, say) go in too
    copies.update({path: path.name for path in sorted(assignment.release_notebook.parent.iterdir())
                   if path.is_file() and path != assignment.release_notebook})
    for source, place in copies.items():
        (out / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / place)
    for name, place in {**FILES, **ci_files}.items():
        text = (TEMPLATE / name).read_text()
        for word, value in fill.items():
            text = text.replace(word, value)
        (out / place).parent.mkdir(parents=True, exist_ok=True)
        (out / place).write_text(text)
    return out
