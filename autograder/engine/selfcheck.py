"""Self-checks: the locked cells whose grade_id starts with ``check_``, placed after each graded cell of a notebook
and one at its end ("before you submit"). Students run them to see structural mistakes before submitting; the
grader never runs them (they are not definition cells) and they carry no points.

``run_selfchecks`` executes a notebook's definition cells and self-checks as a student's kernel would, without
training or plotting cells; ``selfcheck_report`` runs them on an assignment's fixture library and says which of
the fixtures that lose points for a structural reason a self-check would have caught before submission.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.notebook import NotebookError, graded_code_cells

CHECK_PREFIX = "check_"
# Fixtures that attack the grader (fork bombs, forged answers) rather than make a student's mistake: a self-check
# is not meant for them, and they must not run outside the grader's jail.
ATTACK_PREFIXES = ("hostile_", "forgery_")
# What a lost weight check says when the file itself is the problem (autograder/engine/grade/probing.py, trusted.py).
WEIGHT_FILE_PROBLEMS = ("is not in the submission", "is not a readable PyTorch weight file", "holds a pickled object",
                        "does not fit")

# Runs in a fresh interpreter, one job after another, each in its own namespace with the job's folder as working
# folder (where the weight files lie): the cells in order, each stopped after `cell_seconds`. IPython's input history
# `In` holds every code cell, as after running the notebook from the top (the before-you-submit check compares it
# with the notebook on disk), though training and plotting cells are not executed. Cells' own output goes to
# stderr; stdout carries the verdicts.
_RUNNER = """
import contextlib, json, os, signal, sys

def stop(signum, frame):
    raise TimeoutError(f"the cell ran longer than {job['cell_seconds']} s")

signal.signal(signal.SIGALRM, stop)
results = []
for job in json.load(sys.stdin):
    os.chdir(job["folder"])
    namespace, verdicts = {"__name__": "__main__", "In": ["", *job["history"]]}, {}
    for grade_id, source in job["cells"]:
        signal.alarm(job["cell_seconds"])
        try:
            with contextlib.redirect_stdout(sys.stderr):
                exec(compile(source, f"<cell {grade_id}>", "exec"), namespace)
            verdicts[grade_id] = ""
        except BaseException as error:
            verdicts[grade_id] = f"{type(error).__name__}: {error}"
        finally:
            signal.alarm(0)
        if grade_id == "parameters":
            namespace.update(job["overrides"])
    results.append(verdicts)
print(json.dumps(results))
"""


def check_ids(notebook: Path) -> list[str]:
    """The grade_ids of the notebook's self-check cells, in order."""
    return [grade_id for grade_id, _ in graded_code_cells(notebook) if grade_id.startswith(CHECK_PREFIX)]


def _job(folder: Path, assignment: Assignment, config: Config, cell_seconds: int) -> dict | None:
    """What the runner needs for the notebook ``<id>.ipynb`` in ``folder``; None when it cannot be read."""
    try:
        code = graded_code_cells(Path(folder) / f"{assignment.id}.ipynb")
    except NotebookError:
        return None
    cells = [(grade_id, source) for grade_id, source in code
             if grade_id in assignment.settings.definition_cells or grade_id.startswith(CHECK_PREFIX)]
    return {"folder": str(folder), "cells": cells, "history": [source for _, source in code],
            "overrides": {"data_root": str(config.data_root)}, "cell_seconds": cell_seconds}


def run_selfchecks(submissions: list[tuple[Path, Assignment]], *, config: Config = Config(), cell_seconds: int = 30,
                   timeout: float = 600) -> list[dict[str, str]]:
    """For each (folder, assignment): {check grade_id: "" when it passed, else its error}, the notebook's definition
    cells and self-checks run in order as a student's kernel would run them (no training, no plots), all in one
    fresh process (torch is imported once).

    A definition cell that raised leaves the checks after it to fail, as in a student's kernel. ``{}`` for a
    folder whose notebook cannot be read; every check fails with the reason when the process does not finish.
    """
    jobs = [_job(folder, assignment, config, cell_seconds) for folder, assignment in submissions]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONPATH": str(config.root)}
    try:
        done = subprocess.run([sys.executable, "-c", _RUNNER], input=json.dumps([j for j in jobs if j]), env=env,
                              capture_output=True, text=True, timeout=timeout)
        results = iter(json.loads(done.stdout.strip().splitlines()[-1]))
    except (subprocess.TimeoutExpired, IndexError, ValueError) as error:
        reason = f"the cells did not finish ({type(error).__name__})"
        results = iter([{grade_id: reason for grade_id, _ in job["cells"]} for job in jobs if job])
    verdicts = [next(results) if job else {} for job in jobs]
    return [{grade_id: message for grade_id, message in v.items() if grade_id.startswith(CHECK_PREFIX)}
            for v in verdicts]


@dataclass
class FixtureVerdict:
    name: str
    lost: list[str]                 # the hidden checks it loses ("all": every check)
    structural: list[str]           # those lost for a structural reason
    failed_checks: dict[str, str] = field(default_factory=dict)  # self-check grade_id: its message

    @property
    def caught(self) -> bool:
        return bool(self.failed_checks)


@dataclass
class SelfcheckReport:
    assignment: str
    structural: list[FixtureVerdict]
    skipped: dict[str, str]         # fixture: why it is not counted

    @property
    def caught(self) -> list[FixtureVerdict]:
        return [verdict for verdict in self.structural if verdict.caught]

    @property
    def share(self) -> float:
        return len(self.caught) / len(self.structural) if self.structural else 1.0

    def __str__(self) -> str:
        lines = [f"{self.assignment}: a self-check catches {len(self.caught)} of the {len(self.structural)} fixtures "
                 f"that lose points for a structural reason ({self.share:.0%})"]
        for verdict in self.structural:
            first = next(iter(verdict.failed_checks.items()), None)
            said = f"caught by {first[0]}: {' '.join(first[1].split())[:240]}" if first else "NOT caught"
            lines.append(f"  {verdict.name} (loses {', '.join(verdict.structural)}): {said}")
        lines += [f"  not counted: {name} ({why})" for name, why in sorted(self.skipped.items())]
        return "\n".join(lines)


def structural_losses(assignment: Assignment, wanted: dict) -> list[str]:
    """The checks a fixture's ``expected.json`` loses for a structural reason: a check the assignment lists in
    ``structural_checks``, or a weight check lost because of the file itself (missing, unreadable, does not fit)."""
    structural = assignment.settings.structural_checks
    if wanted["lost"] == "all":
        return [] if "message" in wanted else list(structural)  # a message: no notebook to grade at all
    return [check for check, message in wanted["lost"].items()
            if check in structural or any(problem in message for problem in WEIGHT_FILE_PROBLEMS)]


def selfcheck_report(*, assignment: Assignment, config: Config = Config(), names: list[str] | None = None,
                     root: Path | None = None) -> SelfcheckReport:
    """Which fixtures of ``assignment`` (all, or ``names``) lose points for a structural reason, and whether a
    self-check of their notebook fails; the fixtures are built under ``root`` (default: a temporary folder)."""
    from autograder.engine.fixtures import build_submission, expected, fixture_names

    names = fixture_names(assignment) if names is None else names
    counted, skipped = {}, {}
    for name in names:
        wanted = expected(assignment, name)
        losses = structural_losses(assignment, wanted)
        if name.startswith(ATTACK_PREFIXES):
            skipped[name] = "an attack on the grader, not a student's mistake"
        elif not losses:
            skipped[name] = "loses no point for a structural reason" if wanted["lost"] else "loses no point"
        else:
            counted[name] = FixtureVerdict(name, list(wanted["lost"]) if wanted["lost"] != "all" else ["all"], losses)
    with tempfile.TemporaryDirectory(prefix=f"{assignment.id}-selfchecks-") as scratch:
        folders = [build_submission(assignment.fixtures_dir / name, Path(root or scratch) / name, config=config,
                                    assignment=assignment) for name in counted]
        for verdict, checks in zip(counted.values(), run_selfchecks([(f, assignment) for f in folders], config=config)):
            verdict.failed_checks = {grade_id: message for grade_id, message in checks.items() if message}
    return SelfcheckReport(assignment.id, list(counted.values()), skipped)
