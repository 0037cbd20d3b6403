"""Homework 2: LeNet-5 on MNIST, a convolutional autoencoder with a 2-D code, and a VAE."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.assignment import AssignmentSettings, SpeedTargets, WeightedModel
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
    class_mix: tuple = setting(("passes_all", "correct_sequential", "lenet_relu_instead_of_tanh", "untrained_weights"),
                               "Fixture names a generated class cycles through: right, right written differently, a wrong activation, untrained weights.")
    structural_checks: tuple = setting(
        ("test_transform_resizes_before_to_tensor", "test_transform_normalises", "test_batch_size",
         "test_training_loader_shuffles", "test_loaders_use_the_right_datasets", "test_lenet_layers", "test_lenet_size",
         "test_model_is_a_lenet", "test_encoder_layers", "test_encoder_size", "test_decoder_layers", "test_decoder_size",
         "test_ae_model_structure", "test_vae_model_structure"),
        "Checks of form (the transform's steps and constants, the loaders' settings, layers and sizes, the model objects): a fixture losing one is a structural mistake a self-check should catch.",
    )
    delayed_checks: tuple = setting(
        ("test_lenet_computes_like_the_reference", "test_encoder_computes_like_the_reference",
         "test_decoder_computes_like_the_reference"),
        "Checks shown on Gradescope with the engine's delayed_visibility: they run the student's classes with the "
        "reference's weights on inputs the student never sees, so an immediate verdict would let a student tune "
        "a forward pass against the reference by trial and error.",
    )
    speed_targets: SpeedTargets = setting(
        SpeedTargets(per_minute_2_workers=100.0, cold_seconds=5.0, times_nbgrader=20.0),
        "hw2 is the course's largest class: at least 100 submissions a minute with --workers 2, a cold grading within "
        "5 s, at least 20 times nbgrader autograde (issue 32).")
    grader_only_inputs: tuple = setting(("test",), "The test set: only the grader's weight probes measure on it.")
    # Test images per figure: enough that a figure's standard error is under a third of its pass mark's least
    # margin. 250 generative images: per-image BCE has a std of 0.066, so 0.0042 against the VAE's 10% floor of
    # about 0.02; |mean of mu| (std about 1 a code) 0.063 against a 0.3 floor; the second moment (std about 1.4)
    # 0.089 against 0.4. LeNet-5's accuracy near 98.5% on 1,000 images has 0.0038: its mark, the Student-t bound,
    # lies 0.056 (5 runs) to 0.020 (20 runs) below the runs' mean at their spread on these images (0.0044), and
    # its 0.005 floor never binds. Measuring costs the grader about 0.04 ms of CPU a LeNet-5 image and 0.6 ms an AE or VAE image: 5,000
    # LeNet-5 images (until 2026-12-07) cost 0.17 s more a submission, 500 generative ones 0.27 s.
    generative_eval_images: int = setting(250, "Test images (every 10,000/N-th) the AE's and VAE's figures are measured on.")
    lenet_eval_images: int = setting(1000, "Test images (every 10,000/N-th) LeNet-5's accuracy is measured on.")
    equivalence_atol: float = setting(1e-4, "Largest output difference allowed between a student's class and the reference's, same weights and inputs.")
    # Pass marks: the worst committed reference run, beyond by the runs' range or by these floors, whichever is
    # larger (autograder/engine/passmarks.py; `python -m autograder thresholds --assignment hw2` prints them).
    lenet_accuracy_floor: float = setting(0.005, "Least margin of LeNet-5's accuracy mark below the worst run (absolute): 10-epoch runs differ by about 0.3 points.")
    ae_bce_floor: float = setting(0.25, "Least margin of the AE's BCE mark above the worst run, as a fraction of it: a 2-D autoencoder sometimes settles 20% worse (seed 3: 0.206 against 0.169 to 0.175 for six other runs, on 250 test images), so a run that did must pass the others' mark.")
    vae_bce_floor: float = setting(0.10, "Least margin of the VAE's BCE mark above the worst run, as a fraction of it: four 20-epoch runs reach 0.180 to 0.184 on 250 test images, but seed 4 settled at 0.200, 8.6% above the others' worst, and failed their mark at the 5% floor used before; 10% passes it.")
    mu_mean_floor: float = setting(0.3, "Least margin of the mark on |mean of mu| per latent coordinate above the worst run (the prior's std is 1).")
    second_moment_floor: float = setting(0.4, "Least margin of the marks on mean(mu^2) + mean(exp(log_variance)) per coordinate outside the runs' extremes (1 under the prior).")
    inside_prior_99_floor: float = setting(0.05, "Least margin of the mark on the share of test codes inside the prior's 99% circle below the worst run.")
    ppf_digits_floor: int = setting(2, "Least margin of the mark on the number of different digits in the VAE's PPF grid (read by the reference LeNet-5) below the worst run.")
    knn_k: int = setting(5, "Neighbours used for the k-nearest-neighbour accuracy of latent codes.")


SETTINGS = Settings()
