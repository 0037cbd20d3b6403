"""The committed reference runs are clearly trained (their number, the leave-one-out test and measuring again:
tests/test_passmarks.py and tests/test_reference_runs.py, for every assignment)."""

from autograder.assignments.representations.thresholds import figures
from autograder.engine.passmarks import figure_runs, figure_values


def test_reference_network_is_clearly_trained(assignment):
    """One epoch gives about 95% on the whole test set and 93-95% on its first 5,000 images (the harder half)."""
    figure = figures(assignment.settings)["cnn_accuracy"]
    for run, accuracy in figure_values(figure_runs(figure, assignment.reference_dir), figure.read).items():
        assert accuracy > 0.92, run
