"""The committed reference runs: enough of them, each passing every pass mark the others give (leave-one-out),
and their figures measured again the same way."""

import json

import pytest

from autograder.assignments.representations import thresholds as marks
from autograder.engine import passmarks
from autograder.engine.reference import measure


def values(assignment) -> dict[str, dict[str, float]]:
    runs = marks.runs(assignment)
    return {name: passmarks.figure_values(runs[name], read) for name, (_, read) in marks.rules(assignment.settings).items()}


def test_every_mark_comes_from_at_least_five_runs(assignment):
    for name, by_run in values(assignment).items():
        assert len(by_run) >= passmarks.MIN_RUNS, (name, sorted(by_run))


def test_every_run_passes_the_marks_the_other_runs_give(assignment):
    rules = marks.rules(assignment.settings)
    for name, by_run in values(assignment).items():
        rule = rules[name][0]
        failures = [(run, value, mark) for run, (value, mark, ok) in
                    zip(by_run, passmarks.leave_one_out(list(by_run.values()), rule)) if not ok]
        assert not failures, (name, failures)


def test_reference_network_is_clearly_trained(assignment):
    """One epoch gives about 95% on the whole test set and 93-95% on its first 5,000 images (the harder half)."""
    for run, accuracy in values(assignment)["cnn_accuracy"].items():
        assert accuracy > 0.92, run


def test_measuring_again_gives_the_committed_figures(config, assignment, tmp_path):
    committed = json.loads((assignment.reference_weights() / "metrics.json").read_text())
    for name in assignment.settings.weight_files:
        (tmp_path / name).write_bytes((assignment.reference_weights() / name).read_bytes())
    again = measure(assignment=assignment, config=config, weights_dir=tmp_path)
    assert again["cnn"]["test_accuracy"] == pytest.approx(committed["cnn"]["test_accuracy"], abs=2e-4)
