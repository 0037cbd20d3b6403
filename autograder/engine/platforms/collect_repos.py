"""Collect a class from the students' own git repositories (any host, any URL git can clone, or a path): each one
cloned at its last commit before the deadline, then graded as a class with the usual workers and resume. A
repository that cannot be cloned, or has no commit before the deadline, costs that student a line in the
reports, never the class its grading."""

from __future__ import annotations

import csv
import datetime
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config

ROSTER_COLUMNS = ("student", "repository")
CHECKOUTS = ".checkouts"  # OUT/.checkouts/<student>: the clones, kept so that a re-run only fetches
STUDENT_NAME = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]*")  # a folder name on every system
GIT_TIMEOUT = 300  # seconds for one clone or fetch: a host that hangs costs one student, not the evening


class RosterError(Exception):
    pass


@dataclass
class Checkout:
    student: str
    repository: str
    folder: Path | None = None  # None: nothing to grade, ``error`` says why
    commit: str = ""
    committed: str = ""  # the commit's committer date, ISO 8601
    error: str = ""


def read_roster(path: Path) -> list[tuple[str, str]]:
    """The roster's (student, repository) rows; a roster that cannot be used says which line is wrong."""
    try:
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            header, rows = [name.strip() for name in reader.fieldnames or []], list(reader)
    except OSError as error:
        raise RosterError(f"cannot read the roster {path}: {error.strerror}") from error
    if not set(ROSTER_COLUMNS) <= set(header):
        raise RosterError(f"the roster {path} needs the columns {','.join(ROSTER_COLUMNS)} in its first line; it has "
                          f"{','.join(header) or 'none'}")
    entries, seen = [], set()
    for line, row in enumerate(rows, start=2):
        row = {str(name).strip(): value for name, value in row.items()}
        student, repository = (str(row.get(column) or "").strip() for column in ROSTER_COLUMNS)
        if not student and not repository:
            continue
        if not STUDENT_NAME.fullmatch(student):
            raise RosterError(f"{path} line {line}: the student {student!r} cannot name a folder; use letters, "
                              "digits and . _ - @ + only")
        if not repository:
            raise RosterError(f"{path} line {line}: {student} has no repository")
        if student in seen:
            raise RosterError(f"{path} line {line}: {student} is in the roster twice")
        seen.add(student)
        entries.append((student, repository))
    return entries


def parse_deadline(text: str) -> datetime.datetime:
    """An ISO 8601 instant with its time zone (``2026-12-01T23:59:00+01:00``, ``...Z``)."""
    try:
        deadline = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise RosterError(f"the deadline {text!r} is not an ISO 8601 date and time, e.g. 2026-12-01T23:59:00+01:00") \
            from error
    if deadline.tzinfo is None:
        raise RosterError(f"the deadline {text!r} has no time zone; add one (Z for UTC, or +01:00 say), or the "
                          "same deadline would fall at different instants on different machines")
    return deadline


def _git(*arguments, cwd: Path | None = None) -> subprocess.CompletedProcess:
    # no prompt for a password: a repository that wants one is reported, never waited on
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never"}
    return subprocess.run(["git", *arguments], cwd=cwd, env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT)


def _why(done: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"git exited with status {done.returncode}"


def check_out(student: str, repository: str, *, folder: Path, deadline: datetime.datetime | None) -> Checkout:
    """Clone (or, when ``folder`` holds an earlier clone, fetch) ``repository`` and check out the last commit of
    its default branch made before ``deadline`` (its newest commit without one). Commit dates are the students'
    own: git lets its author set them, so the host's push log is the evidence if one is contested."""
    entry = Checkout(student, repository)
    try:
        if (folder / ".git").is_dir():  # the roster may name another repository than last time
            _git("remote", "set-url", "origin", repository, cwd=folder)
            done = _git("fetch", "--quiet", "--force", "--prune", "origin", cwd=folder)
            done = done if done.returncode else _git("remote", "set-head", "origin", "--auto", cwd=folder)
        else:
            folder.parent.mkdir(parents=True, exist_ok=True)
            done = _git("clone", "--quiet", "--no-checkout", repository, str(folder))
        if done.returncode:
            entry.error = f"could not clone {repository}: {_why(done)}"
            return entry
        before = [f"--before={deadline.isoformat()}"] if deadline else []
        done = _git("rev-list", "-n", "1", *before, "refs/remotes/origin/HEAD", cwd=folder)
        if done.returncode:  # no origin/HEAD: the clone found no branch
            entry.error = f"{repository} has no commits"
            return entry
        if not done.stdout.strip():
            entry.error = f"no commit before the deadline ({deadline.isoformat()})"
            return entry
        entry.commit = done.stdout.strip()
        done = _git("checkout", "--quiet", "--force", "--detach", entry.commit, cwd=folder)
        if done.returncode:
            entry.error = f"could not check out {entry.commit}: {_why(done)}"
            return entry
        _git("clean", "-d", "--force", "-x", "--quiet", cwd=folder)  # nothing left from another commit
        entry.committed = _git("log", "-1", "--format=%cI", entry.commit, cwd=folder).stdout.strip()
        entry.folder = folder
    except subprocess.TimeoutExpired:
        entry.error = f"git gave no answer from {repository} within {GIT_TIMEOUT} s"
    return entry


def collect_class(*, roster: Path, out: Path, assignment: Assignment, config: Config = Config(),
                  deadline: datetime.datetime | None = None, workers: int = 1, scheduler: str | None = None,
                  force: bool = False, progress: bool = False) -> list[tuple[Checkout, object]]:
    """Check out every student's repository at the deadline into ``out``/.checkouts, grade those checked out
    (``grade_submissions``: reports in ``out/<student>/``, resumed on a re-run unless ``force``), and write
    ``out/grades.csv`` with every student of the roster, the repository and commit graded beside each score.
    Returns (checkout, result) per student, in the roster's order."""
    from autograder.engine.grade import GradeResult, grade_submissions
    from autograder.engine.grade.report import write_summary

    out = Path(out)
    checkouts = [check_out(student, repository, folder=out / CHECKOUTS / student, deadline=deadline)
                 for student, repository in read_roster(roster)]
    ready = {c.student: c.folder for c in checkouts if c.folder is not None}
    graded = {r.submission: r for r in grade_submissions(submissions=ready, out_dir=out, assignment=assignment,
                                                         config=config, workers=workers, scheduler=scheduler,
                                                         force=force, progress=progress)} if ready else {}
    results = [graded.get(c.student) or GradeResult(c.student, [], error=c.error, graded=False) for c in checkouts]
    write_summary(results, out / "grades.csv")
    _add_commits(out / "grades.csv", checkouts)
    return list(zip(checkouts, results))


def _add_commits(path: Path, checkouts: list[Checkout]) -> None:
    """Put each student's repository, commit and commit date after the submission column of grades.csv."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    by_student = {c.student: c for c in checkouts}
    rows[0][1:1] = ["repository", "commit", "committed"]
    for row in rows[1:]:
        c = by_student[row[0]]
        row[1:1] = [c.repository, c.commit, c.committed]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
