from autograder.assignments.hw2.checks.support import expect_reconstruction
from autograder.engine.grade.checks import CheckFailed, expect, points


@points(0.25, "vae_model", "vae_model: Encoder(4), Decoder(2), latent dimensionality 2; returns (x, mu, log_variance)")
def test_vae_model_structure(student):
    answer = student.probe("vae_model", "vae_model", "running `vae_model`")
    expect(answer.get("is_instance") is True, f"vae_model should be a VariationalAutoEncoder, found {answer.get('class')}")
    expect(answer.get("encoder_output_shape") == [4, 4],
           f"vae_model's encoder gives {answer.get('encoder_output_shape')} for 4 images, expected [4, 4]: "
           "Encoder(4) outputs a mean and a log-variance for each of the 2 latent coordinates")
    expect(answer.get("latent_dimensionality") == 2,
           f"vae_model.latent_dimensionality is {answer.get('latent_dimensionality')}, expected 2")
    expect(answer.get("forward_shapes") == [[4, 1, 28, 28], [4, 2], [4, 2]],
           f"vae_model(images) should return (reconstruction, mu, log_variance) of shapes [4, 1, 28, 28], [4, 2], "
           f"[4, 2]; found {answer.get('forward_shapes')}")


@points(0.25, "vae_model", "vae_model: trained weights (mnist_vae_weights.pth) reconstruct the test set")
def test_vae_weights_reconstruct(student, thresholds):
    expect_reconstruction(student, thresholds, "vae")


@points(0.5, "vae_model", "vae_model: a latent space shaped by the KL term")
def test_vae_latent_space(student, thresholds):
    figures = student.figure("vae")
    latent, t = figures["latent"], thresholds
    problems = []
    if max(abs(m) for m in latent["mu_mean"]) > t["mu_mean"].value:
        problems.append(f"the codes are centred at ({latent['mu_mean'][0]:.2f}, {latent['mu_mean'][1]:.2f}), "
                        f"expected within {t['mu_mean'].value:.2f} of the origin")
    low, high = t["second_moment_low"].value, t["second_moment_high"].value
    if not all(low <= m <= high for m in latent["second_moment"]):
        problems.append(f"mean(mu^2) + mean(exp(log_variance)) is ({latent['second_moment'][0]:.2f}, "
                        f"{latent['second_moment'][1]:.2f}) per coordinate, expected between {low:.2f} and {high:.2f} (1 for "
                        "the prior)")
    if latent["inside_prior_99"] < t["inside_prior_99"].value:
        problems.append(f"{latent['inside_prior_99']:.0%} of the test codes lie inside the circle holding 99% of the "
                        f"prior, at least {t['inside_prior_99'].value:.0%} expected")
    grid = figures["ppf_grid"]
    if grid["distinct_digits"] < t["ppf_distinct_digits"].value:
        problems.append(f"the PPF grid decodes to only {grid['distinct_digits']} different digit(s), at least "
                        f"{int(t['ppf_distinct_digits'].value)} expected")
    if problems:
        raise CheckFailed("; ".join(problems) + ". Every reference run of the solution lies within these bounds. "
                          "Usual causes: the KL term left out or weighted otherwise than 0.01, fewer epochs than the "
                          "notebook's, or the weights saved before training ended (the grader measures your weights "
                          "in the homework's own VariationalAutoEncoder)")
