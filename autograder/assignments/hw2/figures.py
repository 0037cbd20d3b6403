"""Homework 2's pictures in feedback.html, each under the check it explains, drawn by the grader from the
weight probes' answers it computed itself (the submitted tensors in the homework's own model classes): no
forward pass is run again.

The reference's picture is shown beside each one but the misclassified digits (the reference's own mistakes say
nothing about the student's): none reveals code, and each is a figure the notebook itself draws.
"""

from __future__ import annotations

from autograder.assignments.hw2.metrics import MNIST_MEAN, MNIST_STD
from autograder.engine.grade.drawing import confusion_matrix, image_rows, latent_scatter, montage, one_of_each
from autograder.engine.grade.feedback_page import Figure, View, weights_in


def _confusion(view: View):
    return confusion_matrix(view.measured["model_weights"]["scores"], view.inputs["test"]["lenet_labels"])


def _misclassified(view: View):
    test, scores = view.inputs["test"], view.measured["model_weights"]["scores"]
    predicted = scores.argmax(dim=1)
    wrong = (predicted != test["lenet_labels"]).nonzero()[:, 0][:10]
    if not len(wrong):
        raise ValueError("no test image misclassified")
    images = test["images32"][wrong] * MNIST_STD + MNIST_MEAN  # as the eye sees them, not normalised
    read = ", ".join(f"{int(test['lenet_labels'][i])} as {int(predicted[i])}" for i in wrong)
    return image_rows([images]), f"read: {read}"


def _reconstructions(probe: str):
    def draw(view: View):
        test = view.inputs["test"]
        chosen = one_of_each(test["labels"])
        return image_rows([test["images28"][chosen], view.measured[probe]["reconstructions"][chosen]])
    return draw


def _latent(view: View):
    return latent_scatter(view.measured["vae_weights"]["mu"], view.inputs["test"]["labels"])


def _ppf_grid(view: View):
    grid = view.measured["vae_weights"]["ppf_decoded"]
    side = round(len(grid) ** 0.5)
    # the probe decodes z2 row by row upwards; flipped so that z2 grows upwards, as in the notebook's plot; at full
    # size (28 pixels a digit: at half size the digits could not be read), the reference's grid beside or below
    flipped = grid.reshape(side, side, *grid.shape[1:]).flip(0).reshape(grid.shape)
    return montage(flipped, columns=side)


LENET, AE, VAE = (weights_in("LeNet-5", "lenet5_weights.pth"), weights_in("autoencoder", "mnist_ae_weights.pth"),
                  weights_in("VAE", "mnist_vae_weights.pth"))

FIGURES = [
    Figure("test_model_weights_accuracy", "the confusion matrix: test digits by true and predicted class",
           _confusion, show_reference=True, models=("lenet",), **LENET),
    Figure("test_model_weights_accuracy", "the first misclassified test digits", _misclassified,
           show_reference=False, models=("lenet",), **LENET),
    Figure("test_ae_weights_reconstruct", "eight test digits (top) and the autoencoder's reconstructions (bottom)",
           _reconstructions("ae_weights"), show_reference=True, models=("ae",), **AE),
    Figure("test_vae_weights_reconstruct", "eight test digits (top) and the VAE's reconstructions (bottom)",
           _reconstructions("vae_weights"), show_reference=True, models=("vae",), **VAE),
    Figure("test_vae_latent_space", "the latent means of 500 test digits, coloured by digit, with the prior's "
           "1- and 2-sigma circles", _latent, show_reference=True, models=("vae",), **VAE),
    Figure("test_vae_latent_space", "the decoder's images of the 20 x 20 PPF grid of the prior (latent dimension 1 "
           "grows to the right, 2 upwards)", _ppf_grid, show_reference=True, models=("vae",), **VAE),
]
