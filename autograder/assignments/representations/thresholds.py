"""Pass marks, each derived by the engine's rule (passmarks.Rule) from every committed reference run:

* test accuracy of mnist_cnn.pt: the runs reference/seed<n>/metrics.json (the notebook trained with seed n), checked
  against reference/validation/seed<n>/metrics.json, which no mark comes from;
* trustworthiness and separation of tsne_embedding's output: reference/tsne_runs.json, the solution's
  tsne_embedding run on the probe representations with t-SNE seeds 0 to 9 (written by `python -m
  autograder.assignments.representations.tsne_runs`).
"""

from __future__ import annotations

from autograder.engine.assignment import Assignment
from autograder.engine.grade.checks import Threshold
from autograder.engine.passmarks import Figure, Rule, pass_marks

TSNE_RUNS = "tsne_runs.json"
RUNS_NEEDED = 10  # one epoch trains in about 2 minutes on a CPU: tests/test_passmarks.py requires this many runs


def figures(settings) -> dict[str, Figure]:
    """Every figure a check compares with a pass mark; the floors are the settings' (see their descriptions)."""
    marks = {"cnn_accuracy": Figure("CNN test accuracy", lambda m: m["cnn"]["test_accuracy"],
                                    Rule("higher", settings.accuracy_floor, possible=(0.0, 1.0)))}
    for layer in settings.embedded_layers:
        marks[f"trustworthiness_{layer}"] = Figure(f"trustworthiness of the t-SNE of {layer}",
                                                   lambda m, layer=layer: m[layer]["trustworthiness"],
                                                   Rule("higher", settings.trustworthiness_floor, possible=(0.0, 1.0)),
                                                   runs=TSNE_RUNS)
    marks["separation_gain"] = Figure("gain in 5-NN accuracy from the input's t-SNE to h5's",
                                      lambda m: m["separation_gain"], Rule("higher", settings.separation_floor, possible=(-1.0, 1.0)),
                                      runs=TSNE_RUNS)
    return marks


def thresholds(assignment: Assignment) -> dict[str, Threshold]:
    return pass_marks(figures(assignment.settings), assignment.reference_dir)
