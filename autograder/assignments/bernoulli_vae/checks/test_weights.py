from autograder.assignments.bernoulli_vae.checks.support import CAUSES, beyond_the_pass_mark
from autograder.engine.grade.checks import CheckFailed, expect, points


def _expect_nelbo(student, thresholds, model: str, name: str) -> None:
    found, mark = student.figure(model)["nelbo"], thresholds[f"{model}_nelbo"].value
    expect(found <= mark, beyond_the_pass_mark(
        f"{name}'s negative ELBO on the first 2,000 test images is {found:.1f} nats per image under the continuous "
        f"Bernoulli", f"at most {mark:.1f} needed"))


@points(1, "dense_model", "dense_vae: trained weights (dense_vae.pth) reach the test negative ELBO of the reference runs")
def test_dense_weights_elbo(student, thresholds):
    _expect_nelbo(student, thresholds, "dense", "dense_vae")


@points(1, "dense_model", "dense_vae: a 2-D latent space that separates the digits")
def test_dense_latent_space(student, thresholds):
    # the codes' centre and spread are not checked: correct runs spread over where the trained mistakes land
    accuracy, needed = student.figure("dense")["latent"]["knn_accuracy"], thresholds["dense_knn"].value
    if accuracy < needed:
        raise CheckFailed(f"5-nearest-neighbour accuracy of the digits in latent space is {accuracy:.1%}, at least "
                          f"{needed:.1%} needed, a bound which every reference run of the solution meets. Usual causes: "
                          f"{CAUSES}")


@points(1, "conv_model", "conv_vae: trained weights (conv_vae.pth) reach the test negative ELBO of the reference runs")
def test_conv_weights_elbo(student, thresholds):
    _expect_nelbo(student, thresholds, "conv", "conv_vae")
