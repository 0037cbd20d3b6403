"""Find what a submission folder holds: its notebook and the weight files the notebook saves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.added_cells import run_order
from autograder.engine.grade.locked_cells import restore_locked
from autograder.engine.notebook import NotebookError, code_cells


NOTEBOOK_MAX_MB = 100  # ten times the largest notebook with outputs seen; reading one costs grader memory


class SubmissionError(ValueError):
    """The folder cannot be graded at all; the message tells the student what to fix."""


@dataclass
class Submission:
    name: str
    notebook: Path
    sources: dict[str, str]            # code cells by grade_id, and added cells' definitions by ``added-<n>``
    weights: dict[str, Path | None]    # expected weight file name -> file, None when absent
    notes: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # what grading runs, in order (added_cells.run_order)


def collect(directory: Path, *, config: Config, assignment: Assignment) -> Submission:
    settings = assignment.settings
    directory = Path(directory)
    if not directory.is_dir():
        raise SubmissionError(f"{directory} is not a folder: submit a folder holding {assignment.id}.ipynb")
    notebooks = sorted(p for p in directory.iterdir() if p.suffix == ".ipynb" and p.is_file() and not p.is_symlink())
    expected = directory / f"{assignment.id}.ipynb"
    notes = []
    if expected in notebooks:
        notebook = expected
        if len(notebooks) > 1:
            notes.append(f"graded {expected.name}; ignored " + ", ".join(readable(p.name) for p in notebooks if p != expected))
    elif len(notebooks) == 1:
        notebook = notebooks[0]
        notes.append(f"graded {readable(notebook.name)} (expected the name {expected.name})")
    elif not notebooks:
        raise SubmissionError(f"no notebook found: submit {expected.name} together with its weight files")
    else:
        raise SubmissionError(
            f"found {len(notebooks)} notebooks ({', '.join(readable(p.name) for p in notebooks)}) and none named "
            f"{expected.name}: keep only your homework notebook, named {expected.name}"
        )
    if notebook.stat().st_size > NOTEBOOK_MAX_MB << 20:
        raise SubmissionError(f"{readable(notebook.name)} is {notebook.stat().st_size >> 20} MB; clear its outputs "
                              f"(Edit > Clear All Outputs) and save: a notebook must be under {NOTEBOOK_MAX_MB} MB")
    try:
        cells = code_cells(notebook)
    except NotebookError as error:
        raise SubmissionError(f"{error}: re-download the notebook from the course, copy your answers into it") from None
    sources = {}
    for grade_id, source in cells:  # a copied cell keeps its grade_id; the later copy is taken as the newer one
        if grade_id is None:
            continue
        if grade_id in sources and grade_id in settings.definition_cells:
            notes.append(f"the cell `{grade_id}` appears more than once; graded the last one: delete the other copies")
        sources[grade_id] = source
    if not set(sources) & set(settings.definition_cells):
        example = settings.definition_cells[-1]
        raise SubmissionError(f"{readable(notebook.name)} has none of {assignment.id}'s graded cells (nbgrader "
                              f"grade_ids such as `{example}`): is it the {assignment.id} "
                              "notebook? Re-download it from the course and copy your answers into it")
    sources, restored = restore_locked(sources, assignment=assignment)
    notes += restored
    order, added = run_order(cells, settings.definition_cells)
    sources.update(added)
    weights = {}
    for name in settings.weight_files:
        path = directory / name
        weights[name] = None
        if path.is_symlink():
            notes.append(f"{name} is a symbolic link, not a file; it was ignored: submit the file itself")
        elif path.is_file() and path.stat().st_size > config.weight_file_max_mb << 20:
            notes.append(f"{name} is {path.stat().st_size / 2**20:,.0f} MB, more than the {config.weight_file_max_mb} MB "
                         "allowed (the expected weights are under 1 MB); it was ignored: save the state_dict only")
        elif path.is_file():
            weights[name] = path
    return Submission(readable(directory.name), notebook, sources, weights, notes, order)


def readable(name: str) -> str:
    """A file name fit for reports: bytes that are not UTF-8 (kept by Python as surrogates) shown as escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
