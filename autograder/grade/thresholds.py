"""Pass marks for the weight checks, derived from the reference run's figures and the configured margins."""

from __future__ import annotations

import json

from autograder.checks.support import Threshold
from autograder.config import Config


def thresholds(*, config: Config) -> dict[str, Threshold]:
    metrics_file = config.reference_weights() / "metrics.json"
    if not metrics_file.is_file():
        raise FileNotFoundError(f"{metrics_file} is missing: run `make reference` first")
    ref = json.loads(metrics_file.read_text())
    accuracy, ae_bce, vae_bce = ref["lenet"]["test_accuracy"], ref["ae"]["test_bce"], ref["vae"]["test_bce"]
    knn = ref["vae"]["latent"]["knn_accuracy"]
    low, high = config.second_moment_range
    return {
        "lenet_accuracy": Threshold(accuracy - config.lenet_accuracy_margin,
                                    f"reference {accuracy:.2%} - {config.lenet_accuracy_margin:.0%}"),
        "ae_bce": Threshold(ae_bce * (1 + config.bce_margin), f"reference {ae_bce:.4f} + {config.bce_margin:.0%}"),
        "vae_bce": Threshold(vae_bce * (1 + config.bce_margin), f"reference {vae_bce:.4f} + {config.bce_margin:.0%}"),
        "mu_mean": Threshold(config.mu_mean_limit, "prior mean 0, std 1"),
        "second_moment_low": Threshold(low, "prior second moment 1"),
        "second_moment_high": Threshold(high, "prior second moment 1"),
        "inside_prior_99": Threshold(config.inside_prior_99_min, "the prior puts 99% there"),
        "knn_accuracy": Threshold(knn - config.knn_margin, f"reference {knn:.2%} - {config.knn_margin:.0%}"),
        "ppf_distinct_digits": Threshold(config.ppf_min_distinct_digits,
                                         f"reference {ref['vae']['ppf_grid']['distinct_digits']} digits"),
    }
