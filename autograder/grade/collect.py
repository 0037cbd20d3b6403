"""Find what a submission folder holds: its notebook and the weight files the notebook saves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import Config
from autograder.notebook import NotebookError, cells_by_grade_id


class SubmissionError(ValueError):
    """The folder cannot be graded at all; the message tells the student what to fix."""


@dataclass
class Submission:
    name: str
    notebook: Path
    sources: dict[str, str]            # code cells by grade_id
    weights: dict[str, Path | None]    # expected weight file name -> file, None when absent
    notes: list[str] = field(default_factory=list)


def collect(directory: Path, *, config: Config) -> Submission:
    directory = Path(directory)
    if not directory.is_dir():
        raise SubmissionError(f"{directory} is not a folder: submit a folder holding {config.assignment}.ipynb")
    notebooks = sorted(p for p in directory.iterdir() if p.suffix == ".ipynb" and p.is_file())
    expected = directory / f"{config.assignment}.ipynb"
    notes = []
    if expected in notebooks:
        notebook = expected
        if len(notebooks) > 1:
            notes.append(f"graded {expected.name}; ignored " + ", ".join(p.name for p in notebooks if p != expected))
    elif len(notebooks) == 1:
        notebook = notebooks[0]
        notes.append(f"graded {notebook.name} (expected the name {expected.name})")
    elif not notebooks:
        raise SubmissionError(f"no notebook found: submit {expected.name} together with its weight files")
    else:
        raise SubmissionError(
            f"found {len(notebooks)} notebooks ({', '.join(p.name for p in notebooks)}) and none named "
            f"{expected.name}: keep only your homework notebook, named {expected.name}"
        )
    try:
        sources = cells_by_grade_id(notebook)
    except NotebookError as error:
        raise SubmissionError(f"{error}: re-download the notebook from the course, copy your answers into it") from None
    weights = {name: (directory / name if (directory / name).is_file() else None) for name in config.weight_files}
    return Submission(directory.name, notebook, sources, weights, notes)
