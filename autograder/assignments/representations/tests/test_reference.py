"""The committed reference runs: clearly trained, and their figures measured again the same way (their number and
the leave-one-out test: tests/test_passmarks.py, for every assignment)."""

import json

import pytest

from autograder.assignments.representations.thresholds import figures
from autograder.engine.passmarks import figure_runs, figure_values
from autograder.engine.reference import measure


def test_reference_network_is_clearly_trained(assignment):
    """One epoch gives about 95% on the whole test set and 93-95% on its first 5,000 images (the harder half)."""
    accuracy = figures(assignment.settings)["cnn_accuracy"]
    for run, accuracy in figure_values(figure_runs(accuracy, assignment.reference_dir), accuracy.read).items():
        assert accuracy > 0.92, run


def test_measuring_again_gives_the_committed_figures(config, assignment, tmp_path):
    committed = json.loads((assignment.reference_weights() / "metrics.json").read_text())
    for name in assignment.settings.weight_files:
        (tmp_path / name).write_bytes((assignment.reference_weights() / name).read_bytes())
    again = measure(assignment=assignment, config=config, weights_dir=tmp_path)
    assert again["cnn"]["test_accuracy"] == pytest.approx(committed["cnn"]["test_accuracy"], abs=2e-4)
