"""Grading one student repository inside a CI job (GitHub Actions, GitLab CI, Classroom 50's runner): grade the
checkout, then hand the result to the CI in the forms it reads (a job summary, step outputs for a commit status,
a JUnit XML report). Nothing here names a CI service's API: the workflows call the CLI and do the rest."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config

# what GitHub accepts as a commit status's description (longer ones are refused)
STATUS_DESCRIPTION_LIMIT = 140


def grade_checkout(*, submission: Path, out: Path, assignment: Assignment, config: Config = Config()):
    """Grade the repository checked out at ``submission``; its reports (feedback.html among them) go to
    ``out/<folder name>/``. Always graded afresh: a CI job grades the files as pushed, never a stored result."""
    from autograder.engine.grade.sandbox import start_early

    start_early(config=config, assignment=assignment)  # the server boots while torch loads here
    from autograder.engine.grade import grade_submissions

    submission = Path(submission).resolve()
    [result] = grade_submissions(submissions={submission.name: submission}, out_dir=out, assignment=assignment,
                                 config=config, force=True)
    return result


def score_line(result) -> str:
    """One line that says the score, its percentage first: GitLab's ``coverage`` pattern (templates/gitlab-ci.yml)
    takes the first number of the line it matches."""
    if not result.graded:
        return f"Not graded: {result.error}"
    percent = 100 * result.score / result.max_score if result.max_score else 0.0
    return f"Autograded score: {percent:.2f}% ({result.score:g} / {result.max_score:g} points)"


def status(result) -> dict[str, str]:
    """A commit status for the result: ``success`` with full marks, ``failure`` with points lost, ``error`` when
    the grader could not grade; the description says the score, or why grading stopped."""
    if not result.graded:
        state, description = "error", f"not graded: {result.error}"
    else:
        state = "success" if result.score == result.max_score else "failure"
        lost = sum(check.score < check.max_score for check in result.checks)
        description = f"{result.score:g} / {result.max_score:g} points" + (
            f", {lost} check{'s' if lost > 1 else ''} lost points" if lost else "")
    if len(description) > STATUS_DESCRIPTION_LIMIT:
        description = description[:STATUS_DESCRIPTION_LIMIT - 1] + "…"
    return {"state": state, "description": description}


def junit_xml(result, *, assignment: Assignment) -> str:
    """Each check a ``testcase`` (a lost point a ``failure`` whose message says what is wrong), in one
    ``testsuite`` named after the assignment; an ungraded submission is one ``error``."""
    checks = result.checks
    suite = ElementTree.Element("testsuite", name=f"{assignment.id}: {assignment.settings.title}",
                                tests=str(len(checks) + (not result.graded)),
                                failures=str(sum(c.score < c.max_score for c in checks)),
                                errors="0" if result.graded else "1",
                                time=f"{sum(c.seconds for c in checks):.3f}")
    for check in checks:
        case = ElementTree.SubElement(suite, "testcase", classname=f"{assignment.id}.{check.cell}",
                                      name=f"{check.title} ({check.max_score:g} pt)", time=f"{check.seconds:.3f}")
        if check.score < check.max_score:
            failure = ElementTree.SubElement(case, "failure", type="lost points",
                                             message=f"{check.score:g} / {check.max_score:g}: {check.message}")
            failure.text = check.message
    if not result.graded:
        case = ElementTree.SubElement(suite, "testcase", classname=assignment.id, name="grading")
        ElementTree.SubElement(case, "error", message=result.error or "not graded").text = result.error
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"


def ci_report(*, submission: Path, out: Path, assignment: Assignment, config: Config = Config(),
              summary: Path | None = None, page_note: str = "", junit: Path | None = None,
              outputs: Path | None = None, page: Path | None = None):
    """Grade the checkout at ``submission`` into ``out``, then: append the feedback (and ``page_note``, where
    the CI keeps feedback.html) to ``summary``; write the JUnit XML report to ``junit``; append the commit
    status's ``state=``, ``description=`` and ``score=`` lines to ``outputs`` (GitHub's $GITHUB_OUTPUT); copy
    feedback.html to ``page``, a path the CI's artifact can name without a pattern. Returns the result and its
    feedback in Markdown."""
    from autograder.engine.grade.report import feedback_markdown

    result = grade_checkout(submission=submission, out=out, assignment=assignment, config=config)
    feedback = feedback_markdown(result, assignment=assignment) + (f"\n{page_note}\n" if page_note else "")
    if summary:
        with open(summary, "a") as handle:
            handle.write(feedback)
    if junit:
        Path(junit).parent.mkdir(parents=True, exist_ok=True)
        Path(junit).write_text(junit_xml(result, assignment=assignment))
    if outputs:
        values = {**status(result), "score": f"{result.score:g}" if result.graded else ""}
        with open(outputs, "a") as handle:
            # step outputs are one line each: a description never carries a newline (an error message might)
            handle.writelines(f"{key}={' '.join(value.split())}\n" for key, value in values.items())
    if page:
        Path(page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(out) / result.submission / "feedback.html", page)
    return result, feedback
