"""Homework 2's own rules for building a fixture's weight file (beside the engine's, in autograder/engine/fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import torch


def ae_as_vae(*, reference_dir: Path, destination: Path) -> None:
    """A VAE that is a plain autoencoder: mu is the reference AE's code, the log-variance -20 (no spread)."""
    state = torch.load(reference_dir / "mnist_ae_weights.pth", weights_only=True)
    weight, bias = state["encoder.fc_2.weight"], state["encoder.fc_2.bias"]
    state["encoder.fc_2.weight"] = torch.cat([weight, torch.zeros_like(weight)])
    state["encoder.fc_2.bias"] = torch.cat([bias, torch.full_like(bias, -20.0)])
    torch.save(state, destination)


RULES = {"ae_as_vae": ae_as_vae}
