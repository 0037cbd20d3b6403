"""Read a notebook's code cells by nbgrader grade_id, and run selected ones (trusted notebooks only)."""

from __future__ import annotations

from pathlib import Path

import nbformat


class NotebookError(ValueError):
    """The notebook cannot be read as an assignment notebook; the message says why."""


def cells_by_grade_id(path: Path) -> dict[str, str]:
    """Source of every code cell that carries an nbgrader grade_id, keyed by that id."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as error:  # nbformat raises several unrelated types for unreadable files
        raise NotebookError(f"{path.name} is not a readable notebook ({type(error).__name__}: {error})") from None
    cells = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id:
            cells[grade_id] = cell.source
    return cells


def run_trusted_cells(path: Path, grade_ids: tuple[str, ...], overrides: dict) -> dict:
    """Execute the listed cells of a *trusted* notebook in a fresh namespace; ``overrides`` follow the parameters cell.

    Only for the solution notebook: student notebooks are run in a separate process by the grader.
    """
    sources = cells_by_grade_id(path)
    namespace: dict = {"__name__": "__notebook__"}
    for grade_id in grade_ids:
        exec(compile(sources[grade_id], f"<{path.name}:{grade_id}>", "exec"), namespace)
        if grade_id == "parameters":
            namespace.update(overrides)
    return namespace
