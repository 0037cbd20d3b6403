from autograder.assignments.hw2.checks.support import beyond_the_pass_mark
from autograder.engine.grade.checks import expect, points


@points(0.5, "model", "model: an instance of LeNet_5")
def test_model_is_a_lenet(student):
    answer = student.probe("model", "model", "reading `model`")
    expect(answer.get("is_instance") is True, f"model should be an instance of LeNet_5, found {answer.get('class')}")


@points(0.5, "model", "model: trained weights (lenet5_weights.pth) reach the test accuracy")
def test_model_weights_accuracy(student, thresholds):
    figures = student.figure("lenet")
    needed = thresholds["lenet_accuracy"].value
    found = figures["test_accuracy"]
    expect(found >= needed, beyond_the_pass_mark(f"test accuracy {found:.2%}", f"at least {needed:.2%} needed"))
