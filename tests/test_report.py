"""Reports: Gradescope's results.json schema, a feedback page that explains every lost point, and grades.csv."""

import csv
import hashlib
import json
import re
import shutil

from autograder.engine.grade import GradeResult
from autograder.engine.grade.report import student_feedback, write_reports, write_summary
from autograder.engine.grade.run_checks import CheckResult
from autograder.engine.notebook import cell_names
from autograder.engine.platforms.github_classroom.report import classroom_result

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
    assert "found Conv2d(1, 6, kernel_size=3, stride=1)" in page
    assert "(1.5 pt, in the first code cell under 'The LeNet-5 layers (3 points)')" in page and "`lenet`" not in page
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
def test_cells_are_named_as_the_student_sees_them(assignment):
    names = cell_names(assignment.release_notebook)
    assert names["transform"] == "the first code cell under 'Loading the data (1 point)'"
    assert names["lenet"] == "the first code cell under 'The LeNet-5 layers (3 points)'"
    assert names["lenet_comparison_answer"].startswith("the first answer cell under '")


def _release_submission(assignment, folder):
    """The unfilled release as a submission folder, with one (fake) weight file."""
    folder.mkdir(parents=True)
    shutil.copy(assignment.release_notebook, folder / f"{assignment.id}.ipynb")
    (folder / "lenet5_weights.pth").write_bytes(b"not really weights")
    return folder


def test_an_unfilled_cell_is_said_once_with_the_checks_waiting_on_it(config, assignment, tmp_path):
    """The release graded: each stub cell one line (where the stub is), its checks under it, no SyntaxError; an
    error in a filled cell is quoted with the student's line, never with a grade_id."""
    syntax = "the cell `transform` failed: SyntaxError: invalid syntax (cell transform, line 1)"
    checks = [CheckResult("test_t1", "transform: resized", "transform", 0.5, 0.0, syntax),
              CheckResult("test_t2", "transform: normalised", "transform", 0.5, 0.0, syntax),
              CheckResult("test_l", "LeNet-5: layers", "lenet", 1.5, 0.0,
                          "creating LeNet_5() failed: NameError: name '_' is not defined (cell lenet, line 4)"),
              CheckResult("test_m", "model: accuracy", "model", 0.5, 0.0,
                          "the cell `model` failed: NameError: name 'x' is not defined (cell model, line 1)")]
    submission = _release_submission(assignment, tmp_path / "carol")
    # the model cell filled, wrongly: its error is the student's own, quoted with their line
    notebook = json.loads((submission / "hw2.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "model":
            cell["source"] = "model = x.to(device)\n"
    (submission / "hw2.ipynb").write_text(json.dumps(notebook))
    feedback = write_reports(GradeResult("carol", checks), tmp_path / "out", config=config, assignment=assignment,
                             submission=submission)
    assert [(u.cell, [c.name for c in u.checks]) for u in feedback.unfilled] == [("transform", ["test_t1", "test_t2"]),
                                                                                 ("lenet", ["test_l"])]
    markdown = (tmp_path / "out" / "feedback.md").read_text()
    assert markdown.count("still holds `### YOUR CODE HERE ###` (line 1: `transform = ### YOUR CODE HERE ###`)") == 1
    assert "still holds `_` blanks (line 4: `self.conv1 = nn.Conv2d(_, _, kernel_size=_, stride=1)`)" in markdown
    assert "SyntaxError" not in markdown and "NameError: name '_'" not in markdown
    assert ("(line 1 of the first code cell under 'Creating the model (1 point)': `model = x.to(device)`)"
            in markdown)
    for hidden in ("`transform`", "`lenet`", "`model`", "cell model", "lenet_comparison_answer"):
        assert hidden not in markdown
    # provenance: the files graded, with their sizes and hashes
    digest = hashlib.sha256(b"not really weights").hexdigest()[:12]
    assert f"lenet5_weights.pth (18 bytes, SHA-256 {digest}…)" in markdown and "submission carol, graded 20" in markdown
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["tests"][1]["output"].startswith("The first code cell under 'Loading the data (1 point)' still holds")
    assert classroom_result(GradeResult("carol", checks), feedback)["tests"][3]["message"] == feedback.lost[0].message


def test_usual_causes_are_not_presumed_after_an_earlier_lost_check(config, assignment, tmp_path):
    accuracy = ("test accuracy 39.70%, at least 97.62% needed, which every reference run of the solution reaches. "
                "Usual causes: the weights saved before training ended")
    layers = CheckResult("test_l", "LeNet-5: outputs", "lenet", 1.0, 0.0, "outputs differ: check the activations")
    weights = CheckResult("test_w", "model: accuracy", "model", 0.5, 0.0, accuracy)
    alone = student_feedback(GradeResult("a", [weights]), assignment=assignment, config=config)
    assert "Usual causes: the weights saved" in alone.message(weights)
    after = student_feedback(GradeResult("b", [layers, weights]), assignment=assignment, config=config)
    assert "Usual causes" not in after.message(weights) and "lost checks above first" in after.message(weights)
    # another model's lost training explains nothing here: its causes stay
    other = CheckResult("test_o", "ae_model: reconstructs", "ae_model", 0.5, 0.0, accuracy)
    second = student_feedback(GradeResult("c", [weights, other]), assignment=assignment, config=config)
    assert "Usual causes: the weights saved" in second.message(other)


def test_a_stub_left_as_a_comment_above_written_code_is_not_unfilled(config, assignment, tmp_path):
    """A student may write the code under a lone `### YOUR CODE HERE ###` line: their error is reported, not the stub."""
    submission = _release_submission(assignment, tmp_path / "dave")
    notebook = json.loads((submission / "hw2.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "model":
            cell["source"] = "### YOUR CODE HERE ###\nmodel = LeNet5().to(device)\n"
    (submission / "hw2.ipynb").write_text(json.dumps(notebook))
    check = CheckResult("test_m", "model: an instance", "model", 0.5, 0.0,
                        "the cell `model` failed: NameError: name 'LeNet5' is not defined (cell model, line 2)")
    feedback = student_feedback(GradeResult("dave", [check]), assignment=assignment, config=config,
                                submission=submission)
    assert feedback.unfilled == [] and "`model = LeNet5().to(device)`" in feedback.message(check)
