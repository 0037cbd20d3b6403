"""The shipped VAE: one file, trained by the reference run, given to students with the release, carried by the
probe inputs; its test figures recorded."""

from __future__ import annotations

import json

import torch

from autograder.assignments.bending import SETTINGS, _sha256


def test_the_released_the_solution_and_the_reference_weights_are_one_file(assignment):
    shipped = assignment.reference_weights() / SETTINGS.shipped_weights
    for copy in (assignment.solution_notebook.parent / SETTINGS.shipped_weights,
                 assignment.release_notebook.parent / SETTINGS.shipped_weights):
        assert copy.read_bytes() == shipped.read_bytes(), f"{copy} differs from {shipped}: run reference_run.py and release"
    assert SETTINGS.shipped_weights_sha256 == _sha256(shipped)


def test_the_reference_run_is_recorded_and_the_model_is_trained(assignment):
    run = assignment.reference_weights()
    figures = json.loads((run / "metrics.json").read_text())["vae"]
    assert (run / "training_log.txt").read_text().count("epoch ") == SETTINGS.shipped_epochs
    # an untrained decoder scores about 543 nats per image (BCE of 0.5 everywhere); a trained one far less
    assert figures["test_bce_nats_per_image"] < 110 and 5 < figures["test_kl_nats_per_image"] < 60


def test_the_probe_inputs_carry_the_shipped_weights(assignment):
    from autograder.engine.config import Config
    from autograder.engine.grade.inputs import probe_inputs_file

    inputs = torch.load(probe_inputs_file(config=Config(), assignment=assignment), weights_only=True)
    shipped = torch.load(assignment.reference_weights() / SETTINGS.shipped_weights, weights_only=True)
    assert inputs["vae_state"].keys() == shipped.keys()
    assert all(torch.equal(inputs["vae_state"][k], shipped[k]) for k in shipped)
