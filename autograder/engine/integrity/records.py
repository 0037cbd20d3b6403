"""What the integrity report needs of each submission, kept beside its result so the report runs over OUT_DIR alone.

``OUT/<name>/integrity.pt`` is written by the coordinating process when a submission's result is stored (before
``result.json``, so a re-run that skips a graded submission finds it): each weight file's SHA-256, each model's
tensors as fitted onto the reference's keys (a digest of them in full precision, the tensors in float16: half
the size, and a correlation needs no more), why a model has no tensors, and the graded cells' code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import torch

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config

RECORD_FILE = "integrity.pt"


@dataclass
class Record:
    """One submission (or one reference run) as the integrity report compares it."""

    name: str
    files: dict[str, str] = field(default_factory=dict)            # weight file -> SHA-256 of its bytes
    digests: dict[str, str] = field(default_factory=dict)          # model -> SHA-256 of its fitted tensors
    states: dict[str, dict] = field(default_factory=dict)          # model -> fitted tensors (float16)
    not_compared: dict[str, str] = field(default_factory=dict)     # model (or "code") -> the reason
    code: dict[str, str] = field(default_factory=dict)             # grade_id -> source


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def state_digest(state: dict) -> str:
    """SHA-256 of the tensors in key order: equal only for exactly the same numbers under the same keys."""
    digest = hashlib.sha256()
    for key in sorted(state):
        tensor = state[key].detach().cpu().contiguous()
        digest.update(key.encode() + str(tensor.dtype).encode() + str(tuple(tensor.shape)).encode())
        digest.update(tensor.view(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def compact(state: dict) -> dict:
    """The floating-point tensors in float16 (integer buffers, such as a batch count, are never compared); values
    beyond float16's range or not numbers are clipped to it, so one diverged submission cannot make every score NaN."""
    top = torch.finfo(torch.float16).max
    return {k: torch.nan_to_num(v.detach().cpu().float(), nan=0.0).clamp(-top, top).half()
            for k, v in state.items() if v.is_floating_point()}


def _unfitted_reason(path: Path | None, file: str) -> str:
    """Why a submitted file gave no fitted tensors, found again here (the grader's message stays in the feedback)."""
    from autograder.engine.grade.probing import read_state

    if path is None or not path.is_file() or path.is_symlink():
        return f"no usable {file} in the submission"
    try:
        read_state(path)
    except (OSError, ValueError) as error:
        return f"unreadable: {error}"
    return f"{file} does not fit the reference's architecture"


def build_record(*, name: str, directory: Path, fitted: dict, error: str | None, config: Config,
                 assignment: Assignment) -> Record:
    """A submission's record from its folder and the tensors its grading fitted (``GradeResult.fitted``)."""
    from autograder.engine.grade.collect import SubmissionError, collect

    record = Record(name)
    for model in assignment.settings.models:
        path = Path(directory) / model.weight_file
        usable = path.is_file() and not path.is_symlink() and path.stat().st_size <= config.weight_file_max_mb << 20
        if usable:
            record.files[model.weight_file] = file_sha256(path)
        if model.name in fitted:
            record.digests[model.name] = state_digest(fitted[model.name])
            record.states[model.name] = compact(fitted[model.name])
        else:
            # ``error``: nothing of the submission ran, so its weights were never fitted (its text says why)
            record.not_compared[model.name] = error or _unfitted_reason(path if usable else None, model.weight_file)
    try:
        sources = collect(directory, config=config, assignment=assignment).sources
        record.code = {cell: sources[cell] for cell in assignment.settings.definition_cells if cell in sources}
    except SubmissionError as problem:
        record.not_compared["code"] = f"no graded cells: {problem}"
    return record


def packed(state: dict) -> dict:
    """One flat tensor and the keys and shapes to cut it back: loading one tensor is far faster than fifty."""
    return {"keys": list(state), "shapes": [list(v.shape) for v in state.values()],
            "flat": torch.cat([v.reshape(-1).half() for v in state.values()])}


def unpacked(data: dict) -> dict:
    sizes = [int(torch.Size(shape).numel()) for shape in data["shapes"]]
    return {key: part.view(shape) for key, part, shape in zip(data["keys"], data["flat"].split(sizes), data["shapes"])}


def write_record(record: Record, folder: Path) -> Path:
    path = Path(folder) / RECORD_FILE
    partial = path.with_suffix(".partial")
    torch.save({"name": record.name, "files": record.files, "digests": record.digests,
                "states": {model: packed(state) for model, state in record.states.items()},
                "not_compared": record.not_compared, "code": record.code}, partial)
    partial.replace(path)
    return path


def read_record(folder: Path) -> Record:
    """The record in ``folder``; one that cannot be read becomes a record that says so for every comparison."""
    try:
        data = torch.load(Path(folder) / RECORD_FILE, map_location="cpu", weights_only=True)
        return Record(**{**data, "states": {model: unpacked(state) for model, state in data["states"].items()}})
    except FileNotFoundError:
        reason = "graded before integrity records were kept: grade it again with --force"
    except Exception as error:  # a damaged file costs that submission its comparisons, not the report
        reason = f"its integrity record is unreadable ({type(error).__name__})"
    return Record(Path(folder).name, not_compared={"all": reason})


def reference_records(assignment: Assignment) -> list[Record]:
    """The committed independent reference runs (``reference/seed*/``) and the weights the release ships (a model
    handed out to be trained further), as records: their files are saved from the reference's own model, so their
    keys are the reference's."""
    from autograder.engine.grade.probing import read_state

    folders = sorted(assignment.reference_dir.glob("seed*"), key=lambda p: int(p.name[4:]) if p.name[4:].isdigit() else 0)
    sources = [(f"reference run {p.name}", p) for p in folders]
    sources.append(("the weights the release ships", assignment.release_notebook.parent))
    records = []
    for label, folder in sources:
        record = Record(label)
        for model in assignment.settings.models:
            path = folder / model.weight_file
            if path.is_file():
                state = read_state(path)
                record.files[model.weight_file] = file_sha256(path)
                record.digests[model.name], record.states[model.name] = state_digest(state), compact(state)
        if record.states:
            records.append(record)
    return records
