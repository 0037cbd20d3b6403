"""The student's side: cells run in order, one failing cell never stops the next, answers become plain data."""

import importlib.util
from pathlib import Path

import torch

RUNNER = Path(__file__).parents[1] / "autograder" / "engine" / "grade" / "student_process.py"
spec = importlib.util.spec_from_file_location("student_process", RUNNER)
student_process = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_process)


def test_each_cell_fails_alone_and_magics_are_skipped():
    sources = {"a": "%matplotlib inline\nx = 1", "b": "raise SystemExit(3)", "c": "y = x + 1", "d": "import sys; sys.exit()"}
    ns = {}
    status, timings = student_process.run_cells(sources, ["a", "b", "c", "missing", "d"], ns, {"data_root": "/data"})
    assert status == {"a": "ok", "b": "SystemExit: 3 (cell b, line 1)", "c": "ok", "missing": "missing",
                      "d": "SystemExit (cell d, line 1)"}
    assert ns["y"] == 2 and ns["data_root"] == "/data" and set(timings) == {"a", "b", "c", "d"}


def test_parameters_cell_cannot_override_the_graders_settings():
    ns = {}
    student_process.run_cells({"parameters": "data_root = 'elsewhere'"}, ["parameters"], ns, {"data_root": "/data"})
    assert ns["data_root"] == "/data"


def test_answers_are_reduced_to_what_the_safe_loader_accepts(tmp_path):
    from torchvision import tv_tensors

    answers = {"t": tv_tensors.Image(torch.zeros(1, 2, 2)), "obj": object(), "nested": ({"k": 1},)}
    plain = student_process.plain(answers)
    torch.save(plain, tmp_path / "a.pt")
    loaded = torch.load(tmp_path / "a.pt", weights_only=True)
    assert type(loaded["t"]) is torch.Tensor and loaded["obj"] == "<object>" and loaded["nested"] == [{"k": 1}]


def test_a_cell_that_runs_too_long_is_stopped_and_the_next_cell_still_runs():
    sources = {"slow": "import time\ntry:\n    time.sleep(30)\nexcept Exception:\n    pass", "next": "z = 3"}
    ns = {}
    status, timings = student_process.run_cells(sources, ["slow", "next"], ns, {}, cell_timeout=0.5)
    assert status["slow"].startswith("TimeLimit: the cell `slow` ran longer than 0.5 s")
    assert status["next"] == "ok" and timings["slow"] < 2


def test_cells_share_one_time_budget_and_later_cells_are_skipped_when_it_is_spent():
    sources = {"a": "import time\ntime.sleep(0.6)", "b": "import time\ntime.sleep(0.6)", "c": "x = 1"}
    status, _ = student_process.run_cells(sources, ["a", "b", "c"], {}, {}, cell_timeout=5, cells_timeout=1.0)
    assert status["a"] == "ok"
    assert status["b"].startswith("TimeLimit: the definition cells together ran longer than 1 s (cell b")
    assert status["c"] == "not run: the definition cells together used up their 1 s"
