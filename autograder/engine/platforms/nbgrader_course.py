"""Grade the submissions of an nbgrader course directory and record them in its gradebook.

The course's own nbgrader configuration is read the way nbgrader's commands read it in that folder. Every
``submitted/<student>/<assignment>/`` folder of every assignment this grader knows is graded by this grader; then ``nbgrader autograde`` runs with
its notebook execution replaced by ``SaveCheckScores`` (see ``nbgrader_gradebook``), so that nbgrader does the
rest of its usual work (``autograded/`` copies, timestamps, late penalties, gradebook rows) and formgrader is
left with the written answers only. Each student's ``feedback.md``, ``feedback.html`` and ``results.json`` go beside the notebook
in ``autograded/``, where ``nbgrader generate_feedback`` (run here, and again by the instructor after manual
grading) copies them into ``feedback/<student>/<assignment>/`` next to its HTML feedback.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import re
import shutil
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps.baseapp import NbGrader
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.engine import make_url

from autograder.engine.assignment import Assignment, assignment_ids, load
from autograder.engine.config import Config
from autograder.engine.grade import GradeResult, grade_submissions
from autograder.engine.nbgrader_run import run_nbgrader
from autograder.engine.notebook import cell_points
from autograder.engine.platforms.nbgrader_gradebook import (
    autograde_preprocessors, cell_scores, record_without_notebook, scores_recorded)

REPORTS = "autograder_reports"  # COURSE/autograder_reports/<assignment>/ holds what `grade --out` writes
REPORT_FILES = ("feedback.md", "feedback.html", "results.json")
log = logging.getLogger(__name__)


class CourseError(ValueError):
    """The folder cannot be graded as an nbgrader course directory; the message says what to do."""


class _CourseConfig(NbGrader):
    """nbgrader's own reading of a course's configuration: the working folder's, the Jupyter paths', the root's."""

    def init_syspath(self) -> None:  # nbgrader puts its working folder first on sys.path: nothing to import from there
        pass


def default_reports_dir(course_dir: Path, assignment_id: str) -> Path:
    return Path(course_dir).resolve() / REPORTS / assignment_id


def grade_course(*, course_dir: Path, config: Config = Config(), assignment: Assignment | None = None,
                 workers: int = 1, scheduler: str | None = None, force: bool = False, progress: bool = False,
                 reports_dir: Path | None = None) -> dict[str, list[GradeResult]]:
    """Grade every ``submitted/<student>/<id>/`` folder of the course, for ``assignment`` or else for every
    assignment this grader knows that has submissions there, and record them in the gradebook.

    Reports go to ``reports_dir`` (default ``COURSE/autograder_reports/<id>``; with several assignments, one
    folder per id inside it); a re-run regrades only changed submissions (all with ``force``) and updates only
    the gradebook entries that are out of date. Returns the results by assignment id.
    """
    course_dir = Path(course_dir).resolve()
    if not course_dir.is_dir():
        raise CourseError(f"{course_dir} is not a folder: give the nbgrader course directory (the one holding "
                          "nbgrader_config.py, source/ and submitted/)")
    coursedir = _course_settings(course_dir)
    if assignment is not None:
        chosen = [assignment]
    else:
        chosen = [load(i, config) for i in assignment_ids(config) if _submissions(coursedir, i)[0]]
        if not chosen:
            where = coursedir.format_path(coursedir.submitted_directory, "*", "*")
            raise CourseError(f"no submissions in {where} for any of the assignments {', '.join(assignment_ids(config))}: "
                              "collect them first (`nbgrader collect ID` or `nbgrader zip_collect ID`)")
    results = {}
    for one in chosen:
        reports = (Path(reports_dir) / one.id if len(chosen) > 1 else Path(reports_dir)) if reports_dir \
            else default_reports_dir(course_dir, one.id)
        results[one.id] = _grade_assignment(coursedir, course_dir=course_dir, assignment=one, config=config,
                                            reports=reports, workers=workers, scheduler=scheduler, force=force,
                                            progress=progress)
    return results


def _grade_assignment(coursedir: CourseDirectory, *, course_dir: Path, assignment: Assignment, config: Config,
                      reports: Path, workers: int, scheduler: str | None, force: bool,
                      progress: bool) -> list[GradeResult]:
    db_url = _gradebook_url(coursedir, course_dir, assignment.id)
    with Gradebook(db_url, coursedir.course_id) as gradebook:
        _check_assignment(gradebook, course_dir=course_dir, assignment=assignment)
    found, folders = _submissions(coursedir, assignment.id)
    if not folders:
        where = coursedir.format_path(coursedir.submitted_directory, "*", assignment.id)
        raise CourseError(f"no submissions in {where}: collect them first (`nbgrader collect {assignment.id}` "
                          f"or `nbgrader zip_collect {assignment.id}`)")
    results = grade_submissions(submissions=folders, out_dir=reports, assignment=assignment, config=config,
                                workers=workers, scheduler=scheduler, force=force, progress=progress)
    _record(coursedir, db_url, course_dir=course_dir, found=found, folders=folders, reports=reports,
            scores={r.submission: cell_scores(r) for r in results}, force=force, assignment=assignment)
    return results


def _course_settings(course_dir: Path) -> CourseDirectory:
    app = _CourseConfig()
    with contextlib.chdir(course_dir):  # nbgrader reads the working folder's config and takes it as the default root
        app.initialize([])
    return app.coursedir


def _gradebook_url(coursedir: CourseDirectory, course_dir: Path, assignment: str) -> str:
    """The gradebook's URL, a relative SQLite path made absolute (nbgrader opens it from the course folder);
    a missing SQLite file is an error here, where nbgrader would create an empty gradebook."""
    url = make_url(coursedir.db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return coursedir.db_url
    path = course_dir / url.database
    if not path.is_file():
        raise CourseError(f"no gradebook at {path}: {course_dir} is not an nbgrader course directory, or the "
                          f"assignment was never generated there; run `nbgrader generate_assignment {assignment}` "
                          "in it first")
    return url.set(database=str(path)).render_as_string(hide_password=False)


def _check_assignment(gradebook: Gradebook, *, course_dir: Path, assignment: Assignment) -> None:
    """The gradebook knows the assignment's notebook, whose graded code cells and points are this grader's."""
    name = assignment.id
    regenerate = (f"copy {assignment.solution_notebook} to the course's source/{name}/ and run "
                  f"`nbgrader generate_assignment {name} --force` in {course_dir}")
    try:
        notebooks = {notebook.name: notebook for notebook in gradebook.find_assignment(name).notebooks}
    except MissingEntry:
        raise CourseError(f"the gradebook of {course_dir} has no assignment {name!r}: run `nbgrader "
                          f"generate_assignment {name}` there first (`nbgrader db assignment add {name}` alone "
                          "records no notebook)") from None
    if name not in notebooks:
        raise CourseError(f"the gradebook's assignment {name!r} has no notebook {name}.ipynb: {regenerate}")
    recorded = {cell.name: cell.max_score for cell in notebooks[name].grade_cells if cell.cell_type == "code"}
    graded = cell_points(assignment.solution_notebook, "code")
    if recorded != graded:
        raise CourseError(f"the gradebook's {name}.ipynb has the graded code cells {recorded}, but this grader "
                          f"grades {graded}: {regenerate}")


def _submissions(coursedir: CourseDirectory, assignment: str) -> tuple[list[str], dict[str, Path]]:
    """Every student with a submission folder, and those to grade (not in CourseDirectory.student_id_exclude)."""
    pattern = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>.+)", assignment, escape=True)
    found = sorted(re.fullmatch(pattern, path)["student_id"]  # as nbgrader matches them
                   for path in glob.glob(coursedir.format_path(coursedir.submitted_directory, "*", assignment)))
    excluded = set(coursedir.student_id_exclude.split(","))
    return found, {student: Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
                   for student in found if student not in excluded}


def _record(coursedir: CourseDirectory, db_url: str, *, course_dir: Path, found: list[str],
            folders: dict[str, Path], reports: Path, scores: dict[str, dict], force: bool,
            assignment: Assignment) -> None:
    """Gradebook entries, autograded/ copies and feedback/ for the students whose entry is missing or out of date."""
    name, notebook = assignment.id, f"{assignment.id}.ipynb"

    def step_dir(step: str, student: str) -> Path:
        return Path(coursedir.format_path(step, student, name))

    def outdated(gradebook: Gradebook, student: str) -> bool:
        """No autograded copy, one older than the submitted notebook, or scores other than the grader's."""
        copy = step_dir(coursedir.autograded_directory, student) / notebook
        return (not copy.is_file() or copy.stat().st_mtime < (folders[student] / notebook).stat().st_mtime
                or not scores_recorded(gradebook, assignment=name, notebook=name, student=student,
                                       scores=scores[student]))

    scores_file = reports / "cell_scores.json"
    scores_file.write_text(json.dumps(scores, indent=1) + "\n")
    without = [student for student, folder in folders.items() if not (folder / notebook).is_file()]
    with Gradebook(db_url, coursedir.course_id) as gradebook:
        for student in without:
            log.warning("%s: no %s in %s; recorded as nbgrader records a missing notebook (written answers 0, none "
                        "for formgrader)", student, notebook, folders[student])
            record_without_notebook(gradebook, assignment=name, student=student, scores=scores[student],
                                    timestamp=coursedir.get_existing_timestamp(str(folders[student])))
        todo = [student for student in folders if student not in without and (force or outdated(gradebook, student))]
    if todo:
        # --force: nbgrader redoes these students even where its copy exists; the others it must leave alone
        only = ["--force", "--CourseDirectory.student_id_exclude=" + ",".join(sorted(set(found) - set(todo)))]
        preprocessors = json.dumps(autograde_preprocessors())
        run_nbgrader("autograde", name, *only, f"--Autograde.autograde_preprocessors={preprocessors}",
                     f"--SaveCheckScores.scores_file={scores_file}", cwd=course_dir)
        for student in todo:
            _copy_reports(reports / student, step_dir(coursedir.autograded_directory, student))
        run_nbgrader("generate_feedback", name, *only, cwd=course_dir)
    for student in todo + without:  # also where the course's CourseDirectory.ignore keeps nbgrader from copying them
        _copy_reports(reports / student, step_dir(coursedir.feedback_directory, student))


def _copy_reports(source: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (destination / name).unlink(missing_ok=True)  # nbgrader leaves the files it writes read-only
        if (source / name).is_file():  # a report graded before feedback.html existed has none; a re-run skips it
            shutil.copy(source / name, destination / name)
