"""Figures of the submitted weights, computed in the grader's own process from the weight probe's answer."""

from __future__ import annotations

import torch

from autograder.assignments.representations import metrics
from autograder.engine.assignment import Assignment


def figures(answers: dict, *, inputs: dict, assignment: Assignment) -> dict:
    """The test accuracy of the submitted network, or ``{"error": ...}`` when its scores are unusable."""
    labels = inputs["test"]["labels"]
    answer = answers.get(assignment.model("cnn").probe)
    if not isinstance(answer, dict) or "error" in answer:
        return {}
    scores = answer.get("scores")
    if not isinstance(scores, torch.Tensor) or not scores.is_floating_point() or tuple(scores.shape) != (len(labels), 10):
        found = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        return {"cnn": {"error": f"expected scores of shape ({len(labels)}, 10), found {found}"}}
    return {"cnn": {"test_accuracy": metrics.accuracy(scores.float(), labels)}}
