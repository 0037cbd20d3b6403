from autograder.assignments.hw2.checks.support import beyond_the_pass_mark
from autograder.engine.grade.checks import expect, points


@points(0.5, "model", "model: an instance of LeNet_5")
def test_model_is_a_lenet(student):
    answer = student.probe("model", "model", "reading `model`")
    expect(answer.get("is_instance") is True, f"model should be an instance of LeNet_5, found {answer.get('class')}")


@points(0.5, "model", "model: trained weights (lenet5_weights.pth) reach the test accuracy")
def test_model_weights_accuracy(student, thresholds, settings):
    figures = student.figure("lenet")
    needed = thresholds["lenet_accuracy"].value
    found = figures["test_accuracy"]
    # which images: the notebook prints its accuracy on all 10,000, which may differ by a few tenths of a point
    seen = f"test accuracy {found:.2%} (on every {10_000 // settings.lenet_eval_images}th of the 10,000 test images)"
    expect(found >= needed, beyond_the_pass_mark(seen, f"at least {needed:.2%} needed"))
