"""What several of Homework 2's checks share."""

from autograder.engine.grade.checks import Answers, expect


# Said after a lost weight point: what usually causes it, without presuming which one it was.
CAUSES = ("the weights saved before training ended, fewer epochs than the notebook's, or a changed loss, optimiser "
          "or learning rate")


def beyond_the_pass_mark(measured: str, mark: str) -> str:
    """A lost weight point's message: what was measured, the pass mark, that the reference runs reach it, the
    usual causes (the tests check that every committed reference run passes every mark)."""
    return (f"{measured} (the grader runs your weights in the homework's own model), {mark}, which every reference "
            f"run of the solution reaches. Usual causes: {CAUSES}")


def expect_reconstruction(student: Answers, thresholds: dict, model: str) -> None:
    """The model's test reconstruction BCE with its submitted weights is within its threshold."""
    found, limit = student.figure(model)["test_bce"], thresholds[f"{model}_bce"].value
    expect(found <= limit, beyond_the_pass_mark(f"test reconstruction BCE {found:.4f}", f"at most {limit:.4f} needed"))
