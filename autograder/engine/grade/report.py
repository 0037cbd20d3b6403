"""What grading writes: Gradescope's results.json, a feedback page for the student, and the class's grades.csv.

Every message a student reads goes through ``student_feedback`` first: cells named as the notebook shows them (the
heading of their section and their place in it, never nbgrader's hidden grade_id), an unfilled cell said once with
the checks that depend on it under it, errors quoted with the student's own line, and what the grading read
(provenance). feedback.md, feedback.html, Gradescope's results and the GitHub summary all render that one view.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.notebook import cell_names, cell_points, read_cells

STUB = "### YOUR CODE HERE ###"
# a released line left for the student to complete holds the stub, or a `_` standing for a number to fill in
_BLANK = re.compile(r"(?<![\w.])_(?![\w])")
# what a weight check's message says after a lost point: the usual causes (training), dropped when an earlier check
# of the notebook's code lost points (that mistake, not training, may be the cause; another model's training is not)
USUAL_CAUSES = " Usual causes:"
_ERROR_PLACE = re.compile(r" \(cell (\w+), line (\d+)\)")
_CELL = re.compile(r"\bthe (locked )?cell `(\w+)`")


@dataclass
class Lost:
    """A lost check as the student reads it: ``message`` in the notebook's words."""

    check: object  # run_checks.CheckResult
    message: str


@dataclass
class Unfilled:
    """A solution cell still holding the released stub: ``line``, the first stub line left in it (1-based place and
    text), and the lost checks that depend on it."""

    cell: str
    name: str
    line: tuple[int, str]
    checks: list = field(default_factory=list)

    @property
    def sentence(self) -> str:
        number, text = self.line
        what = f"`{STUB}`" if STUB in text else "`_` blanks"
        where = f"line {number}" if text == STUB else f"line {number}: `{text}`"
        return f"{capitalised(self.name)} still holds {what} ({where}): fill it in"

    @property
    def waiting(self) -> str:
        return f"{len(self.checks)} check{'s wait' if len(self.checks) > 1 else ' waits'} on it"


@dataclass
class StudentFeedback:
    """One graded submission as the student reads it, in notebook order."""

    result: object  # grader.GradeResult
    title: str
    names: dict[str, str]        # graded cell -> how the student finds it
    unfilled: list[Unfilled]     # each with the lost checks it explains
    lost: list[Lost]             # the other lost checks
    notes: list[str]
    manual: list[dict]           # the written answers: {"cell": name, "points": p}
    graded_at: str
    files: list[tuple[str, int, str]]  # (name, bytes, SHA-256 prefix) of every file graded
    has_models: bool             # whether the assignment grades submitted weight files

    def cell(self, grade_id: str) -> str:
        return self.names.get(grade_id, "a graded cell")

    def message(self, check) -> str:
        """The check's message in the student's words ("" for a passed check or one said by its unfilled cell)."""
        return next((lost.message for lost in self.lost if lost.check is check), "")

    def unfilled_cell(self, check) -> Unfilled | None:
        return next((u for u in self.unfilled if any(c is check for c in u.checks)), None)

    def to_fix(self) -> list[Unfilled | Lost]:
        """The unfilled cells and the other lost checks, in the notebook's order (an unfilled cell where its first
        check is)."""
        order = {id(check): index for index, check in enumerate(self.result.checks)}
        return sorted([*self.unfilled, *self.lost],
                      key=lambda item: order[id(item.checks[0] if isinstance(item, Unfilled) else item.check)])


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def student_words(text: str, names: dict[str, str], sources: dict[str, str]) -> str:
    """``text`` with every graded cell named as the notebook shows it, and an error's place in a cell given as the
    line the student wrote."""
    def place(match):
        cell, number = match.group(1), int(match.group(2))
        lines = sources.get(cell, "").splitlines()
        where = f"line {number} of {names.get(cell, 'a graded cell')}"
        return f" ({where}: `{lines[number - 1].strip()}`)" if 0 < number <= len(lines) and lines[number - 1].strip() \
            else f" ({where})"

    def cell(match):
        name = names.get(match.group(2))
        if name is None:
            return match.group(0)
        return f"{name} (a locked cell)" if match.group(1) else name

    return _CELL.sub(cell, _ERROR_PLACE.sub(place, text))


def _first_stub_line(source: str, released: str) -> tuple[int, str] | None:
    """The first line of ``source`` still holding a stub of the released cell (1-based), if any: a stub after code
    (``x = ### YOUR CODE HERE ###``, never valid Python), a released line with `_` blanks left as it was, or a stub
    on a line of its own in a cell left exactly as released (below such a line a student may have written the
    code and left the marker as a comment)."""
    blanks = {line.strip() for line in released.splitlines() if _BLANK.search(line)}
    unchanged = source.split() == released.split()
    for number, line in enumerate(source.splitlines(), 1):
        before, stub, _ = line.partition(STUB)
        if (stub and (before.strip() or unchanged)) or line.strip() in blanks:
            return number, line.strip()
    return None


def _solution_cells(release_notebook: Path) -> dict[str, str]:
    """The released source of every cell the student completes (nbgrader's solution cells), by grade_id."""
    return {c["nbgrader"]["grade_id"]: c["source"] for c in read_cells(release_notebook)
            if c["cell_type"] == "code" and c["nbgrader"].get("solution") and isinstance(c["nbgrader"].get("grade_id"), str)}


def graded_files(submission: Path | None, *, config: Config, assignment: Assignment) -> tuple[dict[str, str], list]:
    """The code cells grading read from ``submission`` (locked cells as released) and every file it graded, as
    (name, bytes, SHA-256 prefix); nothing for a folder that cannot be collected."""
    from autograder.engine.grade.collect import SubmissionError, collect, readable

    if submission is None:
        return {}, []
    try:
        collected = collect(Path(submission), config=config, assignment=assignment)
    except SubmissionError:
        return {}, []
    files = []
    for path in [collected.notebook, *(p for p in collected.weights.values() if p is not None)]:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files.append((readable(path.name), path.stat().st_size, digest.hexdigest()[:12]))
    return collected.sources, files


def student_feedback(result, *, assignment: Assignment, config: Config = Config(),
                     submission: Path | None = None) -> StudentFeedback:
    """``result`` as the student reads it; ``submission``, the folder graded, gives the cells' sources (to spot an
    unfilled cell and quote an error's line) and the files' sizes and hashes."""
    names = cell_names(assignment.release_notebook)
    sources, files = graded_files(submission, config=config, assignment=assignment)
    released = _solution_cells(assignment.release_notebook)
    unfilled: dict[str, Unfilled] = {}
    for grade_id in assignment.settings.definition_cells:
        if grade_id in released and grade_id in sources and (line := _first_stub_line(sources[grade_id], released[grade_id])):
            unfilled[grade_id] = Unfilled(grade_id, names.get(grade_id, "a graded cell"), line)
    lost, code_lost = [], False
    for check in result.checks:
        if check.score >= check.max_score:
            continue
        # a check depends on an unfilled cell when it belongs to it or its failure happened in it
        owner = check.cell if check.cell in unfilled else next(
            (cell for cell in unfilled if f"cell {cell}," in check.message or f"`{cell}`" in check.message), None)
        if owner is not None and not result.error:
            unfilled[owner].checks.append(check)
        else:
            message = student_words(check.message, names, sources)
            if code_lost and USUAL_CAUSES in message:
                message = message.split(USUAL_CAUSES)[0] + " Fix the lost checks above first: they may explain this one."
            lost.append(Lost(check, message))
        code_lost = code_lost or USUAL_CAUSES not in check.message
    manual = [{"cell": names.get(item["cell"], "a written answer"), "points": item["points"]}
              for item in manual_items(assignment)]
    return StudentFeedback(
        result, f"{assignment.settings.title} feedback: {result.submission}", names,
        [u for u in unfilled.values() if u.checks], lost,
        # a note about a cell still holding its stub (it "does not parse") is said by that cell's one line
        [student_words(note, names, sources) for note in result.notes
         if not any(f"`{cell}`" in note for cell in unfilled)], manual,
        datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), files, bool(assignment.settings.models))


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


def check_output(feedback: StudentFeedback, check) -> str:
    """What one check says to the student: its message, or the unfilled cell it waits on (passed: nothing)."""
    unfilled = feedback.unfilled_cell(check)
    return f"{unfilled.sentence}." if unfilled else feedback.message(check)


def written_answers(feedback: StudentFeedback) -> str:
    manual = feedback.manual
    return (f"{sum(i['points'] for i in manual):g} more points for the written answers "
            f"({'; '.join(i['cell'] for i in manual)}) await manual grading.")


def results_json(result, *, config: Config, assignment: Assignment, feedback: StudentFeedback | None = None) -> dict:
    """Gradescope's autograder results schema; ``feedback``: ``result`` as the student reads it (made here if
    not given, without the submission's sources)."""
    feedback = feedback or student_feedback(result, assignment=assignment, config=config)
    tests = [
        {
            "name": check.title,
            "number": f"{index + 1}",
            "score": check.score,
            "max_score": check.max_score,
            "status": "passed" if check.score == check.max_score else "failed",
            "output": check_output(feedback, check),
            "visibility": visibility(check, config=config, assignment=assignment),
        }
        for index, check in enumerate(result.checks)
    ]
    delayed = [check for test, check in zip(tests, result.checks) if test["visibility"] != "visible"]
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": (f"{result.error}\n" if result.error else "")
        + "".join(f"{u.sentence} ({u.waiting}).\n" for u in feedback.unfilled)
        + written_answers(feedback)
        + (f"\nThe results of {len(delayed)} checks ({sum(c.max_score for c in delayed):g} points) "
           f"{VISIBILITY[config.delayed_visibility]}." if delayed else ""),
        "output_format": "text",  # plain text: messages quote the student's code and errors, never meant as HTML
        "visibility": "visible",
        "tests": tests,
        "extra_data": {"awaiting_manual_grading": manual_items(assignment), "notes": feedback.notes},
    }


def provenance(feedback: StudentFeedback) -> str:
    """One sentence: what was graded, when, from which files."""
    files = "; ".join(f"{name} ({size:,} bytes, SHA-256 {digest}…)" for name, size, digest in feedback.files)
    return (f"{feedback.title.split(' feedback: ')[0]}, submission {feedback.result.submission}, graded "
            f"{feedback.graded_at}" + (f", from {files}." if files else "."))


def feedback_markdown(result, *, assignment: Assignment, config: Config = Config(),
                      feedback: StudentFeedback | None = None) -> str:
    """feedback.md (also the GitHub job summary): the total, what to fix in the notebook's order, every check."""
    feedback = feedback or student_feedback(result, assignment=assignment, config=config)
    lines = [f"# {feedback.title}", "", f"**Autograded score: {result.score:g} / {result.max_score:g}**", ""]
    if result.error:
        lines += [f"> {result.error}", ""]
    elif feedback.unfilled or feedback.lost:
        lines += ["## What to fix", ""]
        for item in feedback.to_fix():
            if isinstance(item, Unfilled):
                lines.append(f"- **{item.sentence}.** {item.waiting} "
                             f"({sum(c.max_score - c.score for c in item.checks):g} pt):")
                lines += [f"  - {c.title} ({c.max_score - c.score:g} pt)" for c in item.checks]
            else:
                check = item.check
                lines.append(f"- **{check.title}** ({check.max_score - check.score:g} pt, in "
                             f"{feedback.cell(check.cell)}): {item.message}")
        lines.append("")
    lines += ["| | check | points |", "| --- | --- | --- |"]
    for check in result.checks:
        mark = "passed" if check.score == check.max_score else "**lost**"
        lines.append(f"| {mark} | {check.title} | {check.score:g} / {check.max_score:g} |")
    if feedback.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in feedback.notes]
    manual = feedback.manual
    lines += ["", f"The written answers ({'; '.join(i['cell'] for i in manual)}; "
                  f"{sum(i['points'] for i in manual):g} points) are graded by the course staff.", "",
              f"_{provenance(feedback)}_", ""]
    return "\n".join(lines)


def write_reports(result, directory: Path, *, config: Config, assignment: Assignment,
                  submission: Path | None = None) -> StudentFeedback:
    """results.json, feedback.md and feedback.html of ``result`` in ``directory``; ``submission``: the folder
    graded (for the cells' sources and the files' hashes). Returns the student's view they were written from."""
    from autograder.engine.grade.feedback_page import feedback_html

    feedback = student_feedback(result, assignment=assignment, config=config, submission=submission)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(
        json.dumps(results_json(result, config=config, assignment=assignment, feedback=feedback), indent=2) + "\n")
    (directory / "feedback.md").write_text(feedback_markdown(result, assignment=assignment, feedback=feedback))
    (directory / "feedback.html").write_text(feedback_html(feedback))
    return feedback


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
