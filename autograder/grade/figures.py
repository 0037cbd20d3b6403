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


def _checked(answer: dict, shapes: dict) -> dict:
    """The answer's tensors, after checking that each is a float tensor of the expected shape."""
    for key, shape in shapes.items():
        value = answer.get(key)
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise ValueError(f"{key}: expected a tensor of floats, found {type(value).__name__}")
        if tuple(value.shape) != shape:
            raise ValueError(f"{key}: expected shape {shape}, found {tuple(value.shape)}")
    return {key: answer[key].float() for key in shapes}


def all_figures(answers: dict, test: dict, classifier, *, config: Config) -> dict:
    """Figures for every weights probe that answered; ``{"error": ...}`` where its outputs were unusable."""
    n, image = config.generative_eval_images, (1, 28, 28)
    plan = {
        "lenet": ("model_weights", {"scores": (len(test["labels"]), 10)}, lambda a: lenet_figures(a, test)),
        "ae": ("ae_weights", {"reconstructions": (n, *image), "codes": (n, 2)},
               lambda a: ae_figures(a, test, config=config)),
        "vae": ("vae_weights", {"reconstructions": (n, *image), "mu": (n, 2), "log_variance": (n, 2),
                                "ppf_decoded": (400, *image)},
                lambda a: vae_figures(a, test, classifier, config=config)),
    }
    figures = {}
    with torch.no_grad():
        for model, (probe, shapes, measure) in plan.items():
            answer = answers.get(probe)
            if not isinstance(answer, dict) or "error" in answer:
                continue
            try:
                figures[model] = measure(_checked(answer, shapes))
            except (ValueError, RuntimeError) as error:  # NaNs, values outside [0, 1], wrong shapes
                figures[model] = {"error": str(error).splitlines()[0][:300]}
    return figures
