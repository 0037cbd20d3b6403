"""What grading writes: Gradescope's results.json, a feedback page for the student, and the class's grades.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.feedback_page import feedback_html
from autograder.engine.notebook import cell_points


def manual_items(assignment: Assignment) -> list[dict]:
    """The manually graded cells of the solution notebook (the written answers) and their points."""
    return [{"cell": cell, "points": points}
            for cell, points in cell_points(assignment.solution_notebook, "markdown").items()]


# Gradescope's visibility values, and what each means for a delayed check, in the words of the summary line.
VISIBILITY = {"visible": "", "hidden": "are not shown", "after_due_date": "are shown after the due date",
              "after_published": "are shown once grades are published"}


def visibility(check, *, config: Config, assignment: Assignment) -> str:
    """``config.delayed_visibility`` for the assignment's delayed checks, ``visible`` for the rest."""
    if config.delayed_visibility not in VISIBILITY:
        raise ValueError(f"delayed_visibility is {config.delayed_visibility!r}; set it to one of {', '.join(VISIBILITY)}")
    return config.delayed_visibility if check.name in assignment.settings.delayed_checks else "visible"


def results_json(result, *, config: Config, assignment: Assignment) -> dict:
    """Gradescope's autograder results schema."""
    manual = manual_items(assignment)
    waiting = sum(item["points"] for item in manual)
    tests = [
        {
            "name": check.title,
            "number": f"{index + 1}",
            "score": check.score,
            "max_score": check.max_score,
            "status": "passed" if check.score == check.max_score else "failed",
            "output": check.message,
            "visibility": visibility(check, config=config, assignment=assignment),
        }
        for index, check in enumerate(result.checks)
    ]
    delayed = [check for test, check in zip(tests, result.checks) if test["visibility"] != "visible"]
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": (f"{result.error}\n" if result.error else "")
        + f"{waiting} more points for the written answers ({', '.join(i['cell'] for i in manual)}) await manual grading."
        + (f"\nThe results of {len(delayed)} checks ({sum(c.max_score for c in delayed):g} points) "
           f"{VISIBILITY[config.delayed_visibility]}." if delayed else ""),
        "output_format": "text",  # plain text: messages quote the student's code and errors, never meant as HTML
        "visibility": "visible",
        "tests": tests,
        "extra_data": {"awaiting_manual_grading": manual, "notes": result.notes},
    }


def feedback_markdown(result, *, assignment: Assignment) -> str:
    lines = [f"# {assignment.settings.title} feedback: {result.submission}", "",
             f"**Autograded score: {result.score:g} / {result.max_score:g}**", ""]
    if result.error:
        lines += [f"> {result.error}", ""]
    lines += ["| | check | points |", "| --- | --- | --- |"]
    for check in result.checks:
        mark = "passed" if check.score == check.max_score else "**lost**"
        lines.append(f"| {mark} | {check.title} | {check.score:g} / {check.max_score:g} |")
    lost = [c for c in result.checks if c.score < c.max_score]
    if lost and not result.error:
        lines += ["", "## What to fix", ""]
        lines += [f"- **{c.title}** (cell `{c.cell}`, {c.max_score - c.score:g} pt): {c.message}" for c in lost]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in result.notes]
    manual = manual_items(assignment)
    lines += ["", f"The written answers ({', '.join(i['cell'] for i in manual)}; "
                  f"{sum(i['points'] for i in manual)} points) are graded by the course staff.", ""]
    return "\n".join(lines)


def write_reports(result, directory: Path, *, config: Config, assignment: Assignment) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(
        json.dumps(results_json(result, config=config, assignment=assignment), indent=2) + "\n")
    (directory / "feedback.md").write_text(feedback_markdown(result, assignment=assignment))
    (directory / "feedback.html").write_text(feedback_html(result, assignment=assignment, manual=manual_items(assignment)))


def write_summary(results: list, path: Path) -> None:
    """One row per submission: total, then each check's score, then why grading stopped if it did.

    Rewritten whole after every submission, through a temporary file, so a run stopped at any point
    leaves a complete table of what was graded before.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    names = next(([c.name for c in r.checks] for r in results if r.checks), [])
    partial = path.with_suffix(".partial")
    with open(partial, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "score", "max_score", *names, "error"])
        for r in results:
            scores = {c.name: f"{c.score:g}" for c in r.checks}
            writer.writerow([r.submission, f"{r.score:g}" if r.graded else "", f"{r.max_score:g}" if r.graded else "",
                             *[scores.get(name, "") for name in names], r.error or ""])
    partial.replace(path)
