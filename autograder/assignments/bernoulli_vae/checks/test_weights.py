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


@points(1, "dense_model", "dense_vae: a 2-D latent space near the prior that separates the digits")
def test_dense_latent_space(student, thresholds):
    latent, t = student.figure("dense")["latent"], thresholds
    problems = []
    centre = max(abs(v) for v in latent["mu_mean"])
    if centre > t["dense_mu_mean"].value:
        problems.append(f"the test means mu are centred at ({latent['mu_mean'][0]:.2f}, {latent['mu_mean'][1]:.2f}), "
                        f"at most {t['dense_mu_mean'].value:.2f} from the origin per coordinate needed")
    low, high = t["dense_second_moment_low"].value, t["dense_second_moment_high"].value
    if not all(low <= v <= high for v in latent["second_moment"]):
        problems.append("mean(mu^2) + mean(sigma^2) is ({:.2f}, {:.2f}) per coordinate, between {:.2f} and {:.2f} "
                        "needed (1 under the prior)".format(*latent["second_moment"], low, high))
    if latent["knn_accuracy"] < t["dense_knn"].value:
        problems.append(f"5-nearest-neighbour accuracy of the digits in latent space is {latent['knn_accuracy']:.1%}, "
                        f"at least {t['dense_knn'].value:.1%} needed")
    if problems:
        raise CheckFailed("; ".join(problems) + f", bounds which every reference run of the solution meets. Usual "
                          f"causes: {CAUSES}")


@points(1, "conv_model", "conv_vae: trained weights (conv_vae.pth) reach the test negative ELBO of the reference runs")
def test_conv_weights_elbo(student, thresholds):
    _expect_nelbo(student, thresholds, "conv", "conv_vae")
