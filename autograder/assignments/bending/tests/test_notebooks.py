"""The student notebook: one stub per function, no solution line in it, the shipped weights beside it; and the
solution notebook runs from top to bottom on the shipped weights, as a student's would."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

STUB = "### YOUR CODE HERE ###"
FUNCTIONS = {
    "bend_reconstruct": ["reconstruct"], "bend_record": ["record_activations"], "bend_listing": ["list_activations"],
    "bend_kernels": ["kernel_images"], "bend_weight_ops": ["keep_mask", "mask", "scale", "bias"],
    "bend_weights": ["matching_parameters", "bend_weights"],
    "bend_activation_ops": ["keep_top_channels", "normalise_across_instances", "normalise_across_channels"],
    "bend_activation": ["bend_activation"], "bend_interpolate": ["interpolate_at_layer"],
}


@pytest.fixture(scope="module")
def released(assignment):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nbformat.read(assignment.release_notebook, as_version=4).cells}


def test_each_graded_cell_keeps_its_signatures_and_docstrings_with_stubs(released):
    for grade_id, names in FUNCTIONS.items():
        source = released[grade_id].source
        assert [m for m in re.findall(r"^def (\w+)\(", source, flags=re.M)] == names, grade_id
        assert STUB in source and '"""' in source
    for grade_id in ("bend_invert_answer", "bend_depth_answer"):
        assert released[grade_id].source == "YOUR ANSWER HERE"


def test_no_solution_line_reaches_the_release(assignment):
    solution = nbformat.read(assignment.solution_notebook, as_version=4)
    secret, given = set(), ""
    for cell in solution.cells:
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
            secret |= {line.strip() for line in region.splitlines() if len(line.strip()) > 12}
        given += re.sub(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", "", cell.source, flags=re.S)
    text = nbformat.writes(nbformat.read(assignment.release_notebook, as_version=4))
    assert not sorted(line for line in secret if line in text and line not in given)


def test_the_solution_runs_top_to_bottom_on_the_shipped_weights(assignment, config, tmp_path):
    import papermill

    shutil.copy(assignment.solution_notebook.parent / assignment.settings.shipped_weights, tmp_path)
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(assignment.solution_notebook), str(executed), cwd=str(tmp_path),
                               parameters={"data_root": str(config.data_root)}, kernel_name="python3",
                               progress_bar=False)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nbformat.read(executed, as_version=4).cells}
    printed = "".join(o.get("text", "") for o in cells["bend_vae_load"].outputs)
    assert re.search(r"test BCE \d+\.\d\d, KL \d+\.\d\d nats per image", printed)
    assert any(o.get("output_type") == "display_data" for o in cells["bend_interpolation_figures"].outputs)
