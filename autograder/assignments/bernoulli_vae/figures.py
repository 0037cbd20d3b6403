"""The continuous Bernoulli assignment's pictures in feedback.html, each under the check it explains, drawn by
the grader from the submitted weights: reconstructions from the weight probes' answers it computed itself (the decoded λ
of one posterior sample, fixed noise), generations by the solution's own DenseVAE and ConvVAE holding the submitted
tensors, decoding fixed draws of the prior, and the dense model's 2-D latent means.

The reference's picture is shown beside each: none reveals code, and the notebook draws the same kinds.
"""

from __future__ import annotations

import torch

from autograder.engine.grade.drawing import image_rows, latent_scatter, one_of_each
from autograder.engine.grade.feedback_page import Figure, View, weights_in

GENERATED = 16  # prior draws decoded per model: two rows of eight


def _reconstructions(probe: str):
    def draw(view: View):
        chosen = one_of_each(view.inputs["test_labels"])
        return image_rows([view.inputs["test_images"][chosen], view.measured[probe]["lam"][chosen]])
    return draw


def _generations(model: str):
    def draw(view: View):
        vae = view.model(model)
        z = torch.randn(GENERATED, vae.latent_dim, generator=torch.Generator().manual_seed(0))
        images = vae.decode(z)
        return image_rows([images[:GENERATED // 2], images[GENERATED // 2:]])
    return draw


def _latent(view: View):
    return latent_scatter(view.measured["dense_weights"]["mu"], view.inputs["test_labels"])


DENSE, CONV = weights_in("dense VAE", "dense_vae.pth"), weights_in("convolutional VAE", "conv_vae.pth")

FIGURES = [
    Figure("test_dense_weights_elbo", "eight test digits (top) and the dense VAE's decoded continuous Bernoulli "
           "parameter λ for one posterior sample (bottom)", _reconstructions("dense_weights"), show_reference=True,
           models=("dense",), **DENSE),
    Figure("test_dense_weights_elbo", "the dense VAE's decoder on 16 fixed draws of the prior N(0, I)",
           _generations("dense"), show_reference=True, models=("dense",), **DENSE),
    Figure("test_dense_latent_space", "the dense VAE's latent means of 2,000 test digits, coloured by digit, with "
           "the prior's 1- and 2-sigma circles", _latent, show_reference=True, models=("dense",), **DENSE),
    Figure("test_conv_weights_elbo", "eight test digits (top) and the conv VAE's decoded continuous Bernoulli "
           "parameter λ for one posterior sample (bottom)", _reconstructions("conv_weights"), show_reference=True,
           models=("conv",), **CONV),
    Figure("test_conv_weights_elbo", "the conv VAE's decoder on 16 fixed draws of the prior N(0, I)",
           _generations("conv"), show_reference=True, models=("conv",), **CONV),
]
