"""Pass marks, each derived by the engine's rule (passmarks.Rule) from every committed reference run.

* test accuracy of mnist_cnn.pt: the runs reference/seed<n>/metrics.json (the notebook trained with seed n);
* trustworthiness and separation of tsne_embedding's output: reference/tsne_runs.json, the solution's
  tsne_embedding run on the probe representations with t-SNE seeds 0 to 9 (written by `python -m
  autograder.assignments.representations.tsne_runs`).
"""

from __future__ import annotations

import json

from autograder.engine import passmarks
from autograder.engine.assignment import Assignment
from autograder.engine.grade.checks import Threshold


def rules(settings) -> dict[str, tuple[passmarks.Rule, callable]]:
    """Each mark's rule and how its figure is read from one run."""
    rules = {"cnn_accuracy": (passmarks.Rule("higher", floor=settings.accuracy_floor),
                              lambda m: m["cnn"]["test_accuracy"])}
    for layer in settings.embedded_layers:
        rules[f"trustworthiness_{layer}"] = (passmarks.Rule("higher", floor=settings.trustworthiness_floor),
                                             lambda m, layer=layer: m[layer]["trustworthiness"])
    rules["separation_gain"] = (passmarks.Rule("higher", floor=settings.separation_floor),
                                lambda m: m["separation_gain"])
    return rules


def runs(assignment: Assignment) -> dict[str, dict[str, dict]]:
    """The committed runs each mark comes from: weight runs for the accuracy, t-SNE runs for the others."""
    weight_runs = passmarks.run_metrics(assignment.reference_dir)
    tsne_file = assignment.reference_dir / "tsne_runs.json"
    tsne_runs = json.loads(tsne_file.read_text()) if tsne_file.is_file() else {}
    return {name: (weight_runs if name == "cnn_accuracy" else tsne_runs) for name in rules(assignment.settings)}


def thresholds(assignment: Assignment) -> dict[str, Threshold]:
    marks = {}
    for name, (rule, read) in rules(assignment.settings).items():
        values = list(passmarks.figure_values(runs(assignment)[name], read).values())
        if len(values) < passmarks.MIN_RUNS:  # never a mark from fewer runs (a bundle that left runs out, say)
            raise FileNotFoundError(
                f"{name}: {len(values)} reference run(s) under {assignment.reference_dir}, {passmarks.MIN_RUNS} needed: "
                f"run `make reference ASSIGNMENT={assignment.id} SEED=n` and `python -m "
                "autograder.assignments.representations.tsne_runs`")
        marks[name] = Threshold(rule.mark(values), rule.describe(values))
    return marks
