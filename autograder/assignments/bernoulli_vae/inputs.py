"""The fixed inputs the probes are asked on (built once by the grader from a fixed seed, cached on disk)."""

from __future__ import annotations

import torch

from autograder.engine.grade.probing import reference_weights


def _log_prob_cases(generator: torch.Generator) -> dict:
    """(x, lam) pairs: everywhere in (0, 1), around 1/2 (down to float32's neighbours of 0.5), within 1e-6 of 0
    and 1, and at exactly 0 and 1 (a decoder's sigmoid rounds there in float32); x covers both ends of [0, 1] and
    grey levels."""
    half = 0.5 + torch.tensor([0.0, 5.96e-8, -2.98e-8, 1.2e-7, -1.2e-7, 1e-6, -1e-6, 3e-6, 1e-5, -1e-5, 4e-5,
                                -7e-5, 1e-4, -1e-4, 2e-4, -5e-4, 9e-4, -1.1e-3, 2e-3, -0.01])
    tiny = torch.tensor([1e-6, 1.5e-6, 2e-6, 5e-6, 1e-5, 1e-4, 1e-3])
    extremes = torch.cat([tiny, 1 - tiny])
    grey = torch.tensor([0.0, 1.0, 0.5, 0.1, 0.9, 0.37])
    # away from 1/2 (|lam - 1/2| >= 0.01): that region has its own check, and its own point
    general_lam = 0.5 + torch.sign(torch.rand(4, 1, 28, 28, generator=generator) - 0.5) * (
        0.01 + 0.48 * torch.rand(4, 1, 28, 28, generator=generator))
    general_x = torch.rand(4, 1, 28, 28, generator=generator)
    general_x[:, :, :5] = (general_x[:, :, :5] > 0.5).float()  # exact 0s and 1s as in MNIST backgrounds
    return {
        "general": (general_x, general_lam),
        "half": (grey.repeat_interleave(len(half)), half.repeat(len(grey))),
        "extremes": (grey.repeat_interleave(len(extremes)), extremes.repeat(len(grey))),
        "endpoints": (grey.repeat_interleave(2), torch.tensor([0.0, 1.0]).repeat(len(grey))),
    }


def build_inputs(reference_ns: dict, *, settings, data_root, seed: int) -> dict:
    import torchvision

    generator = torch.Generator().manual_seed(seed)
    test = torchvision.datasets.MNIST(data_root, train=False, download=True)
    images = test.data[: settings.eval_images].unsqueeze(1).float() / 255
    x28 = torch.rand(4, 1, 28, 28, generator=generator)
    inputs = {
        "log_prob": _log_prob_cases(generator),
        "loss": (torch.rand(5, 1, 28, 28, generator=generator),
                 torch.sigmoid(2 * torch.randn(5, 1, 28, 28, generator=generator)),
                 torch.randn(5, 3, generator=generator),
                 torch.exp(0.5 * torch.randn(5, 3, generator=generator))),
        "loss_betas": tuple(settings.loss_betas),
        "x28": x28,
        "z_dense": torch.randn(4, 2, generator=generator),
        "z_conv": torch.randn(4, 32, generator=generator),
        "forward_seed": seed + 1,  # the global seed forward's sample is drawn after (a fixed eps the grader knows)
        "helper_images": torch.rand(20, 1, 28, 28, generator=generator),
        "helper_labels": torch.randint(0, 10, (20,), generator=generator),
        "generate_samples": settings.generate_samples,
        "test_images": images,
        "test_labels": test.targets[: settings.eval_images].clone(),
        "eps_dense": torch.randn(settings.eval_images, 2, generator=generator),
        "eps_conv": torch.randn(settings.eval_images, 32, generator=generator),
    }
    inputs["weights"] = {
        "dense": reference_weights(reference_ns["DenseVAE"](), x28, seed),
        "conv": reference_weights(reference_ns["ConvVAE"](), x28, seed),
    }
    return inputs
