"""Read a notebook's cells by nbgrader grade_id, and run selected ones (trusted notebooks only)."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from pathlib import Path


class NotebookError(ValueError):
    """The notebook cannot be read as an assignment notebook; the message says why."""


def read_cells(path: Path) -> list[dict]:
    """Every cell as {cell_type, source, nbgrader}, read defensively from the notebook's JSON.

    Plain JSON rather than nbformat: a submission is untrusted and checked field by field here, and
    nbformat's import and schema validation would add over a second to every grading run.
    """
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        if not isinstance(cells, list):
            raise TypeError("cells is not a list")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise NotebookError(f"{Path(path).name} is not a readable notebook ({type(error).__name__}: "
                            f"{str(error)[:200]})") from None
    read = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        source = "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else source
        metadata = cell.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        read.append({"cell_type": cell.get("cell_type"), "source": source if isinstance(source, str) else "",
                     "nbgrader": nbgrader if isinstance(nbgrader, dict) else {}})
    return read


def code_cells(path: Path) -> list[tuple[str | None, str]]:
    """(grade_id, source) of every code cell in notebook order; grade_id None for a cell without one (added)."""
    return [(grade_id if isinstance(grade_id := cell["nbgrader"].get("grade_id"), str) else None, cell["source"])
            for cell in read_cells(path) if cell["cell_type"] == "code"]


PARAMETERS = "parameters"  # papermill's tag and the grade_id of every notebook's parameters cell


def with_parameters(cells: list[tuple[str | None, str]], definition_cells: tuple) -> tuple:
    """``definition_cells`` with the parameters cell at its place in the notebook (after the definition cell it
    follows) when the settings do not list it: graded cells may use the notebook's parameters (batch_size, seed,
    epochs), so grading always runs that cell, as released (``locked_cells``)."""
    if PARAMETERS in definition_cells or PARAMETERS not in (ids := [grade_id for grade_id, _ in cells]):
        return tuple(definition_cells)
    before = [grade_id for grade_id in ids[:ids.index(PARAMETERS)] if grade_id in definition_cells]
    at = definition_cells.index(before[-1]) + 1 if before else 0
    return (*definition_cells[:at], PARAMETERS, *definition_cells[at:])


def graded_code_cells(path: Path) -> list[tuple[str, str]]:
    """(grade_id, source) of every code cell that carries an nbgrader grade_id, in notebook order."""
    return [(grade_id, source) for grade_id, source in code_cells(path) if grade_id is not None]


def cell_points(path: Path, cell_type: str) -> dict[str, float]:
    """The nbgrader points of each graded cell of ``cell_type`` (code: autograded; markdown: written answers)."""
    return {c["nbgrader"]["grade_id"]: c["nbgrader"].get("points", 0) for c in read_cells(path)
            if c["nbgrader"].get("grade") and c["cell_type"] == cell_type}


def points(path: Path) -> tuple[float, float]:
    """The notebook's nbgrader points: (autograded code cells, manually graded markdown cells)."""
    return sum(cell_points(path, "code").values()), sum(cell_points(path, "markdown").values())


def cells_by_grade_id(path: Path) -> dict[str, str]:
    """Source of every code cell that carries an nbgrader grade_id, keyed by that id (the last of duplicates)."""
    return dict(graded_code_cells(path))


def _parsed_cells(path: Path, grade_ids: tuple[str, ...]):
    """Each listed cell's source and syntax tree (None for a cell that does not parse), in the notebook's order."""
    for grade_id, source in cells_by_grade_id(path).items():
        if grade_id in grade_ids:
            try:
                yield source, ast.parse(source)
            except SyntaxError:
                yield source, None


def imported_modules(path: Path, grade_ids: tuple[str, ...]) -> list[str]:
    """The modules the listed cells import at their top level (``from a.b import c``: ``a.b``), in order, once each;
    cells that do not parse are skipped."""
    modules: dict[str, None] = {}
    for _, tree in _parsed_cells(path, grade_ids):
        for node in tree.body if tree else ():
            if isinstance(node, ast.Import):
                modules.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules[node.module] = None
    return list(modules)


def unused_imports(paths: tuple[Path, ...], grade_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The modules that the listed cells of ``paths`` import only as ``import a.b`` or ``import a.b as c`` at their
    top level, binding a name no listed cell reads, and that no import loads on its way (``from a import b`` and
    ``import a.b`` load ``a``): loading them can wait until they are used. A cell that does not parse hides nothing:
    every word in it counts as a name read."""
    imported, names, loaded = {}, set(), set()
    for source, tree in (cell for path in paths for cell in _parsed_cells(path, grade_ids)):
        if tree is None:
            names.update(re.findall(r"[A-Za-z_]\w*", source))
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                imported.update((alias.name, alias.asname or alias.name.partition(".")[0]) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                loaded.add(node.module)
        names.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    for module in [*imported, *loaded]:
        parts = module.split(".")
        loaded.update(".".join(parts[:end]) for end in range(1, len(parts)))
    return tuple(module for module, name in imported.items() if name not in names and module not in loaded)


def run_trusted_cells(path: Path, grade_ids: tuple[str, ...], overrides: dict) -> dict:
    """Execute the listed cells of a *trusted* notebook in a fresh namespace, in the order grading runs a submission's
    (``added_cells.run_order``); ``overrides`` follow the parameters cell.

    Only for the solution notebook: student notebooks are run in a separate process by the grader.
    """
    from autograder.engine.grade.added_cells import run_order  # (it builds on this module)
    from autograder.engine.grade.preload import preload

    order, added = run_order(code_cells(path), grade_ids)  # as a submission's: the parameters cell, added cells
    # as the student-code server does: torch._dynamo and what the cells only import left until used
    preload(imported_modules(path, grade_ids), unused_imports((path,), grade_ids))
    sources = {**cells_by_grade_id(path), **added}
    namespace: dict = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):  # what the cells print ("Running on cpu") is not the caller's output
        for grade_id in order:
            exec(compile(sources[grade_id], f"<{path.name}:{grade_id}>", "exec"), namespace)
            if grade_id == PARAMETERS:
                namespace.update(overrides)
    return namespace


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def heading_text(line: str) -> str:
    """A markdown heading line as the rendered notebook shows it: without the #s and the emphasis marks."""
    return line.lstrip("#").strip().replace("**", "").replace("`", "")


def cell_names(path: Path) -> dict[str, str]:
    """How a student finds each graded cell (by nbgrader grade_id) in the notebook: the heading of the section it
    is in and its place there, e.g. "the first code cell under 'Loading the data (1 point)'". Code cells are
    counted among all the section's code cells (the student sees them all); written answers among its answer
    cells (nbgrader's graded markdown cells)."""
    names, heading, counts = {}, "", {}
    for cell in read_cells(path):
        grade_id, graded = cell["nbgrader"].get("grade_id"), bool(cell["nbgrader"].get("grade"))
        if cell["cell_type"] == "markdown" and not graded:
            titles = [line for line in cell["source"].splitlines() if line.startswith("#")]
            if titles:
                heading, counts = heading_text(titles[-1]), {}
            continue
        kind = "code cell" if cell["cell_type"] == "code" else "answer cell" if graded else None
        if kind is None:
            continue
        counts[kind] = counts.get(kind, 0) + 1
        if isinstance(grade_id, str):
            place = ORDINALS[counts[kind] - 1] if counts[kind] <= len(ORDINALS) else f"{counts[kind]}th"
            names[grade_id] = f"the {place} {kind} under '{heading}'" if heading else f"the {place} {kind} of the notebook"
    return names
