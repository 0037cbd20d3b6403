import math

import torch

from autograder.engine.grade.checks import expect, points


@points(2, "elbo_loss", "negative_elbo: reconstruction term plus beta times the KL term, mean over the batch")
def test_loss_matches_the_reference(student, reference, settings, probe_inputs):
    doing = "calling negative_elbo"
    found = student.probe("loss", "elbo_loss", doing).get("values")
    expected = reference.probe("loss", "elbo_loss", doing)["values"]
    betas = probe_inputs["loss_betas"]
    expect(isinstance(found, list) and len(found) == len(betas), "negative_elbo could not be asked for every beta")
    for beta, value, want in zip(betas, found, expected):
        expect(isinstance(value, torch.Tensor),
               f"negative_elbo(..., beta={beta}) returned {value}, expected a single number (a 0-d tensor): sum "
               "over pixels and latent coordinates, then average over the batch")
        got, want = value.item(), want.item()
        expect(math.isfinite(got), f"negative_elbo(..., beta={beta}) is {got}")
        expect(abs(got - want) <= settings.loss_rtol * abs(want),
               f"negative_elbo(..., beta={beta}) gives {got:.6g} for a batch of 5 images, expected {want:.6g} (this "
               "check runs your function with a stand-in in place of your continuous_bernoulli_log_prob, so only "
               "the loss itself is judged). Check that the reconstruction term calls continuous_bernoulli_log_prob "
               "(the continuous Bernoulli log-density, not BCE) summed over pixels, that beta weighs the KL term "
               "only, the KL formula for sigma (not log sigma or the variance), and the mean over the batch")
