"""Classroom 50 autograder of @TITLE@ (@ASSIGNMENT@), written by `python -m autograder classroom50`.

Classroom 50's runner runs this once per submission, in the student's checkout. It fetches the course's grader
(the git repository below) into a cache folder, installs its pinned environment and MNIST there unless the cache
already holds them, grades the checkout, and leaves result.json, release-body.md and feedback.html beside the
student's files. The cache is COURSE_GRADER_CACHE, else ~/.cache/course-grader: on a self-hosted runner it lasts
from one submission to the next, on GitHub's hosted runners each job starts without it. A private grader
repository is read with the token in GRADER_TOKEN, when the runner's environment has one.
Standard library only: it runs before the grader's environment exists.
"""

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ASSIGNMENT = "@ASSIGNMENT@"
GRADER_URL = "@GRADER_URL@"
GRADER_REF = "@GRADER_REF@"


def run(*command, **options):
    print("+", " ".join(map(str, command)), flush=True)
    subprocess.run([str(part) for part in command], check=True, **options)


def fetch_grader(cache: Path) -> Path:
    """The grader at GRADER_REF in ``cache``/grader, its environment and MNIST installed. A cached checkout is
    updated in place: git rewrites only the files that changed, so make reinstalls the environment only when
    requirements.txt changed."""
    grader = cache / "grader"
    grader.mkdir(parents=True, exist_ok=True)
    token = os.environ.get("GRADER_TOKEN")
    # the token goes in a header of this one command, never into a URL or the checkout's git config
    auth = ["-c", "http.extraHeader=Authorization: Basic "
            + base64.b64encode(f"x-access-token:{token}".encode()).decode()] if token else []
    if not (grader / ".git").is_dir():
        run("git", "init", "--quiet", grader)
    run("git", *auth, "-C", grader, "fetch", "--quiet", "--depth", "1", GRADER_URL, GRADER_REF)
    run("git", "-C", grader, "checkout", "--quiet", "--force", "FETCH_HEAD")
    run("make", "-C", grader, "install", "data")
    return grader


def main() -> int:
    cache = Path(os.environ.get("COURSE_GRADER_CACHE") or Path.home() / ".cache" / "course-grader")
    grader = fetch_grader(cache)
    out = Path(os.environ.get("RUNNER_TEMP") or tempfile.mkdtemp()) / "grades"
    # from the grader's folder, so that `-m autograder` is the grader's package, never one in the checkout
    done = subprocess.run([str(grader / ".venv" / "bin" / "python"), "-m", "autograder", "ci-report",
                           "--assignment", ASSIGNMENT, "--platform", "classroom50", "--submission", os.getcwd(),
                           "--out", str(out)], cwd=grader)
    return done.returncode  # not 0: the grader itself failed, and the runner records an error


if __name__ == "__main__":
    sys.exit(main())
