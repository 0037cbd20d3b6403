"""The student notebook nbgrader generates: up to date, reproducible, stubs in place, no solution leaked."""

import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config as TraitletsConfig

from autograder.release import release_assignment
from autograder.release.clear_solutions import ClearSolutionsInPlace

STUB = "### YOUR CODE HERE ###"
# Where the seed's student notebook asks for code, by grade_id: the lines the student sees.
EXPECTED_STUBS = {
    "transform": ["transform = " + STUB],
    "dataloaders": ["training_dataloader = " + STUB, "validation_dataloader = " + STUB],
    "model": ["model = " + STUB],
    "encoder": [f"self.{name} = {STUB}" for name in ("conv_1", "conv_2", "pool_1", "conv_3", "pool_2", "fc_1", "fc_2")],
    "decoder": [f"self.{name} = {STUB}" for name in
                ("fc_1", "fc_2", "upsample_1", "conv_1", "upsample_2", "conv_2", "conv_3")],
    "ae_model": ["ae_model = " + STUB],
    "vae_model": ["vae_model = " + STUB],
}
LENET_BLANKS = [
    "self.conv1 = nn.Conv2d(_, _, kernel_size=_, stride=1)",
    "self.conv2 = nn.Conv2d(_, _, kernel_size=_, stride=1)",
    "self.conv3 = nn.Conv2d(_, _, kernel_size=_, stride=1)",
    "self.fc1 = nn.Linear(_, _)",
    "self.fc2 = nn.Linear(_, _)",
]


@pytest.fixture(scope="session")
def fresh_release(config, tmp_path_factory):
    """A release generated from the committed sources in a scratch copy of the course directory."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(config.root / "solutions", root / "solutions")
    shutil.copy(config.root / "nbgrader_config.py", root)
    first = release_assignment(assignment=config.assignment, root=root) / f"{config.assignment}.ipynb"
    first_bytes = first.read_bytes()
    second = release_assignment(assignment=config.assignment, root=root) / f"{config.assignment}.ipynb"
    return first_bytes, second.read_bytes()


@pytest.fixture(scope="session")
def released(config):
    return nbformat.read(config.release_notebook, as_version=4)


def by_id(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells}


def test_release_is_reproducible(fresh_release):
    first, second = fresh_release
    assert first == second


def test_committed_release_is_up_to_date(fresh_release, config):
    assert config.release_notebook.read_bytes() == fresh_release[0], "run `make release` and commit assignments/"


def test_stubs_are_where_the_seed_has_them(released):
    cells = by_id(released)
    for grade_id, lines in EXPECTED_STUBS.items():
        stubbed = [line.strip() for line in cells[grade_id].source.splitlines() if STUB in line]
        assert stubbed == lines, grade_id
    lenet = [line.strip() for line in cells["lenet"].source.splitlines() if "_," in line or "(_" in line]
    assert lenet == LENET_BLANKS
    for grade_id in ("lenet_comparison_answer", "vae_use_case_answer"):
        assert cells[grade_id].source == "YOUR ANSWER HERE"


def test_no_solution_line_reaches_the_release(config, released):
    solution = nbformat.read(config.solution_notebook, as_version=4)
    secret, given = set(), set()
    for cell in solution.cells:
        if cell.metadata.nbgrader.get("locked"):  # code the instructor hands out on purpose
            given |= {line.strip() for line in cell.source.splitlines()}
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
            secret |= {line.strip() for line in region.splitlines() if len(line.strip()) > 3}
        secret |= {line.split("###")[0].strip() for line in cell.source.splitlines() if "### BLANKS" in line}
    text = nbformat.writes(released)  # sources, metadata and all
    leaked = sorted(line for line in secret if line in text and not any(line in g for g in given))
    assert not leaked
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "### BLANKS", "kernel_size=5", "Linear(120, 84)"):
        assert marker not in text


def test_release_has_no_outputs_and_keeps_points(config, released):
    solution_points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("points")
                       for c in nbformat.read(config.solution_notebook, as_version=4).cells}
    assert sum(p for p in solution_points.values() if p) == 15
    for cell in released.cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        assert cell.metadata.nbgrader.get("points") == solution_points[cell.metadata.nbgrader["grade_id"]]


def clear(source: str) -> str:
    nb = new_notebook(cells=[new_code_cell(source, metadata={"nbgrader": {
        "grade_id": "x", "solution": True, "grade": False, "locked": False, "schema_version": 3}})])
    nb.metadata["kernelspec"] = {"language": "python", "name": "python3", "display_name": "Python 3"}
    c = TraitletsConfig()
    c.ClearSolutions.code_stub = {"python": STUB}
    nb, _ = ClearSolutionsInPlace(config=c).preprocess(nb, {})
    return nb.cells[0].source


def test_assignments_keep_their_target_and_other_statements_become_one_stub():
    source = "x = 1\n    ### BEGIN SOLUTION\n    y = f(\n        2)\n    print(y)\n    z()\n    ### END SOLUTION"
    assert clear(source) == f"x = 1\n    y = {STUB}\n    {STUB}"


def test_blanked_line_keeps_stride_and_non_literals():
    assert clear("a = nn.Conv2d(1, 6, kernel_size=5, stride=1, bias=flag)  ### BLANKS") == \
        "a = nn.Conv2d(_, _, kernel_size=_, stride=1, bias=flag)"


def test_unterminated_region_is_an_error():
    with pytest.raises(RuntimeError, match="no end solution"):
        clear("### BEGIN SOLUTION\nx = 1")
