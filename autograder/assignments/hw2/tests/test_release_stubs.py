"""Homework 2's student notebook: stubs where the seed has them, blanks in LeNet-5, no solution leaked."""

import re

import nbformat
import pytest

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
def released(assignment):
    return nbformat.read(assignment.release_notebook, as_version=4)


def by_id(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells}


def test_stubs_are_where_the_seed_has_them(released):
    cells = by_id(released)
    for grade_id, lines in EXPECTED_STUBS.items():
        stubbed = [line.strip() for line in cells[grade_id].source.splitlines() if STUB in line]
        assert stubbed == lines, grade_id
    lenet = [line.strip() for line in cells["lenet"].source.splitlines() if "_," in line or "(_" in line]
    assert lenet == LENET_BLANKS
    for grade_id in ("lenet_comparison_answer", "vae_use_case_answer"):
        assert cells[grade_id].source == "YOUR ANSWER HERE"


def test_no_solution_line_reaches_the_release(assignment, released):
    solution = nbformat.read(assignment.solution_notebook, as_version=4)
    secret, given = set(), set()
    for cell in solution.cells:
        # code the instructor hands out on purpose; a self-check is not: a solution line there is a leak
        if cell.metadata.nbgrader.get("locked") and not cell.metadata.nbgrader["grade_id"].startswith("check_"):
            given |= {line.strip() for line in cell.source.splitlines()}
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
            secret |= {line.strip() for line in region.splitlines() if len(line.strip()) > 3}
        secret |= {line.split("###")[0].strip() for line in cell.source.splitlines() if "### BLANKS" in line}
    text = nbformat.writes(released)  # sources, metadata and all
    leaked = sorted(line for line in secret if line in text and not any(line in g for g in given))
    assert not leaked
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "### BLANKS", "kernel_size=5", "Linear(120, 84)"):
        assert marker not in text


def test_points_are_the_seeds_fifteen(assignment):
    solution = nbformat.read(assignment.solution_notebook, as_version=4)
    assert sum(c.metadata.nbgrader.get("points", 0) for c in solution.cells) == 15
