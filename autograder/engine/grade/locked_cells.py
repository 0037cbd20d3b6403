"""Locked cells run as released, never as submitted: what nbgrader's OverwriteCells does, for the cells grading runs.

A locked cell holds the course's own code (model classes, data setup). A student who edits one, say so that a
given ``forward`` returns its input, would otherwise change what the checks measure. Import statements a
student added to a locked cell are kept (after the released code): a solution cell may import the same modules,
so keeping them grants nothing, and dropping them would break honest work that only put an import there.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.notebook import PARAMETERS, read_cells


@cache
def released_locked_cells(release_notebook: Path) -> dict[str, str]:
    """Source of each locked, non-solution code cell of the released notebook, by grade_id, and of its parameters
    cell, locked or not: grading runs it as released (the grader's overrides, such as data_root, follow it)."""
    return {c["nbgrader"]["grade_id"]: c["source"] for c in read_cells(release_notebook)
            if c["cell_type"] == "code" and isinstance(c["nbgrader"].get("grade_id"), str)
            and (c["nbgrader"]["grade_id"] == PARAMETERS
                 or c["nbgrader"].get("locked") and not c["nbgrader"].get("solution"))}


def _imports(source: str) -> list[str]:
    """The source of each top-level import statement (none when the code does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [ast.get_source_segment(source, node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def restore_locked(sources: dict[str, str], *, assignment: Assignment) -> tuple[dict[str, str], list[str]]:
    """``sources`` with every locked cell grading runs replaced by its released source; a note per changed cell."""
    released = released_locked_cells(assignment.release_notebook)
    restored, notes = dict(sources), []
    for grade_id in dict.fromkeys((*assignment.settings.definition_cells, PARAMETERS)):
        original = released.get(grade_id)
        if original is None or sources.get(grade_id, "").strip() == original.strip():
            continue
        if grade_id not in sources:
            notes.append(f"the locked cell `{grade_id}` is missing from your notebook; it was graded as released")
            restored[grade_id] = original
            continue
        kept = [line for line in _imports(sources[grade_id]) if line not in _imports(original)]
        restored[grade_id] = "\n".join([original, *kept])
        notes.append(f"the locked cell `{grade_id}` differs from the released notebook; it was graded as released"
                     + (f", keeping the imports you added ({'; '.join(kept)})" if kept else "")
                     + ": locked cells are the course's code, put your own code in the cells marked YOUR CODE HERE")
    return restored, notes
