"""Reference runs: execute an assignment's solution notebook in full, then measure the weights it saves."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import torch

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.inputs import probe_inputs_file
from autograder.engine.grade.probing import answer_all
from autograder.engine.notebook import run_trusted_cells


def run_dir(assignment: Assignment, seed: int, *, validation: bool = False) -> Path:
    """Where the run with ``seed`` goes: reference/seed<n>/, or reference/validation/seed<n>/ for a run that checks
    the pass marks and derives none."""
    from autograder.engine.passmarks import VALIDATION

    return assignment.reference_dir / VALIDATION / f"seed{seed}" if validation else assignment.reference_weights(seed)


def train_reference(*, assignment: Assignment, config: Config = Config(), seed: int = 0, models: tuple = (),
                    out_dir: Path | None = None, cells: dict | None = None, **parameters) -> Path:
    """Run the solution notebook with ``seed`` (and any notebook ``parameters``); its weight files and training log
    go to the seed's reference folder.

    ``models``: train only these (by name); the others' epoch parameters are set to 0 and their files in the seed
    folder, from an earlier run, are kept. Adding runs of a model whose figures vary much then retrains nothing else.
    ``out_dir``: another folder than the seed's (a plausible mistake's); ``cells``: grade_id -> source that
    replaces that cell of the solution (a plausible mistake in code, such as a wrong loss).
    """
    import tempfile

    import papermill

    settings = assignment.settings
    known = [model.name for model in settings.models]
    if unknown := [name for name in models if name not in known]:
        raise ValueError(f"{assignment.id} has no model {', '.join(unknown)}: its models are {', '.join(known)}")
    trained = [model for model in settings.models if not models or model.name in models]
    skipped = {parameter: 0 for name, parameter in settings.epoch_parameters if models and name not in models}
    out_dir = out_dir or assignment.reference_weights(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{assignment.id}-reference-") as scratch:
        executed = Path(scratch) / f"{assignment.id}_executed.ipynb"
        notebook = _with_cells(assignment.solution_notebook, cells or {}, Path(scratch) / f"{assignment.id}.ipynb")
        papermill.execute_notebook(
            str(notebook), str(executed),
            parameters={"data_root": str(config.data_root), "seed": seed, **skipped, **parameters},
            cwd=scratch, kernel_name="python3", progress_bar=False, log_output=True,
        )
        for model in trained:
            shutil.copyfile(Path(scratch) / model.weight_file, out_dir / model.weight_file)
        names = {model.name for model in trained}
        write_training_log(executed, out_dir / "training_log.txt",
                           cells={cell for cell, name in settings.training_cells if name in names})
    return out_dir


def _with_cells(notebook: Path, cells: dict, out: Path) -> Path:
    """``notebook`` itself, or a copy at ``out`` whose cells named in ``cells`` (by grade_id) hold other sources."""
    if not cells:
        return notebook
    import nbformat

    content = nbformat.read(notebook, as_version=4)
    found = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in content.cells}
    if missing := sorted(set(cells) - found):
        raise ValueError(f"{notebook.name} has no cell {', '.join(missing)} to replace")
    for cell in content.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell.source = cells[grade_id]
    nbformat.write(content, out)
    return out


def write_training_log(executed: Path, log: Path, *, cells: set[str]) -> None:
    """The epoch lines the training ``cells`` printed and how long each cell ran, kept beside the weights (the
    executed notebook is not committed; the notebooks quote their timings from these logs); the sections of other
    cells already in ``log`` are kept."""
    from datetime import datetime

    import nbformat

    sections = {}
    if log.is_file():  # "[grade_id]" headers, each followed by its epoch lines
        for block in log.read_text().split("\n["):
            header, _, body = block.lstrip("[").partition("]\n")
            sections[header] = body.strip("\n")
    for cell in nbformat.read(executed, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id in cells:
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
            lines = [line for line in text.splitlines() if line.startswith("epoch")]
            timing = cell.metadata.get("execution", {})  # nbclient's timestamps of the cell's run
            if {"iopub.execute_input", "shell.execute_reply"} <= timing.keys():
                seconds = (datetime.fromisoformat(timing["shell.execute_reply"])
                           - datetime.fromisoformat(timing["iopub.execute_input"])).total_seconds()
                lines.append(f"cell time: {seconds:.0f} s")
            sections[grade_id] = "\n".join(lines)
    log.write_text("\n\n".join(f"[{grade_id}]\n{body}" for grade_id, body in sections.items() if grade_id) + "\n")


def solution_namespace(*, assignment: Assignment, config: Config = Config()) -> dict:
    """The solution notebook's definition cells, executed once per process (trusted code)."""
    return _solution_namespace(assignment, config)


@cache
def _solution_namespace(assignment: Assignment, config: Config) -> dict:
    torch.set_num_threads(config.threads)
    return run_trusted_cells(assignment.solution_notebook, assignment.settings.definition_cells,
                             {"data_root": str(config.data_root)})


def measure(*, assignment: Assignment, weights_dir: Path, config: Config = Config()) -> dict:
    """Figures of the solution's models with the weights in ``weights_dir``, written to its ``metrics.json``.

    They are measured by the same probes and figures as a submission, so thresholds derived from them
    compare like with like. A model whose weight file is absent (a run that did not train it) is left out.
    """
    from autograder.engine.grade import measure as figures_of

    inputs = torch.load(probe_inputs_file(config=config, assignment=assignment), weights_only=True)
    plan = assignment.module("probes").PLAN
    answers, _ = answer_all(plan, solution_namespace(assignment=assignment, config=config), inputs, Path(weights_dir),
                            with_weights=True, seed=config.seed)
    failed = {name: a["error"] for name, a in answers.items() if "error" in a and "is not in the submission" not in a["error"]}
    if failed:
        raise RuntimeError(f"the solution notebook failed its own probes: {failed}")
    figures = figures_of(answers, inputs=inputs, assignment=assignment)
    (Path(weights_dir) / "metrics.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def flat(figures: dict, prefix: str = "") -> dict:
    """A metrics.json's figures as one level of dotted names (``vae.latent.mu_mean[0]``), to compare two measurements."""
    items = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            items |= flat(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            items |= {f"{prefix}{key}[{i}]": v for i, v in enumerate(value)}
        else:
            items[prefix + key] = value
    return items


def mistakes(assignment: Assignment) -> dict:
    """The assignment's plausible mistakes (``MISTAKES`` in its thresholds.py), by name."""
    module = assignment.module("thresholds")
    return getattr(module, "MISTAKES", {}) if module is not None else {}


def thresholds_table(assignment: Assignment) -> str:
    """`python -m autograder thresholds`: each pass mark with its runs and validation runs, its rule, the estimated
    share of correct runs it fails, the validation and leave-one-out verdicts and the mistakes it catches; an
    assignment without figures of weights has none."""
    from autograder.engine.passmarks import report

    module = assignment.module("thresholds")
    if module is None or not hasattr(module, "figures"):
        return f"{assignment.id} has no pass marks on figures of submitted weights"
    return report(module.figures(assignment.settings), assignment.reference_dir, mistakes(assignment),
                  getattr(module, "SHORT_OF_RUNS", ""), getattr(module, "SHORT_OF_VALIDATION", ""))
