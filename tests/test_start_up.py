"""A cold grading's start: the student-code server launches before the grader loads torch, and a Grader takes it."""

from __future__ import annotations

import os
import subprocess
import sys

from autograder.engine.grade import sandbox
from autograder.engine.grade.inputs import student_inputs_file
from autograder.engine.notebook import imported_modules


def test_what_comes_before_the_server_starts_does_not_load_torch(config):
    """Everything a command line imports before ``start_early`` (and the name it grades with) leaves torch unloaded:
    otherwise the server would boot only after the grader's own 2 to 3 s of imports."""
    code = ("import sys\n"
            "from autograder.engine.grade.sandbox import start_early\n"
            "from autograder.engine.grade import grade_submissions\n"
            "print(sorted(m for m in ('torch', 'torchvision', 'matplotlib', 'pytest') if m in sys.modules))\n")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=config.root, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_the_first_grader_takes_the_server_started_early(config, assignment):
    student_inputs_file(config=config, assignment=assignment)  # start_early only uses inputs already cached
    sandbox.start_early(config=config, assignment=assignment)
    early = sandbox._EARLY[(config, assignment)]
    try:
        assert early.starting
        sandbox.start_early(config=config, assignment=assignment)  # a second call launches no second server
        assert sandbox._EARLY[(config, assignment)] is early
        assert sandbox.started_server(config=config, assignment=assignment) is early
        assert (config, assignment) not in sandbox._EARLY  # the next grader launches its own
    finally:
        early.close()


def test_nothing_starts_early_without_the_cached_inputs(config, assignment, tmp_path):
    from dataclasses import replace

    empty = replace(config, cache_dir=tmp_path / "cache")
    sandbox.start_early(config=empty, assignment=assignment)
    assert (empty, assignment) not in sandbox._EARLY


def test_the_server_preloads_what_the_listed_cells_import_at_their_top_level(tmp_path):
    import nbformat

    def cell(grade_id, source):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id}})

    notebook = nbformat.v4.new_notebook(cells=[
        cell("imports", "import numpy as np, torch.nn as nn\nfrom sklearn.manifold import TSNE\nfrom . import local"),
        cell("model", "import numpy\ndef f():\n    import json  # not at the top level: runs only if f is called\n"),
        cell("broken", "import math\ndef ("),
        cell("unlisted", "import tqdm"),
    ])
    path = tmp_path / "release.ipynb"
    nbformat.write(notebook, path)
    assert imported_modules(path, ("imports", "model", "broken")) == ["numpy", "torch.nn", "sklearn.manifold"]


def test_what_the_listed_cells_only_import_loads_when_used(tmp_path, config):
    """``import m`` whose name no listed cell reads waits for its first use (hw2's scipy.stats and matplotlib.pyplot:
    1.2 s of a start); a name read anywhere (a cell that does not parse: any word in it), ``from m import x`` or
    ``import m.sub`` keeps the import."""
    import nbformat

    from autograder.engine.notebook import unused_imports

    def cell(grade_id, source):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id}})

    cells = [cell("imports", "import numpy as np\nimport scipy.stats\nimport matplotlib.pyplot as plt\n"
                             "import xml.dom.minidom\nimport email\nimport email.mime.text\nfrom json import dumps"),
             cell("uses", "def f():\n    return np.zeros(1)"),
             cell("stub", "y = ### YOUR CODE HERE ###\nplt.plot(y)"),
             cell("unlisted", "scipy.stats.norm")]
    path = tmp_path / "release.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    # email is loaded by importing email.mime.text
    assert unused_imports((path,), ("imports", "uses", "stub")) == ("scipy.stats", "xml.dom.minidom", "email.mime.text")
    code = ("import sys\n"
            "from autograder.engine.grade.preload import preload\n"
            "preload(['json', 'xml.dom.minidom'], ('xml.dom.minidom',))\n"
            "import xml.dom.minidom\n"
            "from xml.dom import minidom\n"
            "print('xml.dom.minicompat' in sys.modules, minidom is xml.dom.minidom)\n"
            "print(xml.dom.minidom.parseString('<a/>').documentElement.tagName, 'xml.dom.minicompat' in sys.modules)\n")
    ran = subprocess.run([sys.executable, "-c", code], cwd=config.root, capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == ["False True", "a True"]


def test_preloading_torchvision_leaves_torch_dynamo_for_when_it_is_used(config):
    """torchvision imports torch._dynamo.utils for a function it calls only when used: preloading defers it (1.4 s of a
    grader's start), and what then needs it (that function, torch.compile) still gets the real one."""
    code = ("import sys\n"
            "from autograder.engine.grade.preload import preload\n"
            "preload(['torchvision', 'torchvision.transforms'])\n"
            "print('torchvision' in sys.modules, 'torch._dynamo' in sys.modules)\n"
            "roi_align = sys.modules['torchvision.ops.roi_align']\n"
            "print(roi_align.is_compile_supported('cpu'), 'torch._dynamo' in sys.modules)\n"
            "import torch._dynamo.utils\n"
            "print(torch._dynamo.utils.is_compile_supported('cpu'), type(torch._dynamo.utils.is_compile_supported))\n")
    ran = subprocess.run([sys.executable, "-c", code], cwd=config.root, capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == ["True False", "True True", "True <class 'function'>"]


def test_a_submission_loading_torch_dynamo_changes_nothing_the_guards_watch(config, assignment, tmp_path):
    """The server defers torch._dynamo, and creating an optimizer leaves it unloaded (its decorated functions run
    plain, ``preload.defer_disables``); a cell that does load it (torch.compile) would rebind torch.manual_seed after
    the guards' capture and read as tampering: the server wrapped the function as that import does, so the import
    leaves it. The server then loads it for the submissions after."""
    from autograder.engine.grade.collect import Submission

    cells = {"imports": "import sys, torch\nassert 'torch._dynamo' not in sys.modules",  # deferred by the server
             "optimizer": "net = torch.nn.Linear(2, 1)\nopt = torch.optim.Adam(net.parameters(), lr=1)\n"
                          "opt.zero_grad()\nopt.load_state_dict(opt.state_dict())\n"
                          "assert 'torch._dynamo' not in sys.modules",
             "compile": "import torch._dynamo\nnet.weight.grad = torch.ones(1, 2)\nopt.step()\n"
                        "assert torch.manual_seed(0).initial_seed() == 0"}
    server = sandbox.StudentServer(inputs_file=student_inputs_file(config=config, assignment=assignment), config=config,
                                   assignment=assignment)
    after = {"imports": "import sys, torch\nassert 'torch._dynamo' in sys.modules"}  # the server loaded it since
    try:
        job = server.submit_soon(Submission("dynamo", tmp_path / "n.ipynb", cells, {}, order=list(cells))).result()
        answers = job.answers()
        later = server.submit(Submission("later", tmp_path / "n.ipynb", after, {}, order=list(after))).answers()
    finally:
        server.close()
    assert answers["cells"] == {"imports": "ok", "optimizer": "ok", "compile": "ok"}
    assert not [name for name, answer in answers.items() if "changed the grader's code" in str(answer)]
    assert later["cells"] == {"imports": "ok"}


def test_torch_functions_disabling_compilation_run_plain_until_torch_dynamo_loads(config):
    """After ``preload``, a function decorated with ``torch._disable_dynamo`` runs without importing torch._dynamo;
    once that package is loaded, the same function gets the real disabled form, as the decorator would make it."""
    code = ("import sys, torch\n"
            "from autograder.engine.grade.preload import preload\n"
            "preload(['torch.optim'])\n"
            "opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1)\n"
            "print('torch._dynamo' in sys.modules)\n"
            "import torch._dynamo\n"
            "opt.add_param_group({'params': [torch.zeros(1, requires_grad=True)]})\n"
            "kept = getattr(torch.optim.Optimizer.add_param_group.__wrapped__, '__dynamo_disable')\n"
            "print(len(opt.param_groups), kept.__module__, kept.__qualname__)\n")
    ran = subprocess.run([sys.executable, "-c", code], cwd=config.root, capture_output=True, text=True, check=True)
    lines = ran.stdout.splitlines()
    assert lines[0] == "False"
    assert lines[1].startswith("2 torch.") and "_disabled_when_loaded" not in lines[1]


def test_a_server_forked_for_another_worker_answers_on_its_own(config, assignment, tmp_path):
    """A class's further workers get servers forked from the first (``StudentServer.clone``), already loaded: each
    runs submissions under a user id of its own and goes on serving when the first stops."""
    from autograder.engine.grade.collect import Submission

    cells = {"imports": "import os\nraise ValueError(f'user {os.getuid()}')"}  # the cell's error reports its user id
    submission = Submission("uid", tmp_path / "n.ipynb", cells, {}, order=list(cells))
    origin = sandbox.StudentServer(inputs_file=student_inputs_file(config=config, assignment=assignment), config=config,
                                   assignment=assignment)
    try:
        origin.start()
        clone = origin.clone()
        try:
            assert clone.process.pid != origin.process.pid
            users = [server.submit(submission).answers()["cells"]["imports"] for server in (origin, clone)]
            origin.close()
            after = clone.submit(submission).answers()["cells"]["imports"]
            assert clone.alive()
        finally:
            clone.close()
    finally:
        origin.close()
    assert all("ValueError: user " in user for user in users) and after == users[1]
    if os.geteuid() == 0:  # as root, each server's submissions run as a user id of its own
        assert users[0] != users[1]


def test_what_the_cache_folder_keeps_is_computed_once_and_read_back(tmp_path):
    """The reference's answers are kept this way: a second process reads them; a torn file is computed again."""
    import torch

    from autograder.engine.grade.cache_key import cached_tensors

    computed = []

    def compute():
        computed.append(1)
        return {"outputs": torch.arange(3.0), "names": ["conv1", "fc"], "nested": {"share": 0.5}}

    first = cached_tensors(tmp_path / "answers.pt", compute)
    second = cached_tensors(tmp_path / "answers.pt", compute)
    assert len(computed) == 1
    assert torch.equal(second["outputs"], first["outputs"]) and second["names"] == ["conv1", "fc"]
    assert second["nested"] == {"share": 0.5}
    (tmp_path / "answers.pt").write_bytes(b"torn")
    cached_tensors(tmp_path / "answers.pt", compute)
    assert len(computed) == 2
