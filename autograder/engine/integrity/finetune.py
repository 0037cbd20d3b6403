"""A copy trained further: another submission's weights trained some more batches, with another seed and learning
rate, by the solution notebook's own training cell. What the report must still tell apart from independent
training (the tests' fixture, the README's figures); never used in grading.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.notebook import graded_code_cells, run_trusted_cells


def train_further(*, assignment: Assignment, model: str, start: Path, seed: int, batches: int, lr_factor: float,
                  config: Config = Config()) -> dict:
    """The state_dict of ``model`` after its training cell ran one epoch of ``batches`` batches from the weights
    in ``start``, the notebook's seed set to ``seed`` and every optimiser's learning rate times ``lr_factor``."""
    settings = assignment.settings
    weighted = assignment.model(model)
    cell = next(grade_id for grade_id, name in settings.training_cells if name == model)
    epochs = {name: parameter for name, parameter in settings.epoch_parameters}
    overrides = {"data_root": str(config.data_root), "seed": seed, "max_batches": batches, epochs[model]: 1}
    namespace = run_trusted_cells(assignment.solution_notebook, settings.definition_cells, overrides)
    torch.manual_seed(seed)  # the setup cell seeded with the notebook's seed before the override took effect
    module = namespace[weighted.attribute]
    module.load_state_dict(torch.load(start, map_location="cpu", weights_only=True))
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="train-further-") as folder:
        os.chdir(folder)  # the training cell saves its weights next to the notebook: here, a throw-away folder
        try:
            for grade_id, source in _preceding(assignment, cell):
                if grade_id == cell:
                    _scale_learning_rates(namespace, module, lr_factor)
                    exec(compile(source, f"<{grade_id}>", "exec"), namespace)
                    continue
                try:
                    exec(compile(source, f"<{grade_id}>", "exec"), namespace)
                except Exception:  # a figure of a model not trained here, a file not saved here: not needed
                    pass
                if grade_id == "parameters":  # a notebook whose grading skips its parameters cell runs it here
                    namespace.update(overrides)
        finally:
            os.chdir(here)
    return {k: v.detach().cpu() for k, v in module.state_dict().items()}


def _preceding(assignment: Assignment, training: str) -> list[tuple[str, str]]:
    """The solution's cells before the training cell that grading does not run (the optimiser, the data, helpers),
    then the training cell; other models' training cells left out."""
    cells = graded_code_cells(assignment.solution_notebook)
    ids = [grade_id for grade_id, _ in cells]
    skip = set(assignment.settings.definition_cells) | {g for g, _ in assignment.settings.training_cells}
    return [(g, s) for g, s in cells[: ids.index(training)] if g not in skip] + [cells[ids.index(training)]]


def _scale_learning_rates(namespace: dict, module: torch.nn.Module, factor: float) -> None:
    """Every optimiser of ``module``'s parameters: its learning rate times ``factor``."""
    owned = {id(p) for p in module.parameters()}
    for optimiser in (v for v in namespace.values() if isinstance(v, torch.optim.Optimizer)):
        for group in optimiser.param_groups:
            if any(id(p) in owned for p in group["params"]):
                group["lr"] *= factor
