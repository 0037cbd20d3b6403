"""Reports: Gradescope's results.json schema, a feedback page that explains every lost point, and grades.csv."""

import csv
import json
import re

from autograder.engine.grade import GradeResult
from autograder.engine.grade.report import write_reports, write_summary
from autograder.engine.grade.run_checks import CheckResult

CHECKS = [
    CheckResult("test_a", "transform: resized", "transform", 0.5, 0.5, ""),
    CheckResult("test_b", "LeNet-5: layers", "lenet", 1.5, 0.0, "conv1: expected Conv2d(1, 6, kernel_size=5, stride=1), "
                                                                 "found Conv2d(1, 6, kernel_size=3, stride=1)"),
]


def test_results_json_follows_gradescopes_schema(config, assignment, tmp_path):
    write_reports(GradeResult("alice", CHECKS, ["graded hw2 (1).ipynb"]), tmp_path / "alice", config=config,
                  assignment=assignment)
    results = json.loads((tmp_path / "alice" / "results.json").read_text())
    assert results["score"] == 0.5 and results["max_score"] == 2.0
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] in ("visible", "hidden", "after_due_date",
                                                                                   "after_published")
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
    assert [t["status"] for t in results["tests"]] == ["passed", "failed"]
    assert "3 more points for the written answers" in results["output"]


def test_feedback_explains_every_lost_point(config, assignment, tmp_path):
    write_reports(GradeResult("alice", CHECKS, ["graded hw2 (1).ipynb"]), tmp_path / "alice", config=config,
                  assignment=assignment)
    page = (tmp_path / "alice" / "feedback.md").read_text()
    assert "**Autograded score: 0.5 / 2**" in page
    assert "found Conv2d(1, 6, kernel_size=3, stride=1)" in page and "(cell `lenet`, 1.5 pt)" in page
    assert "graded hw2 (1).ipynb" in page


def test_grades_csv_has_a_row_per_submission(tmp_path):
    results = [GradeResult("alice", CHECKS), GradeResult("bob", [CheckResult(c.name, c.title, c.cell, c.max_score, 0.0,
                                                                             "not graded") for c in CHECKS], error="x")]
    write_summary(results, tmp_path / "grades.csv")
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert [(r["submission"], r["score"], r["test_b"], r["error"]) for r in rows] == [("alice", "0.5", "0", ""),
                                                                                      ("bob", "0", "0", "x")]


def test_an_ungraded_submission_keeps_the_table_aligned(tmp_path):
    results = [GradeResult("broken", [], error="internal grader error", graded=False), GradeResult("alice", CHECKS)]
    write_summary(results, tmp_path / "grades.csv")
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert rows[0]["score"] == "" and rows[0]["test_b"] == "" and rows[0]["error"] == "internal grader error"
    assert rows[1]["test_b"] == "0" and not (tmp_path / "grades.partial").exists()


def test_the_class_report_names_the_assignment_and_who_lost_each_check_without_cutting_a_word(tmp_path):
    from autograder.engine.grade.class_report import write_class_report

    long = "conv1: expected Conv2d(1, 6, kernel_size=5), found Conv2d(1, 6, kernel_size=3); " + "more words " * 30
    lost = [CheckResult(c.name, c.title, c.cell, c.max_score, 0.0, long) for c in CHECKS]
    results = [GradeResult("alice", CHECKS), GradeResult("bob", lost), GradeResult("carol", lost),
               GradeResult("dan", [], error="internal grader error", graded=False)]
    report = write_class_report(results, tmp_path, title="Homework 2 (hw2)").read_text()
    assert report.startswith("# Homework 2 (hw2): class report") and "Graded: 3 of 4 submissions." in report
    row = next(line for line in report.splitlines() if line.startswith("| transform: resized"))
    assert "| 1/3 (33%) |" in row and "(2: bob, carol)" in row and "kernel_size=…" in row
    assert re.search(r" (more|words) … \(2: bob, carol\)", row)  # shortened after a whole word
    assert "`dan`: **not graded**: internal grader error" in report
    histogram = (tmp_path / "score_histogram.svg").read_text()
    # one bar per possible score (0 to 2 by 0.5) that someone got: 0 (bob, carol) and 0.5 (alice)
    assert [m.split(":")[0] for m in histogram.split("<title>")[1:]] == ["0", "0.5"]
