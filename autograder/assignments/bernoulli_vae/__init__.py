"""The continuous Bernoulli assignment: its log-density, the negative ELBO, a dense 2-D VAE and a conv 32-D VAE."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.assignment import AssignmentSettings, WeightedModel
from autograder.engine.config import setting


@dataclass(frozen=True)
class Settings(AssignmentSettings):
    id: str = setting("bernoulli_vae", "nbgrader assignment id; also the notebook's file name without .ipynb and the folder's name.")
    title: str = setting("Continuous Bernoulli VAEs", "Name shown to students in feedback.")
    definition_cells: tuple = setting(
        ("bvae_imports", "bvae_setup", "log_likelihood", "elbo_loss", "dense_vae", "conv_vae", "encode_loader",
         "reconstruct", "generate", "dense_model", "conv_model"),
        "grade_ids of the cells that only define things; grading runs these (no data, no training, no plots) and "
        "what cells a student added define. The parameters cell is not listed (an id another assignment also runs "
        "would make a renamed notebook's assignment ambiguous), but the engine runs it anyway, as released, at its "
        "place, so graded cells may use batch_size, seed or the epochs.",
    )
    models: tuple = setting(
        (WeightedModel("dense", "dense_vae.pth", "dense_model", "dense_weights", "dense_vae", "x28"),
         WeightedModel("conv", "conv_vae.pth", "conv_model", "conv_weights", "conv_vae", "x28")),
        "The trained models a submission holds: the dense VAE (2-D latent) and the conv VAE (32-D latent).",
    )
    reference_seed: int = setting(0, "Seed of the reference run the checks compare against (reference/seed<n>/).")
    training_cells: tuple = setting((("dense_train", "dense"), ("conv_train", "conv")),
                                    "(grade_id, model name) of each cell that trains a model.")
    epoch_parameters: tuple = setting((("dense", "dense_epochs"), ("conv", "conv_epochs")),
                                      "(model name, notebook parameter) of each model's number of training epochs.")
    class_mix: tuple = setting(("passes_all", "correct_written_differently", "log_prob_without_normaliser", "untrained_weights"),
                               "Fixture names a generated class cycles through: right, right written differently, a wrong formula, untrained weights.")
    structural_checks: tuple = setting(
        ("test_dense_vae_layers", "test_dense_vae_size", "test_conv_vae_layers", "test_conv_vae_size"),
        "Checks of form (the two VAEs' layers, sizes and shapes): a fixture losing one is a structural mistake a self-check should catch.",
    )
    delayed_checks: tuple = setting(
        ("test_log_prob_matches_torch", "test_log_prob_near_one_half", "test_log_prob_near_zero_and_one",
         "test_dense_vae_computes_like_the_reference", "test_conv_vae_computes_like_the_reference"),
        "Checks shown on Gradescope with the engine's delayed_visibility: they run the student's code on inputs the "
        "student never sees (the log-density near its unstable points, the models with the reference's weights), so "
        "an immediate verdict would let a student tune against them by trial and error.",
    )
    forbidden_calls: tuple = setting(
        tuple((name, "the notebook forbids torch.distributions.ContinuousBernoulli in your answers: \"do not call "
                     "that class in your answer: write the formula\"")
              for name in (
                  # its methods first, on the class itself: reachable from any alias, Distribution.__subclasses__()
                  # included, and resolved before the names below are replaced
                  "torch.distributions.continuous_bernoulli.ContinuousBernoulli.log_prob",
                  "torch.distributions.continuous_bernoulli.ContinuousBernoulli._cont_bern_log_norm",
                  "torch.distributions.continuous_bernoulli.ContinuousBernoulli._log_normalizer",
                  "torch.distributions.ContinuousBernoulli",
                  "torch.distributions.continuous_bernoulli.ContinuousBernoulli",
                  "torch.distributions.kl.ContinuousBernoulli")),
        "PyTorch's continuous Bernoulli, which the notebook forbids in the answers (the log-density must be written), "
        "by every path to the class, and its log-density and log-normaliser methods on the class itself.",
    )
    eval_images: int = setting(2000, "Test images (the first N) the weight checks measure; keeps grading fast.")
    equivalence_atol: float = setting(1e-4, "Largest output difference allowed between a student's model and the reference's, same weights and inputs.")
    log_prob_atol: float = setting(1e-4, "Largest absolute gap allowed between the student's log-density (float32) and PyTorch's ContinuousBernoulli.log_prob in float64; torch's own float32 result stays within 1e-6, the artanh form without care at lambda = 1e-6 is 1e-3 off.")
    log_prob_rtol: float = setting(1e-5, "Relative part of that tolerance (the log-density reaches about 15 in size near 0 and 1).")
    loss_rtol: float = setting(1e-4, "Relative gap allowed between the student's negative ELBO and the reference's on the same outputs.")
    loss_betas: tuple = setting((0.5, 2.0), "The betas the loss is checked with (any beta other than 1 separates the KL weight from the reconstruction weight).")
    knn_k: int = setting(5, "Neighbours used for the k-nearest-neighbour accuracy of the dense model's 2-D latent means.")
    knn_floor: float = setting(0.05, "Least margin of the dense latent k-NN accuracy pass mark (absolute).")
    generate_samples: int = setting(2000, "Samples generate() is asked for when its latent draws are checked against N(0, I).")


SETTINGS = Settings()
