"""Classroom 50 (foundation50/classroom50): the files of ``autograders/<slug>/`` in a classroom's config
repository, and the ``result.json`` its runner reads after grading a submission.

The contract is the wiki page "Advanced Autograding" (the repository's wiki/Advanced-Autograding.md: what the
runner provides, the ``result.json`` fields, the ``runtime`` block, ``release_assets``) and, for the exact rules,
its ``schemas/result-v1.schema.json`` and ``runner.py::validate_result``. The points are whole numbers there, so
an assignment whose checks are worth quarter points is counted in quarters (``point_scale``)."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from pathlib import Path
from typing import Mapping

from autograder.engine.assignment import Assignment
from autograder.engine.platforms.ci import status

RESULT_SCHEMA = "classroom50/result/v1"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "classroom50_autograder.py"
# the files the autograder leaves in the student's checkout, where the runner looks for them; feedback.html
# reaches the submission's Release when the assignment lists it in ``release_assets``
RESULT, RELEASE_BODY, PAGE = "result.json", "release-body.md", "feedback.html"
# what the runner sets for the autograder (the wiki's "Contract"), by the result field each one fills
IDENTITY = {"classroom": "CLASSROOM", "assignment": "ASSIGNMENT", "submission": "SUBMISSION_TAG",
            "commit": "COMMIT_URL", "release": "RELEASE_URL"}
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # the schema's pattern for datetime and graded_at


class Classroom50Error(Exception):
    pass


def point_scale(checks) -> int:
    """The smallest whole number that makes every check's points whole (4 for quarter points)."""
    for scale in range(1, 1001):
        if all(abs(c.max_score * scale - round(c.max_score * scale)) < 1e-9 for c in checks):
            return scale
    raise Classroom50Error(f"the checks' points ({sorted({c.max_score for c in checks})}) have no common "
                           "denominator up to 1000; Classroom 50 counts whole points only")


def commit_time(checkout: Path) -> datetime.datetime:
    """The committer date of the commit checked out (the contract's ``datetime``: the submission instant, the
    same on every regrade); now, when the folder holds no git history."""
    # safe.directory: in a container the checkout belongs to another user, and git would refuse to read it
    done = subprocess.run(["git", "-c", "safe.directory=*", "-C", str(checkout), "log", "-1", "--format=%ct"],
                          capture_output=True, text=True)
    if done.returncode == 0 and done.stdout.strip():
        return datetime.datetime.fromtimestamp(int(done.stdout), datetime.timezone.utc)
    return datetime.datetime.now(datetime.timezone.utc)


def classroom50_result(result, *, env: Mapping[str, str], submitted: datetime.datetime,
                       graded_at: datetime.datetime) -> dict:
    """``result.json`` for the runner: each check a test with whole points (see ``point_scale``), its real
    points, cell and message beside them (a test's extra fields are kept verbatim); an ungraded submission has
    no tests and 0 of 0, the runner's own shape for an error."""
    missing = [name for name in (*IDENTITY.values(), "OWNER") if not env.get(name)
               and not (name == "OWNER" and env.get("USERNAME"))]
    if missing:
        raise Classroom50Error(f"{', '.join(missing)} not set: this runs in Classroom 50's runner, which sets them "
                               "(to try it elsewhere, set them by hand)")
    checks = result.checks if result.graded else []
    scale = point_scale(checks)
    tests = [{"test-name": check.title, "passed": check.score == check.max_score,
              "score": round(check.score * scale), "max-score": round(check.max_score * scale),
              "points": check.score, "max_points": check.max_score, "cell": check.cell, "message": check.message}
             for check in checks]
    document = {"schema": RESULT_SCHEMA, **{field: env[name] for field, name in IDENTITY.items()},
                "assignment_type": env.get("ASSIGNMENT_TYPE") or "individual",
                "owner": env.get("OWNER") or env["USERNAME"],
                "review": env.get("REVIEW_URL") or env["COMMIT_URL"],
                "datetime": submitted.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT),
                "graded_at": graded_at.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT),
                "score": sum(t["score"] for t in tests), "max-score": sum(t["max-score"] for t in tests),
                "tests": tests}
    if env.get("GITHUB_ACTOR"):
        actor_id = env.get("GITHUB_ACTOR_ID", "")
        document["submitted_by"] = {"username": env["GITHUB_ACTOR"], "id": int(actor_id) if actor_id.isdigit() else None}
    return document


def release_body(result, feedback: str, *, scale: int) -> str:
    """The Release's text: the feedback page in Markdown, where feedback.html is, and the unit of the score."""
    lines = [feedback.rstrip(), "",
             f"**The same feedback as a page, with pictures of your models under the checks they explain**, is "
             f"`{PAGE}` among this Release's assets: download it and open it in a browser (it works offline)."]
    if scale > 1 and result.graded:
        lines += ["", f"Classroom 50 counts whole points, so the course's scores show there in 1/{scale} points: "
                      f"{result.max_score * scale:g} of them make the {result.max_score:g} points above."]
    return "\n".join(lines) + "\n"


def write_submission_files(*, result, feedback: str, checkout: Path, out: Path, env: Mapping[str, str],
                           outputs: Path | None = None) -> dict:
    """Write result.json, release-body.md and feedback.html into the student's ``checkout`` (the runner's working
    directory), and the commit status's ``status=`` and ``summary=`` into ``outputs`` ($GITHUB_OUTPUT): the
    runner would make an ungraded submission's 0 of 0 a success. Returns the result.json document."""
    checkout = Path(checkout)
    document = classroom50_result(result, env=env, submitted=commit_time(checkout),
                                  graded_at=datetime.datetime.now(datetime.timezone.utc))
    (checkout / RESULT).write_text(json.dumps(document, indent=2) + "\n")
    scale = point_scale(result.checks) if result.graded else 1
    (checkout / RELEASE_BODY).write_text(release_body(result, feedback, scale=scale))
    page = Path(out) / result.submission / PAGE
    if page.is_file():
        shutil.copyfile(page, checkout / PAGE)
    if outputs:
        state = status(result)
        with open(outputs, "a") as handle:
            handle.write(f"status={state['state']}\nsummary={' '.join(state['description'].split())}\n")
    return document


def write_autograder(*, out: Path, assignment: Assignment, grader_url: str, grader_ref: str,
                     runs_on: list[str]) -> dict:
    """Write ``out/autograder.py`` (copy ``out`` to ``CLASSROOM/autograders/<slug>/``) and ``out/runtime.json``,
    the runtime block for the assignment's entry. Returns the runtime block."""
    if not grader_url:
        raise Classroom50Error("give the grader's git URL (--grader-url): the autograder fetches the course "
                               "repository from it on the runner")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text()
    for word, value in {"@ASSIGNMENT@": assignment.id, "@TITLE@": assignment.settings.title,
                        "@GRADER_URL@": grader_url, "@GRADER_REF@": grader_ref}.items():
        text = text.replace(word, value)
    (out / "autograder.py").write_text(text)
    # the grader's environment is Python 3.11's (requirements.txt); a self-hosted runner keeps the grader's
    # environment and MNIST between submissions (the runner then skips every setup-* action, python included)
    runtime = {"runs-on": runs_on[0] if len(runs_on) == 1 else runs_on, "python": "3.11"}
    (out / "runtime.json").write_text(json.dumps(runtime, indent=2) + "\n")
    return runtime


def default_grader_url(root: Path) -> str:
    """The URL of this checkout's ``origin``, the repository the runner fetches the grader from; empty if none."""
    done = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""
