"""The fixed inputs every submission is probed with, from a fixed seed, cached on disk between runs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from autograder import metrics
from autograder.config import Config
from autograder.grade.probes import reference_weights


def build_inputs(reference_ns: dict, *, config: Config) -> dict:
    """Small random inputs, three raw test digits, the PPF grid, and fresh reference-shaped weights."""
    generator = torch.Generator().manual_seed(config.seed)
    test = metrics.test_set(config.data_root)
    inputs = {
        "x32": torch.randn(4, 1, 32, 32, generator=generator),
        "x28": torch.rand(4, 1, 28, 28, generator=generator),
        "z2": torch.randn(4, 2, generator=generator),
        "raw_images": (test["images28"][:3, 0] * 255).round().to(torch.uint8),
        "ppf_grid": metrics.ppf_grid(),
        "n_generative": config.generative_eval_images,
    }
    inputs["weights"] = {
        "lenet": reference_weights(reference_ns["LeNet_5"](), inputs["x32"], config.seed),
        "encoder2": reference_weights(reference_ns["Encoder"](2), inputs["x28"], config.seed),
        "encoder4": reference_weights(reference_ns["Encoder"](4), inputs["x28"], config.seed),
        "decoder2": reference_weights(reference_ns["Decoder"](2), inputs["z2"], config.seed),
    }
    return inputs


def probe_inputs_file(*, config: Config) -> Path:
    """The inputs saved under ``config.cache_dir``, named by everything they depend on; built when absent."""
    key = hashlib.sha256(config.solution_notebook.read_bytes()
                         + f"{config.seed}/{config.generative_eval_images}".encode()
                         + Path(__file__).read_bytes()).hexdigest()[:16]
    path = Path(config.cache_dir) / f"probe_inputs-{key}.pt"
    if not path.is_file():
        from autograder.reference import solution_namespace

        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # workers may build it at the same time
        torch.save(build_inputs(solution_namespace(config), config=config), partial)
        partial.replace(path)
    return path
