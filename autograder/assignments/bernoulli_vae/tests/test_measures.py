"""The grader's figures checked against independent computations."""

import math

import numpy as np
import torch

from autograder.assignments.bernoulli_vae import measures


def test_log_prob_is_the_normalised_density():
    """exp(log p) integrates to 1 over [0, 1] for any lam (trapezoid rule), unlike the BCE."""
    x = torch.linspace(0, 1, 20001)
    for lam in (0.001, 0.2, 0.5, 0.5 + 1e-5, 0.93):
        density = measures.log_prob(x, torch.full_like(x, lam)).exp()
        assert abs(torch.trapezoid(density, x).item() - 1) < 1e-4, lam


def test_kl_and_elbo_terms_match_closed_forms():
    mu, sigma = torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 2.0]])
    assert abs(measures.kl_to_prior(mu, sigma).item() - (0.5 + 0.5 * (4 - 1 - 2 * math.log(2)))) < 1e-9
    images, lam = torch.full((1, 1, 28, 28), 0.5), torch.full((1, 1, 28, 28), 0.5)
    terms = measures.elbo_terms(images, lam, mu, sigma)
    assert abs(terms["reconstruction"] - 784 * (math.log(2) - math.log(2))) < 1e-6  # log p = log 0.5 + log 2 = 0
    assert abs(terms["nelbo"] - terms["kl"]) < 1e-9


def test_samples_of_the_prior_have_the_priors_statistics():
    torch.manual_seed(0)
    mu = torch.randn(20000, 2)
    stats = measures.latent_statistics(mu, torch.full_like(mu, 1e-6), torch.zeros(20000, dtype=torch.long), k=5)
    assert all(abs(v) < 0.03 for v in stats["mu_mean"])
    assert all(abs(v - 1) < 0.05 for v in stats["second_moment"])


def test_knn_accuracy_separates_clusters_from_noise():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 50)
    clustered = np.stack([labels * 10.0, np.zeros(500)], axis=1) + rng.normal(size=(500, 2))
    assert measures.knn_accuracy(clustered, labels, k=5) == 1.0
    assert measures.knn_accuracy(rng.normal(size=(500, 2)), labels, k=5) < 0.3
