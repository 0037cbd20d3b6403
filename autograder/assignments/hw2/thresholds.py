"""Pass marks for Homework 2's weight checks, derived from the reference run's figures and the settings' margins."""

from __future__ import annotations

import json

from autograder.engine.assignment import Assignment
from autograder.engine.grade.checks import Threshold


def thresholds(assignment: Assignment) -> dict[str, Threshold]:
    settings = assignment.settings
    metrics_file = assignment.reference_weights() / "metrics.json"
    if not metrics_file.is_file():
        raise FileNotFoundError(f"{metrics_file} is missing: run `make reference ASSIGNMENT={assignment.id}` first")
    ref = json.loads(metrics_file.read_text())
    accuracy, ae_bce, vae_bce = ref["lenet"]["test_accuracy"], ref["ae"]["test_bce"], ref["vae"]["test_bce"]
    latent, digits = ref["vae"]["latent"], ref["vae"]["ppf_grid"]["distinct_digits"]
    mu_mean = max(abs(m) for m in latent["mu_mean"])
    low, high = min(latent["second_moment"]), max(latent["second_moment"])
    inside, knn = latent["inside_prior_99"], latent["knn_accuracy"]
    return {
        "lenet_accuracy": Threshold(accuracy - settings.lenet_accuracy_margin,
                                    f"reference {accuracy:.2%} - {settings.lenet_accuracy_margin:.0%}"),
        "ae_bce": Threshold(ae_bce * (1 + settings.bce_margin), f"reference {ae_bce:.4f} + {settings.bce_margin:.0%}"),
        "vae_bce": Threshold(vae_bce * (1 + settings.bce_margin), f"reference {vae_bce:.4f} + {settings.bce_margin:.0%}"),
        "mu_mean": Threshold(round(mu_mean + settings.mu_mean_margin, 2),
                             f"reference {mu_mean:.3f} + {settings.mu_mean_margin}"),
        "second_moment_low": Threshold(round(low - settings.second_moment_margin, 2),
                                       f"reference lowest {low:.3f} - {settings.second_moment_margin}"),
        "second_moment_high": Threshold(round(high + settings.second_moment_margin, 2),
                                        f"reference highest {high:.3f} + {settings.second_moment_margin}"),
        "inside_prior_99": Threshold(inside - settings.inside_prior_99_margin,
                                     f"reference {inside:.2%} - {settings.inside_prior_99_margin:.0%}"),
        "knn_accuracy": Threshold(knn - settings.knn_margin, f"reference {knn:.2%} - {settings.knn_margin:.0%}"),
        "ppf_distinct_digits": Threshold(digits - settings.ppf_digits_margin,
                                         f"reference {digits} digits - {settings.ppf_digits_margin}"),
    }
