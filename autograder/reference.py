"""Reference training: execute the solution notebook in full, then measure the weights it saves."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import torch

from autograder import metrics
from autograder.config import Config
from autograder.grade.figures import all_figures
from autograder.grade.probe_inputs import probe_inputs_file
from autograder.grade.probes import answer_all
from autograder.notebook import run_trusted_cells


def train_reference(*, config: Config = Config(), seed: int = 0, **parameters) -> Path:
    """Run the solution notebook with ``seed`` (and any notebook ``parameters``) in the seed's reference folder."""
    import papermill

    out_dir = config.reference_weights(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{config.assignment}_executed.ipynb"
    papermill.execute_notebook(
        str(config.solution_notebook), str(executed),
        parameters={"data_root": str(config.data_root), "seed": seed, **parameters},
        cwd=str(out_dir), kernel_name="python3", progress_bar=False, log_output=True,
    )
    write_training_log(executed, out_dir / "training_log.txt")
    return out_dir


def write_training_log(executed: Path, log: Path) -> None:
    """The epoch lines the training cells printed, kept beside the weights (the executed notebook is not committed)."""
    import nbformat

    lines = []
    for cell in nbformat.read(executed, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_train"):
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
            lines += [f"[{grade_id}]", *(line for line in text.splitlines() if line.startswith("epoch")), ""]
    log.write_text("\n".join(lines))


@lru_cache(maxsize=None)
def solution_namespace(config: Config = Config()) -> dict:
    """The solution notebook's definition cells, executed once per process (trusted code)."""
    torch.set_num_threads(config.threads)
    return run_trusted_cells(config.solution_notebook, config.definition_cells, {"data_root": str(config.data_root)})


@lru_cache(maxsize=None)
def reference_classifier(config: Config = Config()) -> torch.nn.Module:
    """The reference LeNet-5 with its trained weights: reads the digits a decoder draws."""
    lenet = solution_namespace(config)["LeNet_5"]().eval()
    weights = config.reference_weights() / config.weight_files[0]
    lenet.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return lenet


def measure(*, config: Config = Config(), weights_dir: Path) -> dict:
    """Figures of the solution's models with the weights in ``weights_dir``, written to its ``metrics.json``.

    They are measured by the same probes and figures as a submission, so thresholds derived from them
    compare like with like. A model whose weight file is absent (a run that did not train it) is left out.
    """
    ns = solution_namespace(config)
    inputs = torch.load(probe_inputs_file(config=config), weights_only=True)  # the very inputs grading uses
    inputs["test"] = metrics.test_set(config.data_root)
    answers, _ = answer_all(ns, inputs, Path(weights_dir), with_weights=True, seed=config.seed)
    failed = {name: a["error"] for name, a in answers.items() if "error" in a and "is not in the submission" not in a["error"]}
    if failed:
        raise RuntimeError(f"the solution notebook failed its own probes: {failed}")
    figures = all_figures(answers, inputs["test"], reference_classifier(config), config=config)
    (Path(weights_dir) / "metrics.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures
