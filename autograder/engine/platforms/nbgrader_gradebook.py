"""What nbgrader's gradebook records for an assignment: the grader's points per graded cell, never executed outputs.

nbgrader's own autograde executes the notebook and scores a code cell from its outputs; for a cell marked
solution and grade, as every graded cell here is, ``nbgrader.utils.determine_grade`` gives no score at all
(0 when the cell is unchanged from the release) and ``SaveAutoGrades`` flags it for manual grading.
``SaveCheckScores`` takes ``SaveAutoGrades``'s place in ``nbgrader autograde`` (run with no ``Execute``:
the code is untrusted and would spend the training's full time) and records the grader's points for the cells it grades,
so that only the written answers are left to formgrader. This module is imported by nbgrader's process: no torch.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute, SaveAutoGrades
from traitlets import Unicode


def cell_scores(result) -> dict[str, dict]:
    """``{grade_id: {"score", "comment"}}`` from one GradeResult: its checks' points summed per notebook cell."""
    by_cell: dict[str, list] = {}
    for check in result.checks:
        by_cell.setdefault(check.cell, []).append(check)
    return {cell: {"score": sum(c.score for c in checks), "comment": _comment(checks, result.error)}
            for cell, checks in by_cell.items()}


def _comment(checks: list, error: str | None) -> str:
    """The cell's checks, for formgrader and nbgrader's HTML feedback (the checks feedback.md lists)."""
    lines = [f"Autograder: {sum(c.score for c in checks):g} / {sum(c.max_score for c in checks):g}"]
    lines += [error] if error else []
    lines += [f"- {c.title}: {c.score:g} / {c.max_score:g}" + (f" ({c.message})" if c.message else "") for c in checks]
    return "\n".join(lines)


class SaveCheckScores(SaveAutoGrades):
    """``SaveAutoGrades`` with the grader's points for the cells it graded; nbgrader's own rules for the others."""

    scores_file = Unicode(help="JSON file {student: cell_scores(...)} written by grade_course.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        self.scores = json.loads(Path(self.scores_file).read_text()).get(resources["nbgrader"]["student"], {})
        return super().preprocess(nb, resources)

    def _add_score(self, cell: NotebookNode, resources: ResourcesDict) -> None:
        graded = self.scores.get(cell.metadata.nbgrader.grade_id)
        if graded is None:  # a written answer, or a submission the grader failed on: left to manual grading
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata.nbgrader.grade_id, self.notebook_id, self.assignment_id,
                                          self.student_id)
        grade.auto_score = graded["score"]
        grade.needs_manual_grade = grade.manual_score is not None  # nbgrader's rule: a hand-set score gets reviewed
        self.gradebook.db.commit()

    def _add_comment(self, cell: NotebookNode, resources: ResourcesDict) -> None:
        graded = self.scores.get(cell.metadata.nbgrader.grade_id)
        if graded is None:
            return super()._add_comment(cell, resources)
        comment = self.gradebook.find_comment(cell.metadata.nbgrader.grade_id, self.notebook_id, self.assignment_id,
                                              self.student_id)
        comment.auto_comment = graded["comment"]
        self.gradebook.db.commit()


def autograde_preprocessors() -> list[str]:
    """nbgrader's autograde preprocessors without ``Execute`` and with ``SaveCheckScores`` for ``SaveAutoGrades``."""
    swap = {SaveAutoGrades: SaveCheckScores}
    kinds = (swap.get(kind, kind) for kind in Autograde.class_traits()["autograde_preprocessors"].default())
    return [f"{kind.__module__}.{kind.__qualname__}" for kind in kinds if kind is not Execute]


def scores_recorded(gradebook: Gradebook, *, assignment: str, notebook: str, student: str,
                    scores: dict[str, dict]) -> bool:
    """Whether the gradebook holds the grader's points for every cell it graded in the student's notebook."""
    try:
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
    except MissingEntry:
        return False
    recorded = {grade.name: grade.auto_score for grade in submitted.grades}
    return all(recorded.get(cell) is not None and math.isclose(recorded[cell], graded["score"])
               for cell, graded in scores.items())


def record_without_notebook(gradebook: Gradebook, *, assignment: str, student: str, scores: dict[str, dict],
                            timestamp=None) -> None:
    """A submission nbgrader's autograde cannot take (no notebook under the gradebook's name), recorded as
    ``Autograde.init_assignment`` records a missing notebook: every grade final, nothing left to grade by hand;
    with the grader's points where it graded a notebook under another name."""
    gradebook.update_or_create_student(student)
    gradebook.update_or_create_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
    for notebook in gradebook.find_assignment(assignment).notebooks:
        submitted = gradebook.find_submission_notebook(notebook.name, assignment, student)
        for grade in submitted.grades:
            grade.auto_score = scores.get(grade.name, {}).get("score", 0)
            grade.needs_manual_grade = False
        for comment in submitted.comments:
            if comment.name in scores:
                comment.auto_comment = scores[comment.name]["comment"]
    gradebook.db.commit()
