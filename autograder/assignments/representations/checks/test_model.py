from autograder.assignments.representations.checks.support import beyond_the_pass_mark
from autograder.engine.grade.checks import expect, points


@points(0.5, "cnn_model", "model: a Net, and SGD over its parameters with lr 0.01 and no momentum")
def test_model_and_optimizer(student):
    found = student.probe("model", "cnn_model", "reading `model` and `optimizer`")
    expect(found.get("is_instance") is True, f"model should be an instance of Net, found {found.get('class')}")
    expect(found.get("optimizer") == "SGD", f"optimizer should be torch.optim.SGD, found {found.get('optimizer')}")
    expect(found.get("covers_the_model") is True, "optimizer should update model.parameters(), all of them")
    expect(found.get("lr") == 0.01 and found.get("momentum") == 0,
           f"optimizer should use lr=lr (0.01) and momentum=momentum (0), found lr={found.get('lr')}, "
           f"momentum={found.get('momentum')}")


@points(1, "cnn_model", "trained weights (mnist_cnn.pt) reach the test accuracy")
def test_trained_weights_accuracy(student, thresholds):
    found, needed = student.figure("cnn")["test_accuracy"], thresholds["cnn_accuracy"].value
    expect(found >= needed, beyond_the_pass_mark(f"test accuracy {found:.2%}", f"at least {needed:.2%} needed"))
