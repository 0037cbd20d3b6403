"""Representations: a small MNIST CNN, the activations of its hidden layers, and their t-SNE embeddings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.assignment import AssignmentSettings, WeightedModel
from autograder.engine.config import setting


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "absent"


@dataclass(frozen=True)
class Settings(AssignmentSettings):
    id: str = setting("representations", "nbgrader assignment id; also the notebook's file name without .ipynb and the folder's name.")
    title: str = setting("Representations", "Name shown to students in feedback.")
    definition_cells: tuple = setting(
        ("cnn_imports", "parameters", "cnn_setup", "mnist_loaders", "net", "cnn_model", "net2", "embedding", "plot"),
        "grade_ids of the cells that only define things; grading runs these and nothing else (no training, no "
        "t-SNE of the notebook's batch, no plots).",
    )
    models: tuple = setting(
        (WeightedModel("cnn", "mnist_cnn.pt", "cnn_model", "cnn_weights", "model", "x"),),
        "The trained model a submission holds: Net, trained one epoch, saved as mnist_cnn.pt.",
    )
    training_cells: tuple = setting((("cnn_train", "cnn"),), "(grade_id, model name) of each cell that trains a model.")
    epoch_parameters: tuple = setting((("cnn", "epochs"),), "(model name, notebook parameter) of each model's number of training epochs.")
    class_mix: tuple = setting(("passes_all", "correct_sequential", "extract_before_relu", "untrained_weights"),
                               "Fixture names a generated class cycles through: right, right written differently, a wrong layer, untrained weights.")
    structural_checks: tuple = setting(
        ("test_batches", "test_datasets", "test_transform", "test_model_and_optimizer", "test_net2_layers",
         "test_net2_loads_net_weights", "test_one_panel_per_embedding"),
        "Checks of form (the loaders, the model and optimiser, Net2's layers and its loading Net's weights, the "
        "figure's panels): a fixture losing one is a structural mistake a self-check should catch. Not "
        "test_extract_shapes and test_embedding_shape: a shape there counts only with the values it holds.",
    )
    delayed_checks: tuple = setting(
        ("test_extract_shapes", "test_extract_matches_the_reference", "test_h6_is_the_networks_output"),
        "Checks shown on Gradescope with the engine's delayed_visibility: they run the student's Net2 with fixed "
        "weights on inputs the student never sees, so an immediate verdict would let a student tune extract "
        "against the reference by trial and error (the shapes too: a shape counts only with its values; the "
        "notebook's self-check states the shapes).",
    )
    grader_only_inputs: tuple = setting(
        ("test", "embed_labels"),
        "The test set (only the grader measures mnist_cnn.pt on it) and the digits of the representations given to "
        "tsne_embedding (the k-NN separation is scored against them): the student's process never receives them.")
    # 2,000 images: near 94.5% the accuracy's standard error is 0.0051, under a third of the mark's least margin (the
    # worst run's 0.027 above it). The grader's measurement, idle: 0.25 CPU s on 2,000 images, 0.67 s on 5,000 (the
    # first 5,000 were graded until 2026-12-07).
    accuracy_eval_images: int = setting(2000, "Test images (every 10,000/N-th) the submitted network's accuracy is measured on.")
    equivalence_atol: float = setting(1e-4, "Largest difference allowed between a student's activations and the reference's, same weights and inputs.")
    embedded_points: int = setting(100, "Test images whose representations (input, h5) the student's tsne_embedding embeds during grading: "
                                        "t-SNE's cost (three embeddings a submission; 0.4 CPU s each at 100 points, 1.0 s at 200) against the "
                                        "marks' margins: the smallest size measured at which the correct variants pass and the separation "
                                        "mark stays at or above zero, every measured mistake 0.11 or more under the trustworthiness mark "
                                        "(README, \"How many points\").")
    embedded_layers: tuple = setting(("input", "h5"), "Representations of the trained reference network given to tsne_embedding: the raw images and the deepest hidden layer.")
    reference_weights_digest: str = setting(
        _digest(Path(__file__).parent / "reference" / "seed0" / "mnist_cnn.pt"),
        "Digest of the reference run's mnist_cnn.pt, whose representations tsne_embedding is given: part of the "
        "cached probe inputs' key, so they are rebuilt when those weights change.")
    knn_k: int = setting(5, "Neighbours used for the k-nearest-neighbour accuracy of an embedding and for trustworthiness.")
    accuracy_floor: float = setting(0.003, "Least margin below the worst reference run for test accuracy (absolute): "
                                           "one epoch of SGD varies by a few tenths of a percent between seeds.")
    trustworthiness_floor: float = setting(0.01, "Least margin below the worst reference t-SNE run for trustworthiness (absolute).")
    separation_floor: float = setting(0.02, "Least margin below the worst reference t-SNE run for the gain in k-NN accuracy from the input to h5 (absolute).")


SETTINGS = Settings()
