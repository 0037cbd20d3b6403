"""Grading an nbgrader course directory: real nbgrader commands on a real course, its gradebook read back."""

import csv
import shutil
import time

import pytest
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.engine.examples import build_examples
from autograder.engine.nbgrader_run import run_nbgrader
from autograder.engine.platforms.nbgrader_course import CourseError, grade_course

# This repository's own nbgrader settings (its release preprocessor, a gradebook URL relative to the course
# folder) with nbgrader's usual folder names.
COURSE_CONFIG = """c = get_config()
load_subconfig({repo_config!r})
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
"""
WRITTEN = {"lenet_comparison_answer", "vae_use_case_answer"}


def make_course(root, config, assignment):
    (root / "source" / assignment.id).mkdir(parents=True)
    shutil.copy(assignment.solution_notebook, root / "source" / assignment.id)
    (root / "nbgrader_config.py").write_text(COURSE_CONFIG.format(repo_config=str(config.root / "nbgrader_config.py")))
    run_nbgrader("generate_assignment", assignment.id, cwd=root)
    return root


@pytest.fixture(scope="module")
def course(config, assignment, tmp_path_factory):
    """A course with three submissions: the reference solution, the unfilled release, weights without a notebook;
    graded once, timed."""
    root = make_course(tmp_path_factory.mktemp("course"), config, assignment)
    reference, _ = build_examples(out_dir=tmp_path_factory.mktemp("examples"), assignment=assignment)
    submitted = root / "submitted"
    shutil.copytree(reference, submitted / "alice" / assignment.id)
    (submitted / "bob" / assignment.id).mkdir(parents=True)
    shutil.copy(root / "release" / assignment.id / f"{assignment.id}.ipynb", submitted / "bob" / assignment.id)
    (submitted / "carol" / assignment.id).mkdir(parents=True)
    shutil.copy(reference / assignment.settings.weight_files[0], submitted / "carol" / assignment.id)
    started = time.perf_counter()
    by_assignment = grade_course(course_dir=root, config=config)  # finds the assignment under submitted/
    assert list(by_assignment) == [assignment.id]
    return root, {r.submission: r for r in by_assignment[assignment.id]}, time.perf_counter() - started


def exported(root, assignment):
    run_nbgrader("export", "--to", str(root / "export.csv"), cwd=root)
    with open(root / "export.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == assignment.id}


def grades(root, student, assignment):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(assignment.id, assignment.id, student)
        return {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades}


def test_export_has_the_autograded_points_and_nothing_yet_for_the_written_answers(course, assignment):
    root, results, _ = course
    assert [results[s].score for s in ("alice", "bob", "carol")] == [12, 0, 0]
    rows = exported(root, assignment)
    assert {s: (float(rows[s]["score"]), float(rows[s]["max_score"])) for s in rows} == {
        "alice": (12, 15), "bob": (0, 15), "carol": (0, 15)}


def test_gradebook_has_the_points_of_every_autograded_cell_and_leaves_the_written_answers(course, assignment):
    root, results, _ = course
    alice = grades(root, "alice", assignment)
    assert alice["lenet"] == (3, None, False)
    points = {check.cell: 0 for check in results["alice"].checks}
    for check in results["alice"].checks:
        points[check.cell] += check.max_score
    assert {cell: alice[cell] for cell in points} == {cell: (p, None, False) for cell, p in points.items()}
    assert set(alice) - set(points) == WRITTEN and all(alice[cell] == (None, None, True) for cell in WRITTEN)
    assert all(score == 0 and not flagged for score, _, flagged in grades(root, "bob", assignment).values())
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        comment = gradebook.find_comment("lenet", assignment.id, assignment.id, "bob").auto_comment
    assert comment.startswith("Autograder: 0 / 3") and "LeNet" in comment


def test_nbgrader_copies_and_feedback_are_where_nbgrader_keeps_them(course, assignment):
    root, _, _ = course
    assert (root / "autograded" / "alice" / assignment.id / f"{assignment.id}.ipynb").is_file()
    assert not (root / "autograded" / "carol").exists()
    for student in ("alice", "bob", "carol"):
        feedback = root / "feedback" / student / assignment.id
        assert (feedback / "results.json").is_file() and (feedback / "feedback.html").is_file()
        assert (feedback / f"{assignment.id}.html").is_file() == (student != "carol")
    assert "12 / 12" in (root / "feedback" / "alice" / assignment.id / "feedback.md").read_text()
    assert "no notebook" in (root / "feedback" / "carol" / assignment.id / "feedback.md").read_text()


def test_a_rerun_grades_nothing_again_and_keeps_the_manual_grades(course, assignment):
    root, _, first_run = course
    copy = root / "autograded" / "alice" / assignment.id / f"{assignment.id}.ipynb"
    copied_at = copy.stat().st_mtime_ns
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:  # the instructor grades a written answer
        grade = gradebook.find_grade("lenet_comparison_answer", assignment.id, assignment.id, "alice")
        grade.manual_score, grade.needs_manual_grade = 1, False
        gradebook.db.commit()
    started = time.perf_counter()
    assert main(["grade", "--course", str(root), "--no-progress"]) == 0
    assert time.perf_counter() - started < first_run / 2
    assert copy.stat().st_mtime_ns == copied_at
    assert grades(root, "alice", assignment)["lenet_comparison_answer"] == (None, 1, False)
    assert {s: float(row["score"]) for s, row in exported(root, assignment).items()} == {"alice": 13, "bob": 0, "carol": 0}


def test_the_course_grading_writes_the_integrity_report(course, assignment):
    root, _, _ = course
    page = (root / "autograder_reports" / assignment.id / "integrity" / "index.html").read_text()
    assert "3 submissions compared pair by pair" in page
    assert "<li>carol, lenet: not graded: no notebook found" in page  # a weight file alone: never fitted


def test_the_course_grading_writes_the_class_page_in_its_reports_folder(course, assignment):
    root, _, _ = course
    reports = root / "autograder_reports" / assignment.id
    page = (reports / "index.html").read_text()
    for student in ("alice", "bob", "carol"):
        assert f"<a href='{student}/feedback.html'>{student}</a>" in page and (reports / student / "feedback.html").is_file()
    assert all(f"<code>{cell}</code>" in page for cell in WRITTEN)  # the written answers left for formgrader


def test_a_folder_that_is_not_a_course_is_refused_with_what_to_run(config, assignment, tmp_path):
    with pytest.raises(CourseError, match="no submissions in .*submitted/\\*/\\* for any of the assignments"):
        grade_course(course_dir=tmp_path, config=config)
    with pytest.raises(CourseError, match=f"nbgrader generate_assignment {assignment.id}"):
        grade_course(course_dir=tmp_path, config=config, assignment=assignment)
    run_nbgrader("db", "assignment", "add", "hw1", cwd=tmp_path)  # a gradebook that knows another assignment
    with pytest.raises(CourseError, match=f"has no assignment '{assignment.id}'.*nbgrader generate_assignment"):
        grade_course(course_dir=tmp_path, config=config, assignment=assignment)
