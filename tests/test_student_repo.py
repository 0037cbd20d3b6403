"""The GitHub Classroom starter repository: nothing of the grader in it, and its workflow's own commands, run here
the way GitHub runs them, grade a push and hand the reporter a result it can read."""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from autograder.engine.examples import build_examples
from autograder.engine.grade import GradeResult
from autograder.engine.grade.run_checks import CheckResult
from autograder.engine.platforms.github_classroom.report import classroom_result
from autograder.engine.platforms.github_classroom.student_repo import write_student_repo

WORKFLOW = ".github/workflows/classroom.yml"


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory, config, assignment):
    return write_student_repo(out=tmp_path_factory.mktemp("student") / "repo", assignment=assignment, config=config)


@pytest.fixture(scope="module")
def steps(student_repo) -> list[dict]:
    workflow = yaml.safe_load((student_repo / WORKFLOW).read_text())
    assert workflow["name"] == "Autograding Tests", "GitHub Classroom reads points only from a workflow of this name"
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert list(workflow["jobs"]) == ["run-autograding-tests"], "GitHub Classroom wants this one job"
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def test_it_holds_the_release_and_nothing_hidden(student_repo, config, assignment):
    notebook = f"{assignment.id}.ipynb"
    files = sorted(p.relative_to(student_repo).as_posix() for p in student_repo.rglob("*") if p.is_file())
    assert files == sorted([WORKFLOW, ".gitignore", "README.md", notebook, "requirements.txt"])
    assert (student_repo / notebook).read_bytes() == assignment.release_notebook.read_bytes()
    assert (student_repo / "requirements.txt").read_bytes() == (config.root / "requirements.txt").read_bytes()
    check_lines = {line.strip() for path in assignment.checks_dir.glob("*.py")
                   for line in path.read_text().splitlines() if len(line.strip()) > 30}
    for name in files:
        text = (student_repo / name).read_text()
        assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text, name
        assert "@" not in text.replace("@v", "") or name == notebook, f"{name} has a template word left"
        assert not [line for line in check_lines if line in text], f"{name} quotes the hidden checks"


def test_the_readme_and_gitignore_keep_the_submission(student_repo, assignment):
    readme = (student_repo / "README.md").read_text()
    assert all(name in readme for name in (f"{assignment.id}.ipynb", *assignment.settings.weight_files))
    assert f"# {assignment.settings.title}" in readme and "12 points" in readme and "other 3" in readme
    ignored = (student_repo / ".gitignore").read_text().splitlines()
    assert "data/" in ignored and not [line for line in ignored if ".pth" in line and not line.startswith("#")]


def test_the_workflow_fetches_the_grader_with_the_secret_and_reports_to_classroom(steps):
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses[:2] == ["actions/checkout", "actions/checkout"] and "with" not in steps[0]
    assert steps[1]["with"] == {"repository": "${{ vars.GRADER_REPOSITORY }}", "token": "${{ secrets.GRADER_TOKEN }}",
                                "path": "grader"}
    python = steps[uses.index("actions/setup-python")]["with"]
    assert python == {"python-version": "3.11", "cache": "pip", "cache-dependency-path": "grader/requirements.txt"}
    cached = steps[uses.index("actions/cache")]["with"]["path"].split()
    assert cached == ["grader/.venv", "grader/data"]
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    # the reporter reads each runner's result from the variable <RUNNER ID>_RESULTS
    runner = reporter["with"]["runners"]
    assert reporter["env"] == {f"{runner.upper()}_RESULTS": f"${{{{ steps.{runner}.outputs.result }}}}"}
    assert runner in [step.get("id") for step in steps[:-1]]
    for step in steps:
        assert "\n" not in step.get("run", "").strip(), "the logic belongs in the CLI: one line per run"
        assert "secrets." not in json.dumps(step) or step is steps[1], "the token goes to the checkout alone"


def test_the_workflow_grades_a_push(student_repo, steps, config, assignment, tmp_path):
    workspace = tmp_path / "hw2-alice"  # GitHub checks the student repository out into GITHUB_WORKSPACE
    shutil.copytree(student_repo, workspace)
    reference, _ = build_examples(out_dir=tmp_path / "examples", assignment=assignment)
    for path in reference.iterdir():  # the student's answers: the solution notebook and the reference weights
        shutil.copy(path, workspace)
    (workspace / "grader").symlink_to(config.root)  # what the grader checkout step puts there
    (tmp_path / "runner").mkdir()
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {**os.environ, "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(tmp_path / "runner"),
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    for step in (s for s in steps if "run" in s):
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace / step.get("working-directory", "."),
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout}{done.stderr}"

    [line] = output.read_text().splitlines()
    name, _, encoded = line.partition("=")
    result = json.loads(base64.b64decode(encoded, validate=True))
    assert name == "result" and result["version"] == 1 and result["status"] == "pass"
    assert result["max_score"] == 12 and sum(test["score"] for test in result["tests"]) == 12
    assert len(result["tests"]) > 10 and {t["status"] for t in result["tests"]} == {"pass"}
    assert all({"name", "status", "score", "message", "line_no", "test_code"} <= set(t) for t in result["tests"])
    page = summary.read_text()
    assert "# Homework 2 feedback: hw2-alice" in page and "**Autograded score: 12 / 12**" in page
    assert (tmp_path / "runner" / "grades" / "hw2-alice" / "results.json").is_file()
    # the page with pictures is kept as the run's artifact, and the summary says where it is
    [upload] = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    pattern = upload["with"]["path"].replace("${{ runner.temp }}", str(tmp_path / "runner"))
    assert [p.name for p in Path("/").glob(pattern.lstrip("/"))] == ["feedback.html"]
    assert upload["if"] == "always()" and f"artifact `{upload['with']['name']}`" in page


def test_a_failed_or_ungraded_submission_fails_the_job():
    lost = GradeResult("bob", [CheckResult("test_a", "transform", "transform", 0.5, 0.0, "no Resize")])
    assert classroom_result(lost)["status"] == "fail" and classroom_result(lost)["tests"][0]["message"] == "no Resize"
    broken = classroom_result(GradeResult("carol", [], error="internal grader error", graded=False))
    assert broken["status"] == "error" and broken["message"] == "internal grader error" and broken["tests"] == []
