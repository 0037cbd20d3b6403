"""What the student repository's workflow does after installing the grader: grade the repository, put the feedback
page in the job's summary, and hand GitHub Classroom's reporter (classroom-resources/autograding-grading-reporter)
the result it reads from the step output ``result``."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config


# the workflow uploads OUT/*/feedback.html as the run's artifact of this name (platforms/templates/*.yml)
ARTIFACT = "feedback-page"
PAGE_NOTE = (f"**The same feedback as a page, with pictures of your models under the checks they explain**, is "
             f"`feedback.html` in the artifact `{ARTIFACT}`: on this run's summary page, download it under *Artifacts*, "
             "unzip it and open the page in a browser (it works offline).")


def classroom_result(result, feedback=None) -> dict:
    """A grading result in the runners' format, which the reporter decodes: it adds the tests' scores up for
    Classroom, and fails the job when ``status`` is fail or error; ``feedback`` (report.student_feedback): the
    messages in the student's words."""
    from autograder.engine.grade.report import check_output
    return {
        "version": 1,
        "status": "error" if not result.graded else "pass" if result.score == result.max_score else "fail",
        "max_score": result.max_score,
        **({"message": result.error} if result.error else {}),
        "tests": [
            {
                "name": check.title,
                "status": "pass" if check.score == check.max_score else "fail",
                "score": check.score,
                "message": check_output(feedback, check) if feedback else check.message,
                "line_no": 0,  # the reporter prints "- line N" after a name unless N is 0; checks have no line to show
                "test_code": "",  # the reporter prints any test code, and the checks' code is not for students
                "duration": check.seconds,
            }
            for check in result.checks
        ],
    }


def github_report(*, submission: Path, out: Path, assignment: Assignment, config: Config = Config(),
                  github_output: Path | None = None, step_summary: Path | None = None) -> str:
    """Grade the student repository at ``submission`` (reports under ``out``, feedback.html among them, which the
    workflow keeps as an artifact); append the feedback page, and where to find feedback.html, to
    ``step_summary`` and ``result=<base64 JSON>`` to ``github_output``. Returns the feedback page."""
    from autograder.engine.grade.sandbox import start_early

    start_early(config=config, assignment=assignment)  # the server boots while torch loads here
    from autograder.engine.grade import grade_submissions
    from autograder.engine.grade.report import feedback_markdown, student_feedback

    submission = Path(submission).resolve()
    # force: grade the files as they are now, never from a report an earlier run left in ``out``
    [result] = grade_submissions(submissions={submission.name: submission}, out_dir=out, assignment=assignment,
                                 config=config, force=True)
    words = student_feedback(result, assignment=assignment, config=config, submission=submission)
    feedback = feedback_markdown(result, assignment=assignment, feedback=words)
    feedback += f"\n{PAGE_NOTE}\n"
    if step_summary:
        with open(step_summary, "a") as handle:
            handle.write(feedback)
    if github_output:
        encoded = base64.b64encode(json.dumps(classroom_result(result, words)).encode()).decode("ascii")
        with open(github_output, "a") as handle:
            handle.write(f"result={encoded}\n")
    return feedback
