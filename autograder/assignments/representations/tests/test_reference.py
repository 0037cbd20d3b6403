"""The committed reference runs are clearly trained (their number, the leave-one-out test and measuring again:
tests/test_passmarks.py and tests/test_reference_runs.py, for every assignment)."""

from autograder.assignments.representations.thresholds import figures
from autograder.engine.passmarks import figure_runs, figure_values


def test_reference_network_is_clearly_trained(assignment):
    """One epoch gives 93.4% to 96.1% on the whole test set and 93.4% to 95.7% on every fifth test image (the graded
    2,000) in the 10 committed runs; a tenth of an epoch gives 63% (first 5,000 images), untrained weights about 8%."""
    figure = figures(assignment.settings)["cnn_accuracy"]
    for run, accuracy in figure_values(figure_runs(figure, assignment.reference_dir), figure.read).items():
        assert accuracy > 0.85, run
