"""Pass marks for Homework 2's weight checks, from every committed reference run by the engine's rule
(``autograder.engine.passmarks``: a Student-t prediction bound from the runs, or the worst run beyond by the
figure's floor, whichever is more lenient), and the plausible mistakes whose figures the thresholds table sets beside
them."""

from __future__ import annotations

import math

from autograder.engine.assignment import Assignment
from autograder.engine.grade.checks import Threshold
from autograder.engine.passmarks import MIN_RUNS, Figure, Mistake, Rule, pass_marks


def figures(settings) -> dict[str, Figure]:
    """Every figure a check compares with a pass mark; the floors are the settings' (see their descriptions).

    Dropped: the VAE latent 5-nearest-neighbour accuracy. Five runs span 0.54 to 0.69, and the prediction bound
    they give lies under 0, so the mark could never fail (README, "Pass marks")."""
    def latent(key):
        return lambda m: m["vae"]["latent"][key]

    return {
        "lenet_accuracy": Figure("LeNet-5 test accuracy", lambda m: m["lenet"]["test_accuracy"],
                                 Rule("higher", settings.lenet_accuracy_floor, possible=(0.0, 1.0))),
        "ae_bce": Figure("AE test BCE", lambda m: m["ae"]["test_bce"], Rule("lower", settings.ae_bce_floor, relative=True, possible=(0.0, math.inf))),
        "vae_bce": Figure("VAE test BCE", lambda m: m["vae"]["test_bce"], Rule("lower", settings.vae_bce_floor, relative=True, possible=(0.0, math.inf))),
        "mu_mean": Figure("VAE largest |mean of mu| over the 2 coordinates",
                          lambda m: max(abs(v) for v in m["vae"]["latent"]["mu_mean"]),
                          Rule("lower", settings.mu_mean_floor, possible=(0.0, math.inf))),
        "second_moment_low": Figure("VAE smallest second moment of the codes", lambda m: min(latent("second_moment")(m)),
                                    Rule("higher", settings.second_moment_floor, possible=(0.0, math.inf))),
        "second_moment_high": Figure("VAE largest second moment of the codes", lambda m: max(latent("second_moment")(m)),
                                     Rule("lower", settings.second_moment_floor, possible=(0.0, math.inf))),
        "inside_prior_99": Figure("VAE share of test codes inside the prior's 99% circle", latent("inside_prior_99"),
                                  Rule("higher", settings.inside_prior_99_floor, possible=(0.0, 1.0))),
        "ppf_distinct_digits": Figure("VAE PPF grid: different digits the reference LeNet-5 reads",
                                      lambda m: m["vae"]["ppf_grid"]["distinct_digits"],
                                      Rule("higher", settings.ppf_digits_floor, integer=True, possible=(1, 10))),
    }


MISTAKES = {
    "lenet_1_epoch": Mistake("LeNet-5 trained 1 epoch instead of 10", ("lenet",), {"lenet_epochs": 1}),
    "lenet_75_batches": Mistake("LeNet-5 trained 75 batches (a tenth of an epoch)", ("lenet",),
                                {"lenet_epochs": 1, "max_batches": 75}),
    "ae_1_epoch": Mistake("the AE trained 1 epoch instead of 20", ("ae",), {"ae_epochs": 1}),
    "ae_2_epochs": Mistake("the AE trained 2 epochs instead of 20", ("ae",), {"ae_epochs": 2}),
    "vae_1_epoch": Mistake("the VAE trained 1 epoch instead of 20", ("vae",), {"vae_epochs": 1}),
    "vae_2_epochs": Mistake("the VAE trained 2 epochs instead of 20", ("vae",), {"vae_epochs": 2}),
}


def thresholds(assignment: Assignment) -> dict[str, Threshold]:
    return pass_marks(figures(assignment.settings), assignment.reference_dir, min_runs=MIN_RUNS)
