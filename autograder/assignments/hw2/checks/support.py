"""What several of Homework 2's checks share."""

from autograder.engine.grade.checks import Answers, expect


def expect_reconstruction(student: Answers, thresholds: dict, model: str, what: str) -> None:
    """The model's test reconstruction BCE with its submitted weights is within its threshold."""
    found, limit = student.figure(model)["test_bce"], thresholds[f"{model}_bce"].value
    expect(found <= limit, f"test reconstruction BCE {found:.4f}, at most {limit:.4f} needed: was {what} trained for "
                           "the full 20 epochs, and the weights saved after training?")
