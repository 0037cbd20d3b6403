"""Reports: Gradescope's results.json schema, a feedback page that explains every lost point, and grades.csv."""

import csv
import json

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
