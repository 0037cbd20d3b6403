"""Figures checked against independent computations (PyTorch's own loss, the prior's known moments)."""

import numpy as np
import torch
import torch.nn as nn

from autograder.assignments.hw2 import metrics


def test_mean_bce_is_what_nn_bceloss_reports():
    torch.manual_seed(0)
    images, rebuilt = torch.rand(8, 1, 28, 28), torch.rand(8, 1, 28, 28).clamp(0.01, 0.99)
    assert abs(metrics.mean_bce(rebuilt, images) - nn.BCELoss()(rebuilt, images).item()) < 1e-6


def test_samples_of_the_prior_have_the_priors_statistics():
    torch.manual_seed(0)
    mu = torch.randn(20000, 2)
    stats = metrics.latent_statistics(mu, torch.full_like(mu, -30.0), torch.zeros(20000, dtype=torch.long), k=5)
    assert all(abs(m) < 0.03 for m in stats["mu_mean"])
    assert all(abs(m - 1) < 0.05 for m in stats["second_moment"])  # exp(-30) adds nothing to mu's 1
    assert abs(stats["inside_prior_99"] - 0.99) < 0.005


def test_knn_accuracy_separates_clusters_from_noise():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 50)
    clustered = np.stack([labels * 10.0, np.zeros(500)], axis=1) + rng.normal(size=(500, 2))
    assert metrics.knn_accuracy(clustered, labels, k=5) == 1.0
    assert metrics.knn_accuracy(rng.normal(size=(500, 2)), labels, k=5) < 0.3


def test_kl_matches_the_closed_form():
    mu, log_variance = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, np.log(2.0)]])
    expected = 0.5 * ((1 + 1 - 1 - 0) + (0 + 2 - 1 - np.log(2.0))) / 2
    assert abs(metrics.kl_to_prior(mu, log_variance) - expected) < 1e-6
