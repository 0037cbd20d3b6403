"""What run_autograder does for a Gradescope submission: grade ROOT/submission and write ROOT/results/results.json,
also when grading itself fails, so that the student always sees a score and why."""

from __future__ import annotations

import json
import tempfile
import time
import traceback
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config

NOT_HOMEWORK = ("__MACOSX",)  # the folder macOS adds to the zips it makes


def submission_folder(upload: Path) -> Path:
    """The folder holding the notebook: the upload itself, or, when a student uploaded their homework's folder
    rather than its files, the single folder inside it (followed down as long as that is all there is)."""
    while upload.is_dir() and not any(p.suffix == ".ipynb" for p in upload.iterdir()):
        folders = [p for p in upload.iterdir()
                   if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and p.name not in NOT_HOMEWORK]
        if len(folders) != 1:
            break  # nothing to follow: grading then says what is missing
        upload = folders[0]
    return upload


def run(*, root: Path, assignment: Assignment, config: Config = Config()) -> dict:
    """Grade the submission under ``root`` (Gradescope's /autograder) and write its results.json; returns it."""
    started = time.monotonic()
    try:
        from autograder.engine.grade.sandbox import start_early

        start_early(config=config, assignment=assignment)  # the server boots while torch loads here
        from autograder.engine.grade import grade_submissions
        from autograder.engine.grade.feedback_page import gradescope_test_html
        from autograder.engine.grade.report import results_json, student_feedback

        folder = submission_folder(root / "submission")
        with tempfile.TemporaryDirectory(prefix=f"{assignment.id}-gradescope-") as scratch:
            [result] = grade_submissions(submissions={"submission": folder}, out_dir=Path(scratch),
                                         assignment=assignment, config=config)
        feedback = student_feedback(result, assignment=assignment, config=config, submission=folder)
        results = results_json(result, config=config, assignment=assignment, feedback=feedback)
        for test, check in zip(results["tests"], result.checks):
            # a test's own output may be HTML (the spec's per-test output_format, sanitised by Gradescope): the
            # pictures that explain a check go there, the reference's beside the student's
            if pictures := [p for p in result.pictures if p.check == check.name]:
                test["output"] = gradescope_test_html(test["output"], pictures)
                test["output_format"] = "html"
        # Gradescope's format has no top-level max_score (the assignment's points are set on Gradescope itself)
        results["extra_data"]["max_score"] = results.pop("max_score")
    except Exception as error:  # whatever failed, Gradescope must get a results.json to show
        traceback.print_exc()  # Gradescope shows the run's output to the course staff only
        results = {"score": 0.0, "output_format": "text", "tests": [],
                   "output": f"The autograder failed before it could grade this submission ({type(error).__name__}: "
                             f"{error}). Please tell the course staff, who can run it again."}
    results["execution_time"] = round(time.monotonic() - started)
    path = Path(root) / "results" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    return results
