"""Test-set figures computed from probe answers: the reference's (thresholds) and each student's (checks)."""

from __future__ import annotations

import torch

from autograder import metrics
from autograder.config import Config


def lenet_figures(answer: dict, test: dict) -> dict:
    return {"test_accuracy": metrics.accuracy(answer["scores"], test["labels"])}


def ae_figures(answer: dict, test: dict, *, config: Config) -> dict:
    n = config.generative_eval_images
    return {
        "test_bce": metrics.mean_bce(answer["reconstructions"], test["images28"][:n]),
        "latent": metrics.latent_statistics(answer["codes"], None, test["labels"][:n], config.knn_k),
    }


def vae_figures(answer: dict, test: dict, classifier, *, config: Config) -> dict:
    n = config.generative_eval_images
    return {
        "test_bce": metrics.mean_bce(answer["reconstructions"], test["images28"][:n]),
        "test_kl": metrics.kl_to_prior(answer["mu"], answer["log_variance"]),
        "latent": metrics.latent_statistics(answer["mu"], answer["log_variance"], test["labels"][:n], config.knn_k),
        "ppf_grid": metrics.grid_variety(answer["ppf_decoded"], classifier),
    }


def all_figures(answers: dict, test: dict, classifier, *, config: Config) -> dict:
    """Figures for every weights probe that answered; absent where it failed."""
    figures = {}
    with torch.no_grad():
        if "scores" in answers.get("model_weights", {}):
            figures["lenet"] = lenet_figures(answers["model_weights"], test)
        if "reconstructions" in answers.get("ae_weights", {}):
            figures["ae"] = ae_figures(answers["ae_weights"], test, config=config)
        if "reconstructions" in answers.get("vae_weights", {}):
            figures["vae"] = vae_figures(answers["vae_weights"], test, classifier, config=config)
    return figures
