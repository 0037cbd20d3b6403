"""The untrusted side of grading: run a submission's definition cells, answer the probes, write the answers.

``student_server.py`` forks one process per submission and calls ``run_job`` in it after ``jail.confine``.
This file, ``jail.py``, the server, the engine's ``probing.py`` and ``guard.py`` and the assignment's probes (as
``assignment_probes.py``) are copied into a folder of their own and run with ``python -I``, so the
repository (hidden checks, reference weights) is not on the import path, and the jail hides it from the
filesystem too. Before the first cell runs, these modules leave ``sys.modules`` and ``sys.path`` and what the
probes rely on is captured (``guard.py``). Everything written here is validated by the grader before use.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch

from autograder.engine.grade import guard, probing
from autograder.engine.grade.preload import DYNAMO, dynamo_needed_line
from autograder.engine.grade.probing import answer_all, describe_error, layout_probe, time_limit

MAGIC_PREFIXES = ("%", "!")  # IPython syntax: not Python, and never needed to define the graded objects


def run_cells(sources: dict[str, str], cell_ids: list[str], ns: dict, overrides: dict,
              cell_timeout: float | None = None, cells_timeout: float | None = None,
              progress=None) -> tuple[dict, dict]:
    """Execute the cells in order; returns each cell's outcome ("ok", "missing" or an error line) and duration.

    Each cell may run ``cell_timeout`` seconds, and all of them together ``cells_timeout``: once that is
    spent the remaining cells are not run, so the probes still get their time.
    """
    status, timings = {}, {}
    ns.update(overrides)  # also in force when a notebook has lost its parameters cell
    deadline = time.monotonic() + cells_timeout if cells_timeout else None
    for grade_id in cell_ids:
        started = time.perf_counter()
        if grade_id not in sources:
            status[grade_id] = "missing"
            continue
        limit, what, stated = cell_timeout, f"the cell `{grade_id}`", None
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                status[grade_id] = f"not run: the definition cells together used up their {cells_timeout:g} s"
                continue
            if not limit or left < limit:
                limit, what, stated = left, "the definition cells together", cells_timeout
        if progress:
            progress(grade_id)
        lines = sources[grade_id].splitlines()
        code = "\n".join("pass" if line.lstrip().startswith(MAGIC_PREFIXES) else line for line in lines)
        try:
            with time_limit(limit, what, stated):
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


def run_job(job: dict, inputs: dict, answers_fd: int, progress_fd: int) -> None:
    """Run the cells, answer the probes, and write the answers (torch.save of plain values) to ``answers_fd``."""
    def progress(step: str) -> None:  # which step was running, should the process die without answers
        os.write(progress_fd, (json.dumps(step) + "\n").encode())

    probes = sys.modules["assignment_probes"]  # loaded by the server from the runner's folder
    # questions about code only: the grader measures the weight files itself, asking here just the order in
    # which each model's forward uses its tensors
    plan = [*probes.PLAN, *[(name, layout_probe(attribute, input_key), False)
                            for name, attribute, input_key in job["layouts"]]]
    guard.hide(os.path.dirname(os.path.abspath(__file__)))
    forbidden = guard.forbid(job["forbidden"])
    watch = guard.Watch({"probes": probes, "autograder.engine.grade.probing": probing,
                         "student_process": globals(),
                         **guard.torch_namespaces()},
                        functions={f"the probe {name}": probe for name, probe, _ in plan}, attributes=forbidden)
    torch.manual_seed(job["seed"])
    ns: dict = {"__name__": "__main__"}
    cells, cell_times = run_cells(job["sources"], job["cells"], ns, {"data_root": job["data_root"]},
                                  job["cell_timeout"], job["cells_timeout"], progress)
    progress("probes")
    changed = watch.changed()
    answers, probe_times = ({}, {}) if changed else answer_all(
        plan, ns, inputs, Path.cwd(), with_weights=False, seed=job["seed"], probe_timeout=job["probe_timeout"])
    if changed := changed or watch.changed():  # before the probes, and again before answering
        answers = {name: {"error": guard.changed_message(changed)} for name, _, needs_weights in plan if not needs_weights}
    answers["cells"] = cells
    answers["timings"] = {"cells": cell_times, "probes": probe_times}
    if DYNAMO in sys.modules:  # tells the server, which defers it, to load it for the next submissions
        os.write(progress_fd, dynamo_needed_line())
    progress("answers")
    with os.fdopen(answers_fd, "wb") as handle:
        torch.save(plain(answers), handle)
