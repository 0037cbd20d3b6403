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


def test_added_cells_keep_definitions_and_cheap_assignments_only():
    from autograder.engine.grade.added_cells import definitions

    source = "\n".join([
        "import math",                                  # 1 kept
        "@functools.cache",                             # 2 kept (with its function)
        "def helper(x):",                               # 3
        "    return train(x)",                          # 4 a body never runs here: kept
        "SIZES = (1, 2) + tuple(range(3))",             # 5 kept: calls of plain-value constructors
        "device = torch.device('cpu' if a else 'cuda')",  # 6 kept
        "model = Net().to(device)",                     # 7 dropped: a call
        "x = 1; print(x)",                              # 8 dropped: shares its line with a call
        "for epoch in range(3):",                       # 9 dropped: a loop
        "    train(model)",                             # 10
        "plt.plot([1, 2])",                             # 11 dropped
        "scale = lambda v, k=2: v * k",                 # 12 kept
        "%matplotlib inline",                           # 13 magic: dropped
    ])
    kept = definitions(source).splitlines()
    assert [n for n, line in enumerate(kept, 1) if line] == [1, 2, 3, 4, 5, 6, 12]  # line numbers as written
    assert definitions("print 'python 2'") == ""


def test_added_cells_run_after_the_definition_cell_they_follow():
    from autograder.engine.grade.added_cells import run_order

    cells = [(None, "def first(): pass"), ("imports", "import torch"), ("parameters", "seed = 0"),
             (None, "def helper(): pass\nhelper()"), ("train", "fit()"), (None, "K = 3"), ("net", "class Net: ..."),
             (None, "plt.show()")]
    order, added = run_order(cells, ("imports", "net"))
    # the parameters cell runs where the notebook has it, though the settings do not list it
    assert order == ["added-1", "imports", "parameters", "added-4", "added-6", "net"]
    assert added == {"added-1": "def first(): pass\n", "added-4": "def helper(): pass\n", "added-6": "K = 3\n"}


def test_an_added_helper_is_defined_for_the_graded_cell_that_calls_it():
    from autograder.engine.grade.added_cells import run_order

    order, added = run_order([(None, "def double(x):\n    return 2 * x\ndouble(slow)"), ("f", "y = double(2)")], ("f",))
    ns = {}
    status, _ = student_process.run_cells({**added, "f": "y = double(2)"}, order, ns, {})
    assert status == {"added-1": "ok", "f": "ok"} and ns["y"] == 4


def test_a_check_fails_only_when_what_it_needs_is_missing_or_wrong():
    import pytest

    from autograder.engine.assignment import WeightedModel
    from autograder.engine.grade.checks import Answers, CheckFailed

    model = WeightedModel("net", "net.pth", "model", "net_weights", "model", "x")
    answers = {"cells": {"f": "NameError: name 'images' is not defined (cell f, line 9)", "model": "NameError: devise"},
               "f": {"value": 1}, "g": {"error": "NameError: name 'f' is not defined"}, "net_weights": {"accuracy": 0.99}}
    student = Answers(answers, {"net": {"accuracy": 0.99}}, models=(model,))
    assert student.probe("f", "f", "calling f") == {"value": 1}  # defined before its demo line failed
    with pytest.raises(CheckFailed, match=r"^the cell `f` failed: NameError: name 'images'"):
        student.probe("g", "f", "calling f")  # nothing usable: the cell's failure says why
    assert student.figure("net") == {"accuracy": 0.99}  # the model cell's failure costs no weight figure


def test_notes_name_each_cell_that_stopped_and_what_was_kept():
    from autograder.engine.grade.grader import cell_notes

    notes = cell_notes({"a": "ok", "b": "missing", "c": "NameError: name 'images' is not defined (cell c, line 9)",
                        "added-7": "SyntaxError: invalid syntax (cell added-7, line 1)", "d": "not run: out of time"})
    assert notes == ["the cell `c` stopped at NameError: name 'images' is not defined (cell c, line 9); grading kept "
                     "what it had defined before that line",
                     "the code cell 7 you added does not parse (SyntaxError: invalid syntax (cell added-7, line 1)): "
                     "it defined nothing", "the cell `d` was not run: out of time"]


def _idx(path: Path, images: torch.Tensor) -> None:
    """An IDX file of uint8 images, as MNIST's: magic 0x0803, then the sizes, big-endian."""
    header = (0x0803).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in images.shape)
    path.write_bytes(header + images.numpy().tobytes())


def test_the_server_reads_the_data_files_once_and_a_changed_file_again(tmp_path, monkeypatch):
    """Every fork's datasets start from the server's read (0.15 s of CPU a submission otherwise)."""
    import torchvision.datasets.mnist as mnist

    server_file = RUNNER.with_name("student_server.py")
    spec = importlib.util.spec_from_file_location("student_server", server_file)
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    monkeypatch.setattr(mnist, "read_sn3_pascalvincent_tensor", mnist.read_sn3_pascalvincent_tensor)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = torch.randint(0, 256, (3, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    _idx(raw / "t10k-images-idx3-ubyte", images)
    server.keep_dataset_reads(str(tmp_path))
    first, second = (mnist.read_image_file(str(raw / "t10k-images-idx3-ubyte")) for _ in range(2))
    assert first is second and torch.equal(first, images)  # kept: not read again
    _idx(raw / "t10k-images-idx3-ubyte", images[:2])
    assert torch.equal(mnist.read_image_file(str(raw / "t10k-images-idx3-ubyte")), images[:2])
