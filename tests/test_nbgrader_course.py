"""Grading an nbgrader course directory: real nbgrader commands on a real course, its gradebook read back."""

import csv
import shutil
import time

import pytest
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.examples import build_examples
from autograder.nbgrader_run import run_nbgrader
from autograder.platforms.nbgrader_course import CourseError, grade_course

# This repository's own nbgrader settings (its release preprocessor, a gradebook URL relative to the course
# folder) with nbgrader's usual folder names.
COURSE_CONFIG = """c = get_config()
load_subconfig({repo_config!r})
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
"""
WRITTEN = {"lenet_comparison_answer", "vae_use_case_answer"}


def make_course(root, config):
    (root / "source" / config.assignment).mkdir(parents=True)
    shutil.copy(config.solution_notebook, root / "source" / config.assignment)
    (root / "nbgrader_config.py").write_text(COURSE_CONFIG.format(repo_config=str(config.root / "nbgrader_config.py")))
    run_nbgrader("generate_assignment", config.assignment, cwd=root)
    return root


@pytest.fixture(scope="module")
def course(config, tmp_path_factory):
    """A course with three submissions: the reference solution, the unfilled release, weights without a notebook;
    graded once, timed."""
    root = make_course(tmp_path_factory.mktemp("course"), config)
    reference, _ = build_examples(out_dir=tmp_path_factory.mktemp("examples"), config=config)
    submitted = root / "submitted"
    shutil.copytree(reference, submitted / "alice" / config.assignment)
    (submitted / "bob" / config.assignment).mkdir(parents=True)
    shutil.copy(root / "release" / config.assignment / f"{config.assignment}.ipynb", submitted / "bob" / config.assignment)
    (submitted / "carol" / config.assignment).mkdir(parents=True)
    shutil.copy(reference / config.weight_files[0], submitted / "carol" / config.assignment)
    started = time.perf_counter()
    results = grade_course(course_dir=root, config=config)
    return root, {r.submission: r for r in results}, time.perf_counter() - started


def exported(root, config):
    run_nbgrader("export", "--to", str(root / "export.csv"), cwd=root)
    with open(root / "export.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == config.assignment}


def grades(root, student, config):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(config.assignment, config.assignment, student)
        return {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades}


def test_export_has_the_autograded_points_and_nothing_yet_for_the_written_answers(course, config):
    root, results, _ = course
    assert [results[s].score for s in ("alice", "bob", "carol")] == [12, 0, 0]
    rows = exported(root, config)
    assert {s: (float(rows[s]["score"]), float(rows[s]["max_score"])) for s in rows} == {
        "alice": (12, 15), "bob": (0, 15), "carol": (0, 15)}


def test_gradebook_has_the_points_of_every_autograded_cell_and_leaves_the_written_answers(course, config):
    root, results, _ = course
    alice = grades(root, "alice", config)
    assert alice["lenet"] == (3, None, False)
    points = {check.cell: 0 for check in results["alice"].checks}
    for check in results["alice"].checks:
        points[check.cell] += check.max_score
    assert {cell: alice[cell] for cell in points} == {cell: (p, None, False) for cell, p in points.items()}
    assert set(alice) - set(points) == WRITTEN and all(alice[cell] == (None, None, True) for cell in WRITTEN)
    assert all(score == 0 and not flagged for score, _, flagged in grades(root, "bob", config).values())
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        comment = gradebook.find_comment("lenet", config.assignment, config.assignment, "bob").auto_comment
    assert comment.startswith("Autograder: 0 / 3") and "LeNet" in comment


def test_nbgrader_copies_and_feedback_are_where_nbgrader_keeps_them(course, config):
    root, _, _ = course
    assert (root / "autograded" / "alice" / config.assignment / f"{config.assignment}.ipynb").is_file()
    assert not (root / "autograded" / "carol").exists()
    for student in ("alice", "bob", "carol"):
        feedback = root / "feedback" / student / config.assignment
        assert (feedback / "results.json").is_file()
        assert (feedback / f"{config.assignment}.html").is_file() == (student != "carol")
    assert "12 / 12" in (root / "feedback" / "alice" / config.assignment / "feedback.md").read_text()
    assert "no notebook" in (root / "feedback" / "carol" / config.assignment / "feedback.md").read_text()


def test_a_rerun_grades_nothing_again_and_keeps_the_manual_grades(course, config):
    root, _, first_run = course
    copy = root / "autograded" / "alice" / config.assignment / f"{config.assignment}.ipynb"
    copied_at = copy.stat().st_mtime_ns
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:  # the instructor grades a written answer
        grade = gradebook.find_grade("lenet_comparison_answer", config.assignment, config.assignment, "alice")
        grade.manual_score, grade.needs_manual_grade = 1, False
        gradebook.db.commit()
    started = time.perf_counter()
    assert main(["grade", "--course", str(root), "--no-progress"]) == 0
    assert time.perf_counter() - started < first_run / 2
    assert copy.stat().st_mtime_ns == copied_at
    assert grades(root, "alice", config)["lenet_comparison_answer"] == (None, 1, False)
    assert {s: float(row["score"]) for s, row in exported(root, config).items()} == {"alice": 13, "bob": 0, "carol": 0}


def test_a_folder_that_is_not_a_course_is_refused_with_what_to_run(config, tmp_path):
    with pytest.raises(CourseError, match="nbgrader generate_assignment hw2"):
        grade_course(course_dir=tmp_path, config=config)
    run_nbgrader("db", "assignment", "add", "hw1", cwd=tmp_path)  # a gradebook that knows another assignment
    with pytest.raises(CourseError, match="has no assignment 'hw2'.*nbgrader generate_assignment hw2"):
        grade_course(course_dir=tmp_path, config=config)
