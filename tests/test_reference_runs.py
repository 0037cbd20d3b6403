"""Every assignment's committed reference run measured again gives its committed figures (metrics.json), so the pass
marks derived from those figures describe what the grader measures today."""

from __future__ import annotations

import json

import pytest

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.reference import flat, measure

# Another CPU or library build sums float32 in another order: differences of about 1e-7 relative were seen (2.4e-7
# in hw2's ae.latent.mu_mean). 1e-4 relative stays far inside every floor of a pass mark (the smallest: 0.5% of
# accuracy); 4e-3 absolute lets a share of 500 or more test images (a k-NN accuracy, codes inside a circle) move
# by two images that sit on a boundary.
RELATIVE, ABSOLUTE = 1e-4, 4e-3

MEASURED = [i for i in assignment_ids() if load(i).module("measures") is not None]


@pytest.mark.parametrize("assignment_id", MEASURED)
def test_measuring_again_gives_the_committed_figures(config, assignment_id, tmp_path):
    assignment = load(assignment_id, config)
    committed = json.loads((assignment.reference_weights() / "metrics.json").read_text())
    for name in assignment.settings.weight_files:
        (tmp_path / name).write_bytes((assignment.reference_weights() / name).read_bytes())
    again = flat(measure(assignment=assignment, config=config, weights_dir=tmp_path))
    assert again == pytest.approx(flat(committed), rel=RELATIVE, abs=ABSOLUTE)


def test_the_training_log_keeps_the_epoch_lines_and_the_cell_time(tmp_path):
    """The log beside the weights: each training cell's epoch lines and how long it ran (the notebooks quote their
    timings from it); a section of another cell already in the log stays."""
    import nbformat

    from autograder.engine.reference import write_training_log

    cell = nbformat.v4.new_code_cell("train()", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="loading\nepoch 0: loss 0.5\nepoch 1: loss 0.4\n")])
    cell.metadata = {"nbgrader": {"grade_id": "vae_train"}, "execution": {
        "iopub.execute_input": "2026-12-07T17:42:43.357623Z", "shell.execute_reply": "2026-12-07T18:16:03.900000Z"}}
    executed = tmp_path / "executed.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), executed)
    log = tmp_path / "training_log.txt"
    log.write_text("[lenet_train]\nepoch 0: accuracy 98%\n")
    write_training_log(executed, log, cells={"vae_train"})
    assert log.read_text() == ("[lenet_train]\nepoch 0: accuracy 98%\n\n"
                               "[vae_train]\nepoch 0: loss 0.5\nepoch 1: loss 0.4\ncell time: 2001 s\n")
