"""Test-set figures of the weight probes' answers, computed in the grader's own process: the reference runs'
(pass marks) and each submission's (checks), by the same code.

The probes return only what the model's own encode and decode give on the first test images (posterior means and
standard deviations, and lam for one posterior sample with fixed noise); every figure is computed here.
"""

from __future__ import annotations

import numpy as np
import scipy.spatial
import torch

from autograder.engine.assignment import Assignment

FLOAT32_EPS = torch.finfo(torch.float32).eps
# Images per call of the log-density: its some 40 float64 passes over every pixel then stay in the CPU's cache, which
# halves its CPU time against one call over 2,000 images (measured), with the same per-image sums to the bit
LOG_PROB_CHUNK = 250


def log_prob(x: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    """The continuous Bernoulli log-density, PyTorch's own, in float64 after clamping lam the way the float32
    training loss does (a decoder's sigmoid rounds to exactly 0 or 1 in float32)."""
    lam = lam.float().clamp(FLOAT32_EPS, 1 - FLOAT32_EPS).double()
    return torch.distributions.ContinuousBernoulli(probs=lam).log_prob(x.double())


def kl_to_prior(mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, I)) of each image, summed over latent coordinates."""
    mu, sigma = mu.double(), sigma.double()
    return 0.5 * (mu.pow(2) + sigma.pow(2) - 1 - 2 * sigma.log()).sum(dim=1)


def elbo_terms(images: torch.Tensor, lam: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> dict:
    """The negative ELBO per image (beta = 1, one posterior sample), and its two terms, averaged over images."""
    reconstruction = torch.cat([-log_prob(x, chunk).flatten(1).sum(dim=1)
                                for x, chunk in zip(images.split(LOG_PROB_CHUNK), lam.split(LOG_PROB_CHUNK))])
    kl = kl_to_prior(mu, sigma)
    values = {"nelbo": (reconstruction + kl).mean().item(), "reconstruction": reconstruction.mean().item(),
              "kl": kl.mean().item()}
    if not all(np.isfinite(v) for v in values.values()):
        raise ValueError("the negative ELBO is not finite (NaN or infinite outputs)")
    return values


def knn_accuracy(codes: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Leave-one-out k-nearest-neighbour accuracy of the codes: how well the digits are separated."""
    _, neighbours = scipy.spatial.cKDTree(codes).query(codes, k=k + 1)
    votes = labels[neighbours[:, 1:]]  # column 0 is the point itself
    predicted = np.array([np.bincount(row, minlength=10).argmax() for row in votes])
    return float((predicted == labels).mean())


def latent_statistics(mu: torch.Tensor, sigma: torch.Tensor, labels: torch.Tensor, k: int) -> dict:
    """The 2-D latent space against the prior N(0, I): centre, second moment per coordinate (E[mu^2] + E[sigma^2],
    1 when the aggregate posterior matches the prior) and digit separation."""
    mu, sigma = mu.double(), sigma.double()
    return {"mu_mean": mu.mean(dim=0).tolist(),
            "second_moment": (mu.pow(2).mean(dim=0) + sigma.pow(2).mean(dim=0)).tolist(),
            "knn_accuracy": knn_accuracy(mu.numpy(), labels.numpy(), k)}


def _checked(answer: dict, shapes: dict) -> dict:
    for key, shape in shapes.items():
        value = answer.get(key)
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise ValueError(f"{key}: expected a tensor of floats, found {type(value).__name__}")
        if tuple(value.shape) != shape:
            raise ValueError(f"{key}: expected shape {shape}, found {tuple(value.shape)}")
        if not torch.isfinite(value).all():
            raise ValueError(f"{key} contains NaN or infinite values")
    if (answer["sigma"] <= 0).any():
        raise ValueError("sigma has values <= 0")
    if ((answer["lam"] < 0) | (answer["lam"] > 1)).any():
        raise ValueError("lam has values outside [0, 1]")
    return {key: answer[key] for key in shapes}


def figures(answers: dict, *, inputs: dict, assignment: Assignment) -> dict:
    """Figures for every weight probe that answered; ``{"error": ...}`` where its outputs were unusable."""
    settings = assignment.settings
    images, labels = inputs["test_images"], inputs["test_labels"]
    n = len(images)

    def dense(a):
        return {**elbo_terms(images, a["lam"], a["mu"], a["sigma"]),
                "latent": latent_statistics(a["mu"], a["sigma"], labels, settings.knn_k)}

    def conv(a):
        return elbo_terms(images, a["lam"], a["mu"], a["sigma"])

    plan = {"dense": (2, dense), "conv": (32, conv)}
    result = {}
    with torch.no_grad():
        for model, (latent, measure) in plan.items():
            answer = answers.get(assignment.model(model).probe)
            if not isinstance(answer, dict) or "error" in answer:
                continue
            try:
                result[model] = measure(_checked(answer, {"mu": (n, latent), "sigma": (n, latent),
                                                          "lam": (n, 1, 28, 28)}))
            except (ValueError, RuntimeError) as error:
                result[model] = {"error": str(error).splitlines()[0][:300]}
    return result
