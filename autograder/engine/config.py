"""The engine's settings: paths and the limits every assignment is graded under, one typed object.

Each assignment's own settings (its cells, weight files, margins) live in its folder, in a subclass of
``autograder.engine.assignment.AssignmentSettings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setting(default, description: str):
    """A dataclass field carrying its description (shown by ``python -m autograder config``)."""
    if isinstance(default, (list, dict, tuple)):
        return field(default_factory=lambda: type(default)(default), metadata={"description": description})
    return field(default=default, metadata={"description": description})


def describe(settings) -> str:
    """One line per field of a settings dataclass: name, description, value."""
    return "\n".join(f"{f.name}: {f.metadata.get('description', '')} (value: {getattr(settings, f.name)})"
                     for f in fields(settings))


@dataclass(frozen=True)
class Config:
    root: Path = setting(ROOT, "Repository root: solutions/<id>/ and assignments/<id>/ are read from it.")
    assignments_dir: Path = setting(ROOT / "autograder" / "assignments",
                                    "Folder holding one grading folder per assignment id.")
    default_assignment: str = setting("", "Assignment used when none is named and none can be inferred (the shipped "
                                      "examples, `make grade` with no arguments); empty: DEFAULT in the assignments "
                                      "folder's __init__.py, else the first assignment.")
    data_root: Path = setting(ROOT / "data", "Folder holding MNIST/raw/ (filled by `make data`).")
    cache_dir: Path = setting(ROOT / ".cache", "Files derived once and reused by later runs (probe inputs, the reference's feedback pictures).")
    seed: int = setting(0, "Seed set before every probe, so sampling in a forward pass is repeatable.")
    threads: int = setting(1, "torch threads in the grader and in the student's process: fixed, so results repeat exactly; one, because the grader prepares its side while the student's process runs.")
    device: str = setting("auto", "Where the grader measures submitted weights with the reference's models: auto (the first CUDA device when torch sees one, else the CPU), cpu, or a torch device such as cuda:1. The student's process always runs on the CPU.")
    cell_timeout: float = setting(20, "Seconds one definition cell may run before it is stopped and counted as failed.")
    probe_timeout: float = setting(20, "Seconds one probe (running the student's model on the test set included) may take.")
    cells_timeout: float = setting(60, "Seconds all definition cells together may run; cells after that are not run, so the probes keep their time.")
    submission_timeout: int = setting(120, "Seconds the student's process may take to run its cells and answer every probe; then it is killed.")
    memory_mb: int = setting(3000, "Memory (address space, RLIMIT_AS) the student's process may add to what it starts with (torch's libraries).")
    max_processes: int = setting(64, "Processes and threads the student's code may have at once (RLIMIT_NPROC; needs a user id of its own, so root).")
    file_mb: int = setting(64, "Largest file the student's code may write, its printed output included (RLIMIT_FSIZE).")
    scratch_mb: int = setting(256, "Size of the student's working folder and of its /tmp (each a tmpfs, when the grader runs as root).")
    output_kept_bytes: int = setting(2000, "Bytes of the student's printed output kept, from its end, to explain a crash.")
    answers_max_mb: int = setting(128, "Largest answers file accepted from the student's process (real answers are about 20 MB).")
    weight_file_max_mb: int = setting(50, "Largest weight file accepted (the reference's are under 1 MB).")
    delayed_visibility: str = setting("after_due_date", "Gradescope visibility of each assignment's delayed_checks: hidden, after_due_date, after_published, or visible to show them at once like the others.")
    integrity_weights_margin: float = setting(0.3, "Integrity report: a pair's weights are flagged when their similarity (size-weighted mean correlation of the fitted tensors) exceeds the most similar pair of independent reference runs, or the class's median pair when higher, by this much (measured: independent runs at most 0.05 for every model; a copy trained 300 more batches with another seed and 3 times the learning rate 0.95 or more).")
    integrity_code_margin: float = setting(0.3, "Integrity report: graded cells are flagged when their copydetect similarity exceeds, by this much, the most similar pair of independently written correct versions of the same cells (the solution's against each correct_* fixture's rewrite), or the class's median pair when higher.")
    integrity_code_floor: float = setting(0.6, "Integrity report: the least copydetect similarity flagged, whatever the calibration.")
    integrity_weights_ceiling: float = setting(0.9, "Integrity report: the highest the weights' threshold may be set, so that it can trigger in a class of any size (nine of ten holding one file make the class's median pair a copy); below every copy measured (weights trained 300 more batches from another's: 0.946 or more).")
    integrity_code_ceiling: float = setting(0.65, "Integrity report: the highest the code's threshold may be set, so that it can trigger in a class of any size (a class whose median pair is a copy); below the copy measured (one homework's graded cells with names changed and statements reordered: 0.69).")
    feedback_figures: bool = setting(True, "Draw pictures of each submission's models (reconstructions, latent spaces, confusion matrices: the assignment's figures.py) into feedback.html and Gradescope's output; about 0.2 s a submission. Off (`grade --no-figures`) for very large classes: feedback.html then holds the scores and messages only.")
