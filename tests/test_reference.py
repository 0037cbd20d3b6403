"""The committed reference run: its figures meet the homework's targets and can be measured again exactly."""

import json

import pytest

from autograder.reference import measure

# Targets the reference training must reach (from the course's foundation issue).
TARGETS = {"lenet_accuracy": 0.985, "ae_bce": 0.19, "vae_bce": 0.21}


@pytest.fixture(scope="session")
def committed(config):
    return json.loads((config.reference_weights() / "metrics.json").read_text())


def test_reference_meets_the_targets(committed):
    assert committed["lenet"]["test_accuracy"] >= TARGETS["lenet_accuracy"]
    assert committed["ae"]["test_bce"] <= TARGETS["ae_bce"]
    assert committed["vae"]["test_bce"] <= TARGETS["vae_bce"]


def test_reference_vae_latent_looks_like_the_prior_and_the_ae_does_not(committed):
    vae, ae = committed["vae"]["latent"], committed["ae"]["latent"]
    assert vae["inside_prior_99"] > 0.95 and all(0.5 < m < 1.5 for m in vae["second_moment"])
    assert ae["inside_prior_99"] < vae["inside_prior_99"]


def flat(figures: dict, prefix: str = "") -> dict:
    items = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            items |= flat(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            items |= {f"{prefix}{key}[{i}]": v for i, v in enumerate(value)}
        else:
            items[prefix + key] = value
    return items


def test_measuring_again_gives_the_committed_figures(config, committed, tmp_path):
    for name in config.weight_files:
        (tmp_path / name).write_bytes((config.reference_weights() / name).read_bytes())
    again = flat(measure(config=config, weights_dir=tmp_path))
    assert again == pytest.approx(flat(committed), rel=1e-9, abs=1e-12)
