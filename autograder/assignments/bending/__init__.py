"""Bending: dissect and bend a trained MNIST VAE with forward hooks, torch.fx or functional_call.

The VAE's trained weights are given to students (``mnist_vae_bending.pt``, released beside the notebook); they
are not submitted and not graded. Every check runs one of the student's functions in the student's process, on the
shipped model (its weights travel in the probe inputs) and on inputs the student never saw, and compares the
answer with the reference solution's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.assignment import AssignmentSettings
from autograder.engine.config import setting

FOLDER = Path(__file__).resolve().parent
WEIGHTS_FILE = "mnist_vae_bending.pt"
TRAINING_CELL = "bend_vae_train"  # trains the shipped VAE when vae_epochs > 0 (reference_run.py); not a WeightedModel


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "absent"


@dataclass(frozen=True)
class Settings(AssignmentSettings):
    id: str = setting("bending", "nbgrader assignment id; also the notebook's file name without .ipynb and the folder's name.")
    title: str = setting("Bending a VAE", "Name shown to students in feedback.")
    definition_cells: tuple = setting(
        ("bend_imports", "bend_model", "bend_reconstruct", "bend_record", "bend_listing", "bend_kernels",
         "bend_weight_ops", "bend_weights", "bend_activation_ops", "bend_activation", "bend_interpolate"),
        "grade_ids of the cells that only define things; grading runs these and nothing else (no data, no plots).",
    )
    class_mix: tuple = setting(("passes_all", "correct_torch_fx", "mask_keeps_one_minus_p", "hooks_not_removed"),
                               "Fixture names a generated class cycles through: right, right written with torch.fx, two usual mistakes.")
    structural_checks: tuple = setting(
        ("test_record_activations_cleans_up", "test_list_activations", "test_bend_weights_restores",
         "test_bend_activation_cleans_up"),
        "Checks of form (hooks left behind, the model left changed, the listing's form): a fixture losing one is a structural mistake a self-check should catch.",
    )
    delayed_checks: tuple = setting((), "None: every function is checked on the shipped model the students have; "
                                    "the inputs are unseen but nothing is tuned against a hidden model.")
    shipped_weights: str = setting(WEIGHTS_FILE, "The trained VAE shipped with the release (solutions/bending/ and "
                                   "reference/seed0/); the probe inputs carry its tensors.")
    shipped_weights_sha256: str = setting(_sha256(FOLDER / "reference" / "seed0" / WEIGHTS_FILE),
                                          "First 16 hex digits of the shipped weights' SHA-256: part of the probe "
                                          "inputs' cache key, so retrained weights rebuild the cached inputs.")
    shipped_epochs: int = setting(2, "Epochs of the shipped model's reference run (about 4 minutes on a 2-core CPU).")
    atol: float = setting(1e-5, "Largest difference allowed between a student's tensors and the reference's "
                          "(float32 arithmetic done in another order: batch sizes, matrix products).")
    kernel_atol: float = setting(1e-6, "Largest difference allowed for normalised kernels (one division per value).")
    mask_fraction_tolerance: float = setting(0.03, "A mask of 2,000 or more entries must keep keep +- this fraction "
                                             "(3 standard deviations of the binomial proportion at n = 2,000, p = 0.7); "
                                             "the message names the fraction a wrong mask keeps.")


SETTINGS = Settings()
