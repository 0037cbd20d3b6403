"""The fixed inputs an assignment's submissions are probed with, built from a fixed seed, cached on disk.

Torch is imported only to build them: finding the cached files stays light (see ``sandbox.start_early``)."""

from __future__ import annotations

from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.cache_key import content_key, store


def probe_inputs_path(*, config: Config, assignment: Assignment) -> Path:
    """Where ``probe_inputs_file`` keeps them: named by everything they depend on."""
    builder = assignment.folder / "inputs.py"
    key = content_key([assignment.solution_notebook, builder], repr((config.seed, assignment.settings)))
    return Path(config.cache_dir) / f"probe_inputs-{assignment.id}-{key}.pt"


def student_inputs_path(full: Path) -> Path:
    """Where ``student_inputs_file`` keeps them, beside the full file ``full``."""
    return full.with_name(full.name.replace("probe_inputs-", "student_inputs-"))


def probe_inputs_file(*, config: Config, assignment: Assignment) -> Path:
    """The assignment's ``build_inputs`` saved under ``config.cache_dir`` (an assignment without ``inputs.py`` gets
    an empty dict); built when absent."""
    path = probe_inputs_path(config=config, assignment=assignment)
    if not path.is_file():
        import torch

        from autograder.engine.reference import solution_namespace

        module = assignment.module("inputs")
        inputs = {} if module is None else module.build_inputs(
            solution_namespace(assignment=assignment, config=config), settings=assignment.settings, data_root=config.data_root,
            seed=config.seed)
        store(path, lambda partial: torch.save(inputs, partial))  # inputs students never see: closed to others
    return path


def student_inputs_file(*, config: Config, assignment: Assignment) -> Path:
    """The probe inputs without the assignment's ``grader_only_inputs`` (the test sets the grader measures weights
    on): what the student's process loads. Built beside the full file when absent."""
    full = probe_inputs_file(config=config, assignment=assignment)
    path = student_inputs_path(full)
    if not path.is_file():
        import torch

        inputs = torch.load(full, weights_only=True)
        shown = {k: v for k, v in inputs.items() if k not in assignment.settings.grader_only_inputs}
        store(path, lambda partial: torch.save(shown, partial))
    return path
