"""Homework 2: LeNet-5 on MNIST, a convolutional autoencoder with a 2-D code, and a VAE."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.assignment import AssignmentSettings, WeightedModel
from autograder.engine.config import setting


@dataclass(frozen=True)
class Settings(AssignmentSettings):
    id: str = setting("hw2", "nbgrader assignment id; also the notebook's file name without .ipynb and the folder's name.")
    title: str = setting("Homework 2", "Name shown to students in feedback.")
    definition_cells: tuple = setting(
        ("imports", "parameters", "setup", "transform", "dataloaders", "lenet", "model", "autoencoder",
         "encoder", "decoder", "ae_model", "vae_class", "kl_divergence", "vae_model"),
        "grade_ids of the cells that only define things; grading runs these and nothing else (no training, no plots).",
    )
    models: tuple = setting(
        (WeightedModel("lenet", "lenet5_weights.pth", "model", "model_weights", "model", "x32"),
         WeightedModel("ae", "mnist_ae_weights.pth", "ae_model", "ae_weights", "ae_model", "x28"),
         WeightedModel("vae", "mnist_vae_weights.pth", "vae_model", "vae_weights", "vae_model", "x28")),
        "The trained models a submission holds: LeNet-5, the AE and the VAE.",
    )
    training_cells: tuple = setting((("lenet_train", "lenet"), ("ae_train", "ae"), ("vae_train", "vae")),
                                    "(grade_id, model name) of each cell that trains a model.")
    epoch_parameters: tuple = setting((("lenet", "lenet_epochs"), ("ae", "ae_epochs"), ("vae", "vae_epochs")),
                                      "(model name, notebook parameter) of each model's number of training epochs.")
    class_mix: tuple = setting(("passes_all", "blank_release", "lenet_wrong_kernel", "missing_vae_weights"),
                               "Fixture names a generated class cycles through: right, empty, a wrong layer, a missing file.")
    delayed_checks: tuple = setting(
        ("test_lenet_computes_like_the_reference", "test_encoder_computes_like_the_reference",
         "test_decoder_computes_like_the_reference"),
        "Checks shown on Gradescope with the engine's delayed_visibility: they run the student's classes with the "
        "reference's weights on inputs the student never sees, so an immediate verdict would let a student tune "
        "a forward pass against the reference by trial and error.",
    )
    generative_eval_images: int = setting(2000, "Test images (the first N) the AE and VAE are measured on; keeps grading fast.")
    equivalence_atol: float = setting(1e-4, "Largest output difference allowed between a student's class and the reference's, same weights and inputs.")
    lenet_accuracy_margin: float = setting(0.01, "Test accuracy may fall this far (absolute) below the reference's.")
    bce_margin: float = setting(0.05, "AE and VAE test BCE may exceed the reference's by this fraction.")
    mu_mean_margin: float = setting(0.3, "|mean of mu| per latent coordinate may exceed the reference's largest by this much (the prior's std is 1).")
    second_moment_margin: float = setting(0.4, "mean(mu^2) + mean(exp(log_variance)) per coordinate may lie this far outside the reference's range (1 under the prior).")
    inside_prior_99_margin: float = setting(0.05, "The share of test codes inside the prior's 99% circle may fall this far below the reference's.")
    knn_margin: float = setting(0.15, "Latent nearest-neighbour accuracy may fall this far below the reference's.")
    ppf_digits_margin: int = setting(2, "The VAE's PPF grid may show this many fewer different digits (read by the reference LeNet-5) than the reference's.")
    knn_k: int = setting(5, "Neighbours used for the k-nearest-neighbour accuracy of latent codes.")


SETTINGS = Settings()
