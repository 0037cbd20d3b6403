"""The untrusted side of grading: run a submission's definition cells, answer the probes, write the answers.

The grader copies this file and ``probes.py`` into a scratch folder with the submission's files and
starts ``python -I runner/student_process.py JOB_DIR`` there: isolated mode, so the repository (hidden
checks, reference weights) is not on its import path. Everything it writes is validated by the grader
before use.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))  # isolated mode leaves the script's folder off the path
from probes import answer_all, describe_error, time_limit  # noqa: E402 (the copy beside this file)

MAGIC_PREFIXES = ("%", "!")  # IPython syntax: not Python, and never needed to define the graded objects


def run_cells(sources: dict[str, str], cell_ids: list[str], ns: dict, overrides: dict,
              cell_timeout: float | None = None) -> tuple[dict, dict]:
    """Execute the cells in order; returns each cell's outcome ("ok", "missing" or an error line) and duration."""
    status, timings = {}, {}
    ns.update(overrides)  # also in force when a notebook has lost its parameters cell
    for grade_id in cell_ids:
        started = time.perf_counter()
        if grade_id not in sources:
            status[grade_id] = "missing"
            continue
        lines = sources[grade_id].splitlines()
        code = "\n".join("pass" if line.lstrip().startswith(MAGIC_PREFIXES) else line for line in lines)
        try:
            with time_limit(cell_timeout, f"the cell `{grade_id}`"):
                exec(compile(code, f"<cell {grade_id}>", "exec"), ns)
            status[grade_id] = "ok"
        except BaseException as error:  # SystemExit and KeyboardInterrupt from a cell cost only that cell
            status[grade_id] = describe_error(error)
        if grade_id == "parameters":
            ns.update(overrides)
        timings[grade_id] = time.perf_counter() - started
    return status, timings


def plain(value, depth: int = 0):
    """The answers as plain tensors, numbers, strings, lists and dicts: all the grader's safe loader accepts."""
    if depth > 6:
        return "nested too deeply"
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().as_subclass(torch.Tensor).clone()
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    return f"<{type(value).__name__}>"


def main(job_dir: Path) -> None:
    job = json.loads((job_dir / "job.json").read_text())
    startup = time.time() - job["spawned_at"]  # interpreter and torch import
    torch.set_num_threads(job["threads"])
    torch.manual_seed(job["seed"])
    inputs = torch.load(job_dir / "inputs.pt", weights_only=True)
    inputs["test"] = torch.load(job["test_set"], weights_only=True)
    ns: dict = {"__name__": "__main__"}
    cells, cell_times = run_cells(job["sources"], job["cells"], ns, {"data_root": job["data_root"]}, job["cell_timeout"])
    answers, probe_times = answer_all(ns, inputs, job_dir, with_weights=True, seed=job["seed"],
                                      probe_timeout=job["probe_timeout"])
    answers["cells"] = cells
    answers["timings"] = {"startup": startup, "cells": cell_times, "probes": probe_times}
    partial = job_dir / "answers.pt.partial"
    torch.save(plain(answers), partial)
    os.replace(partial, job_dir / "answers.pt")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
