"""The committed reference run: its figures meet the homework's targets (measured again: tests/test_reference_runs.py)."""

import json

import pytest


# Targets the reference training must reach (from the course's foundation issue).
TARGETS = {"lenet_accuracy": 0.985, "ae_bce": 0.19, "vae_bce": 0.21}


@pytest.fixture(scope="session")
def committed(assignment):
    return json.loads((assignment.reference_weights() / "metrics.json").read_text())


def test_reference_meets_the_targets(committed):
    assert committed["lenet"]["test_accuracy"] >= TARGETS["lenet_accuracy"]
    assert committed["ae"]["test_bce"] <= TARGETS["ae_bce"]
    assert committed["vae"]["test_bce"] <= TARGETS["vae_bce"]


def test_reference_vae_latent_looks_like_the_prior_and_the_ae_does_not(committed):
    vae, ae = committed["vae"]["latent"], committed["ae"]["latent"]
    assert vae["inside_prior_99"] > 0.95 and all(0.5 < m < 1.5 for m in vae["second_moment"])
    assert ae["inside_prior_99"] < vae["inside_prior_99"]

