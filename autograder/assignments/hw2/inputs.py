"""The fixed inputs Homework 2's probes are asked on (built once by the grader, cached on disk)."""

from __future__ import annotations

import torch

from autograder.assignments.hw2 import metrics
from autograder.engine.grade.probing import reference_weights


def build_inputs(reference_ns: dict, *, settings, data_root, seed: int) -> dict:
    """Small random inputs, three raw test digits, the PPF grid, fresh reference-shaped weights, and the test set."""
    generator = torch.Generator().manual_seed(seed)
    test = metrics.test_set(data_root)
    # evenly spaced subsets, so each figure estimates the whole test set's (its first half is easier to classify)
    lenet_step = len(test["labels"]) // settings.lenet_eval_images
    generative_step = len(test["labels"]) // settings.generative_eval_images
    inputs = {
        "x32": torch.randn(4, 1, 32, 32, generator=generator),
        "x28": torch.rand(4, 1, 28, 28, generator=generator),
        "z2": torch.randn(4, 2, generator=generator),
        "raw_images": (test["images28"][:3, 0] * 255).round().to(torch.uint8),
        "ppf_grid": metrics.ppf_grid(),
        "test": {"images32": test["images32"][::lenet_step], "lenet_labels": test["labels"][::lenet_step],
                 "images28": test["images28"][::generative_step], "labels": test["labels"][::generative_step]},
    }
    inputs["weights"] = {
        "lenet": reference_weights(reference_ns["LeNet_5"](), inputs["x32"], seed),
        "encoder2": reference_weights(reference_ns["Encoder"](2), inputs["x28"], seed),
        "encoder4": reference_weights(reference_ns["Encoder"](4), inputs["x28"], seed),
        "decoder2": reference_weights(reference_ns["Decoder"](2), inputs["z2"], seed),
    }
    return inputs
