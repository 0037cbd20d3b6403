"""Homework 2's figures of model outputs: the same functions measure the reference and every submission."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import scipy.spatial
import torch
import torch.nn.functional as F

# Squared radius of the circle holding 99% of a 2-D standard normal: chi-squared with 2 degrees of freedom is
# exponential with mean 2, so its 0.99 quantile is -2 ln 0.01 (scipy.stats's chi2.ppf, without its 0.8 s import).
PRIOR_99_RADIUS2 = -2 * math.log(1 - 0.99)
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def test_set(data_root: Path) -> dict[str, torch.Tensor]:
    """MNIST's 10,000 test images as the AE sees them (28x28 in [0, 1]) and as LeNet-5 does (32x32, normalised).

    The LeNet-5 inputs go through torchvision's own Resize/ToTensor/Normalize so they match the notebook exactly.
    """
    import torchvision
    import torchvision.transforms as T

    raw = torchvision.datasets.MNIST(data_root, train=False, download=True)
    lenet_transform = T.Compose([T.Resize(32), T.ToTensor(), T.Normalize((MNIST_MEAN,), (MNIST_STD,))])
    return {
        "images28": raw.data.unsqueeze(1).float() / 255,
        "images32": torch.stack([lenet_transform(image) for image, _ in raw]),
        "labels": raw.targets.clone(),
    }


def accuracy(scores: torch.Tensor, labels: torch.Tensor) -> float:
    return (scores.argmax(dim=1) == labels).float().mean().item()


def mean_bce(reconstructions: torch.Tensor, images: torch.Tensor) -> float:
    """Binary cross-entropy per pixel, averaged over every pixel (what nn.BCELoss reports)."""
    return F.binary_cross_entropy(reconstructions.clamp(1e-7, 1 - 1e-7), images).item()


def kl_to_prior(mu: torch.Tensor, log_variance: torch.Tensor) -> float:
    """KL(N(mu, exp(log_variance)) || N(0, I)) averaged over examples and coordinates, as in the notebook."""
    return (0.5 * torch.mean(mu**2 + log_variance.exp() - 1 - log_variance)).item()


def knn_accuracy(codes: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Leave-one-out k-nearest-neighbour accuracy of the codes: how well digits are separated in latent space."""
    _, neighbours = scipy.spatial.cKDTree(codes).query(codes, k=k + 1)
    votes = labels[neighbours[:, 1:]]  # column 0 is the point itself
    predicted = (votes[:, :, None] == np.arange(10)).sum(axis=1).argmax(axis=1)  # a tie goes to the smaller digit
    return float((predicted == labels).mean())


def latent_statistics(mu: torch.Tensor, log_variance: torch.Tensor | None, labels: torch.Tensor, k: int) -> dict:
    """What a 2-D latent space looks like: centring, spread against the prior, coverage and digit separation.

    For a plain autoencoder there is no variance: pass ``log_variance=None`` and only the codes are described.
    """
    codes = mu.double()
    stats = {
        "mu_mean": codes.mean(dim=0).tolist(),
        "inside_prior_99": (codes.pow(2).sum(dim=1) <= PRIOR_99_RADIUS2).double().mean().item(),
        "knn_accuracy": knn_accuracy(codes.numpy(), labels.numpy(), k),
    }
    if log_variance is not None:
        # For a VAE whose aggregate posterior matches N(0, 1), E[mu^2] + E[sigma^2] = 1 in every coordinate.
        stats["second_moment"] = (codes.pow(2).mean(dim=0) + log_variance.double().exp().mean(dim=0)).tolist()
    return stats


def ppf_grid(n: int = 20) -> torch.Tensor:
    """The n x n grid evenly spaced in probability under N(0, 1), as in the notebook's PPF mosaic."""
    z = torch.special.ndtri(torch.linspace(0.005, 0.995, n, dtype=torch.float64)).numpy()  # N(0, 1)'s quantiles
    z1, z2 = np.meshgrid(z, z)
    return torch.tensor(np.column_stack([z1.ravel(), z2.ravel()]), dtype=torch.float32)


def as_lenet_input(images28: torch.Tensor) -> torch.Tensor:
    """28x28 images in [0, 1] resized and normalised the way LeNet-5's inputs are."""
    resized = F.interpolate(images28, size=(32, 32), mode="bilinear", antialias=True, align_corners=False)
    return (resized - MNIST_MEAN) / MNIST_STD


def grid_variety(decoded: torch.Tensor, classify) -> dict:
    """How varied a decoded latent grid is: distinct digits a classifier reads in it, and pixel spread."""
    digits = classify(as_lenet_input(decoded)).argmax(dim=1)
    return {
        "distinct_digits": int(digits.unique().numel()),
        "pixel_std": decoded.std(dim=0).mean().item(),
    }

