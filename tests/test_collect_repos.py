"""Collecting a class from its git repositories: local bare repositories stand in for the remotes. The commit graded
is the last one before the deadline; a repository without one, an empty one and one that cannot be cloned are
reported for their student while the others are graded; a re-run grades nothing again."""

import csv
import os
import shutil
import subprocess

import pytest

from autograder.cli import main
from autograder.engine.examples import build_examples
from autograder.engine.platforms.collect_repos import RosterError, check_out, parse_deadline, read_roster

DEADLINE = "2026-12-01T23:59:00+01:00"


def commit(work, message, date):
    subprocess.run(["git", "add", "--all", "."], cwd=work, check=True)
    subprocess.run(["git", "-c", "user.name=s", "-c", "user.email=s@s", "commit", "--quiet", "-m", message], cwd=work,
                   check=True, env={**os.environ, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date})
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def remotes(tmp_path_factory, assignment):
    root = tmp_path_factory.mktemp("remotes")
    reference, blank = build_examples(out_dir=root / "examples", assignment=assignment)
    commits = {}
    for student, history in {"alice": [(reference, "2026-11-30T10:00:00Z"), (blank, "2026-12-02T10:00:00Z")],
                             "bob": [(reference, "2026-12-03T09:00:00Z")]}.items():
        work = root / "work" / student
        work.mkdir(parents=True)
        subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(work)], check=True)
        for files, date in history:
            for path in (p for p in work.iterdir() if p.is_file()):
                path.unlink()
            for path in files.iterdir():
                shutil.copy(path, work)
            commits.setdefault(student, []).append(commit(work, f"work of {date}", date))
        subprocess.run(["git", "clone", "--quiet", "--bare", str(work), str(root / f"{student}.git")], check=True)
    subprocess.run(["git", "init", "--quiet", "--bare", str(root / "dave.git")], check=True)  # never pushed to
    roster = root / "roster.csv"
    roster.write_text("student,repository\n"
                      f"alice,{root / 'alice.git'}\n"
                      f"bob,file://{root / 'bob.git'}\n"
                      f"carol,{root / 'no-such-repository.git'}\n"
                      f"dave,{root / 'dave.git'}\n")
    return roster, commits


@pytest.fixture(scope="module")
def collected(remotes, tmp_path_factory):
    roster, commits = remotes
    out = tmp_path_factory.mktemp("class") / "hw2"
    code = main(["collect", "--assignment", "hw2", "--roster", str(roster), "--out", str(out), "--deadline", DEADLINE,
                 "--no-progress"])
    return out, commits, code


def test_the_last_commit_before_the_deadline_is_graded(collected):
    out, commits, code = collected
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert list(rows) == ["alice", "bob", "carol", "dave"], "every student of the roster, in its order"
    alice = rows["alice"]
    assert alice["commit"] == commits["alice"][0] != commits["alice"][1]
    assert alice["committed"].startswith("2026-11-30T10:00:00") and alice["repository"].endswith("alice.git")
    assert (alice["score"], alice["max_score"], alice["error"]) == ("12", "12", "")
    assert (out / "alice" / "feedback.html").is_file() and (out / "alice" / "result.json").is_file()


def test_a_missing_commit_an_empty_and_a_broken_repository_are_reported_not_fatal(collected):
    out, _, code = collected
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert code == 1, "the command says that not everyone was graded"
    assert rows["bob"]["error"] == "no commit before the deadline (2026-12-01T23:59:00+01:00)"
    assert rows["carol"]["error"].startswith("could not clone ") and "no-such-repository.git" in rows["carol"]["error"]
    assert rows["dave"]["error"].endswith("dave.git has no commits")
    for student in ("bob", "carol", "dave"):
        assert rows[student]["score"] == rows[student]["commit"] == "", student


def test_a_rerun_fetches_and_grades_nothing_again(collected, remotes, capsys):
    out, commits, _ = collected
    roster, _ = remotes
    stored = (out / "alice" / "result.json").stat().st_mtime_ns
    assert main(["collect", "--assignment", "hw2", "--roster", str(roster), "--out", str(out), "--deadline", DEADLINE,
                 "--no-progress"]) == 1
    assert f"alice  {commits['alice'][0][:12]}  12.00 / 12" in capsys.readouterr().out
    assert (out / "alice" / "result.json").stat().st_mtime_ns == stored, "alice was graded again"


def test_without_a_deadline_the_newest_commit_is_checked_out(remotes, tmp_path):
    roster, commits = remotes
    entry = check_out("alice", read_roster(roster)[0][1], folder=tmp_path / "alice", deadline=None)
    assert entry.commit == commits["alice"][1] and not entry.error
    assert (tmp_path / "alice" / "hw2.ipynb").is_file() and not list((tmp_path / "alice").glob("*.pth"))


def test_a_roster_or_deadline_that_cannot_be_used_says_why(tmp_path):
    roster = tmp_path / "roster.csv"
    for text, message in [("name,url\nalice,a.git\n", "needs the columns student,repository"),
                          ("student,repository\nalice,a.git\nalice,b.git\n", "line 3: alice is in the roster twice"),
                          ("student,repository\n../alice,a.git\n", "cannot name a folder"),
                          ("student,repository\nalice,\n", "line 2: alice has no repository")]:
        roster.write_text(text)
        with pytest.raises(RosterError, match=message):
            read_roster(roster)
    roster.write_text("student, repository\nalice, a.git\n\n")
    assert read_roster(roster) == [("alice", "a.git")]
    with pytest.raises(RosterError, match="no time zone"):
        parse_deadline("2026-12-01T23:59:00")
    with pytest.raises(RosterError, match="not an ISO 8601"):
        parse_deadline("next Friday")
