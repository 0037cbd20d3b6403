"""Pass marks of the weight checks, each derived by the engine's rule (autograder/engine/passmarks.py) from every
committed reference run: the worst run, moved further by the runs' range or by the figure's stated floor."""

from __future__ import annotations

from autograder.engine import passmarks
from autograder.engine.assignment import Assignment
from autograder.engine.grade.checks import Threshold


def rules(settings) -> dict:
    """(rule, how to read the figure from one run's metrics.json) of each pass mark."""
    Rule = passmarks.Rule
    return {
        "dense_nelbo": (Rule("lower", settings.dense_nelbo_floor, relative=True), lambda m: m["dense"]["nelbo"]),
        "conv_nelbo": (Rule("lower", settings.conv_nelbo_floor, relative=True), lambda m: m["conv"]["nelbo"]),
        "dense_knn": (Rule("higher", settings.knn_floor), lambda m: m["dense"]["latent"]["knn_accuracy"]),
        "dense_mu_mean": (Rule("lower", settings.mu_mean_floor),
                          lambda m: max(abs(v) for v in m["dense"]["latent"]["mu_mean"])),
        "dense_second_moment_low": (Rule("higher", settings.second_moment_floor),
                                    lambda m: min(m["dense"]["latent"]["second_moment"])),
        "dense_second_moment_high": (Rule("lower", settings.second_moment_floor),
                                     lambda m: max(m["dense"]["latent"]["second_moment"])),
    }


def values(assignment: Assignment, runs: dict | None = None) -> dict[str, dict[str, float]]:
    """Each pass mark's figure in every committed run (``runs``: metrics.json contents by run name)."""
    runs = passmarks.run_metrics(assignment.reference_dir) if runs is None else runs
    return {name: passmarks.figure_values(runs, read) for name, (_, read) in rules(assignment.settings).items()}


def thresholds(assignment: Assignment, runs: dict | None = None) -> dict[str, Threshold]:
    found = values(assignment, runs)
    marks = {}
    for name, (rule, _) in rules(assignment.settings).items():
        measured = list(found[name].values())
        if len(measured) < (1 if runs is not None else passmarks.MIN_RUNS):
            raise FileNotFoundError(f"{name}: {len(measured)} reference run(s) under {assignment.reference_dir}, "
                                    f"{passmarks.MIN_RUNS} needed: run `make reference ASSIGNMENT={assignment.id} SEED=n`")
        marks[name] = Threshold(rule.mark(measured), rule.describe(measured))
    return marks
