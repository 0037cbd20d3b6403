"""Classroom 50: the autograder written for autograders/<slug>/, run here the way the runner runs it (in the
student's checkout, with the runner's environment variables), restores the grader from its cache, grades the
commit and leaves a result.json that meets the contract field by field (foundation50/classroom50:
wiki/Advanced-Autograding.md "The result.json contract", schemas/result-v1.schema.json, runner.py::validate_result)."""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from autograder.cli import main
from autograder.engine.examples import build_examples
from autograder.engine.grade import GradeResult
from autograder.engine.grade.run_checks import CheckResult
from autograder.engine.platforms.classroom50 import Classroom50Error, classroom50_result, point_scale, write_autograder

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$")  # the schema's datetime pattern
REQUIRED = {"schema", "classroom", "assignment", "assignment_type", "owner", "submission", "commit", "release",
            "review", "datetime", "score", "max-score", "tests"}
OPTIONAL = {"graded_at", "submitted_by"}  # the schema allows no other top-level field
RUNNER_ENV = {"CLASSROOM": "dl-fall-2026", "ASSIGNMENT": "hw2-lenet", "OWNER": "alice", "USERNAME": "alice",
              "ASSIGNMENT_TYPE": "individual", "SUBMISSION_TAG": "submit/2026-11-30T12-00-00Z-0123abc",
              "COMMIT_URL": "https://github.com/course/dl-fall-2026-hw2-lenet-alice/commit/0123abc",
              "RELEASE_URL": "https://github.com/course/dl-fall-2026-hw2-lenet-alice/releases/tag/submit%2F2026",
              "REVIEW_URL": "https://github.com/course/dl-fall-2026-hw2-lenet-alice/compare/base...0123abc",
              "PAGES_BASE_URL": "https://course.github.io/classroom50", "GITHUB_ACTOR": "alice",
              "GITHUB_ACTOR_ID": "1234"}


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def git(*arguments, cwd, env=None):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments], cwd=cwd, check=True,
                   capture_output=True, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def graded(tmp_path_factory, config, assignment):
    """The autograder run once on a submission of the reference solution committed on 2026-11-30."""
    root = tmp_path_factory.mktemp("classroom50")
    autograder = root / "autograders" / "hw2-lenet"
    write_autograder(out=autograder, assignment=assignment, grader_url=str(config.root), grader_ref="HEAD",
                     runs_on=["ubuntu-latest"])
    checkout = root / "dl-fall-2026-hw2-lenet-alice"
    shutil.copytree(build_examples(out_dir=root / "examples", assignment=assignment)[0], checkout)
    git("init", "--quiet", cwd=checkout)
    git("add", ".", cwd=checkout)
    git("commit", "--quiet", "-m", "hw2", cwd=checkout, env={"GIT_COMMITTER_DATE": "2026-11-30T12:00:00Z"})
    # the cache an earlier submission left on a self-hosted runner: the grader's checkout with its environment
    # and MNIST (this repository's own, so that nothing is installed here)
    grader = root / "cache" / "grader"
    subprocess.run(["git", "clone", "--quiet", str(config.root), str(grader)], check=True)
    (grader / ".venv").symlink_to(config.root / ".venv")
    # copied: the student's process is confined to the grader's folder, where a link out of it leads nowhere
    shutil.copytree(config.root / "data" / "MNIST", grader / "data" / "MNIST")
    for prerequisite in ("requirements.txt", "pyproject.toml"):  # installed after they were written: nothing to do
        os.utime(grader / prerequisite, (0, 0))
    subprocess.run(["git", "update-index", "--refresh", "-q"], cwd=grader)  # as git saw the file after the last run
    output = root / "github_output"
    env = {**os.environ, **RUNNER_ENV, "COURSE_GRADER_CACHE": str(root / "cache"), "GITHUB_OUTPUT": str(output),
           "RUNNER_TEMP": str(root)}
    done = subprocess.run([sys.executable, str(autograder / "autograder.py")], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pip install" not in done.stdout + done.stderr, "the cached environment was reinstalled"
    return checkout, output


def test_the_result_meets_the_contract_field_by_field(graded):
    checkout, _ = graded
    result = json.loads((checkout / "result.json").read_text())
    assert REQUIRED <= set(result) and set(result) <= REQUIRED | OPTIONAL
    assert result["schema"] == "classroom50/result/v1"
    # identity: the runner's, so that the collector files the score under the right repository
    assert (result["classroom"], result["assignment"], result["owner"]) == ("dl-fall-2026", "hw2-lenet", "alice")
    assert result["assignment_type"] in ("individual", "group")
    assert result["submission"] == RUNNER_ENV["SUBMISSION_TAG"] and result["submission"].startswith("submit/")
    assert (result["commit"], result["release"], result["review"]) == (
        RUNNER_ENV["COMMIT_URL"], RUNNER_ENV["RELEASE_URL"], RUNNER_ENV["REVIEW_URL"])
    assert result["datetime"] == "2026-11-30T12:00:00Z", "the graded commit's committer date"
    assert TIME.match(result["graded_at"]) and result["graded_at"] > result["datetime"]
    assert result["submitted_by"] == {"username": "alice", "id": 1234}
    assert is_count(result["score"]) and is_count(result["max-score"]) and result["score"] <= result["max-score"]
    tests = result["tests"]
    assert len(tests) > 10 and result["score"] == sum(t["score"] for t in tests)
    assert result["max-score"] == sum(t["max-score"] for t in tests)
    for test in tests:
        assert isinstance(test["test-name"], str) and test["test-name"] and isinstance(test["passed"], bool)
        assert is_count(test["score"]) and is_count(test["max-score"]) and test["score"] <= test["max-score"]
        assert test["passed"] and test["message"] == "" and test["cell"]
    # whole points in quarters: 48 of them are the 12 points, each check's own points beside its count
    assert result["max-score"] == result["score"] == 48 and sum(t["max_points"] for t in tests) == 12
    assert all(t["max-score"] == 4 * t["max_points"] for t in tests)


def test_the_feedback_goes_with_the_release_and_the_commit_status(graded):
    checkout, output = graded
    body = (checkout / "release-body.md").read_text()
    assert "**Autograded score: 12 / 12**" in body and "`feedback.html` among this Release's assets" in body
    assert "48 of them make the 12 points" in body
    assert "<html" in (checkout / "feedback.html").read_text()[:500].lower()
    assert output.read_text().splitlines() == ["status=success", "summary=12 / 12 points"]


def test_the_command_writes_the_autograder_and_its_runtime_block(tmp_path, capsys):
    out = tmp_path / "hw2"
    assert main(["classroom50", "--assignment", "hw2", "--out", str(out), "--grader-url",
                 "https://github.com/course/grader.git", "--runs-on", "self-hosted", "--runs-on", "gpu"]) == 0
    text = (out / "autograder.py").read_text()
    assert 'GRADER_URL = "https://github.com/course/grader.git"' in text and 'ASSIGNMENT = "hw2"' in text
    assert not re.search(r"@[A-Z_]+@", text)
    compile(text, "autograder.py", "exec")
    assert json.loads((out / "runtime.json").read_text()) == {"runs-on": ["self-hosted", "gpu"], "python": "3.11"}
    assert "release_assets" in capsys.readouterr().out


def test_an_ungraded_submission_and_a_missing_runner_variable():
    broken = GradeResult("alice", [], error="internal grader error", graded=False)
    now = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.timezone.utc)
    result = classroom50_result(broken, env=RUNNER_ENV, submitted=now, graded_at=now)
    assert (result["score"], result["max-score"], result["tests"]) == (0, 0, [])  # the runner's own error shape
    with pytest.raises(Classroom50Error, match="SUBMISSION_TAG"):
        classroom50_result(broken, env={k: v for k, v in RUNNER_ENV.items() if k != "SUBMISSION_TAG"},
                           submitted=now, graded_at=now)
    assert point_scale([CheckResult("a", "a", "c", 0.25, 0, ""), CheckResult("b", "b", "c", 1.5, 0, "")]) == 4
    assert point_scale([CheckResult("a", "a", "c", 2.0, 0, "")]) == 1
