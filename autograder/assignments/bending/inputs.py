"""The fixed inputs the bending probes are asked on (built once by the grader, cached on disk): the shipped VAE's
tensors and test digits, codes, masks, tensors and layer names chosen from the grader's seed."""

from __future__ import annotations

import torch

from autograder.assignments.bending import FOLDER


def _other_model(generator: torch.Generator) -> dict:
    """A small network unlike the shipped one, built by the probes from this: other names, a module registered but
    never run, modules registered in another order than they run. A listing of the shipped model written out by hand
    does not fit it."""
    words = ["stem", "trunk", "head", "gate", "lift", "mixer", "spread", "squash", "branch", "tail"]
    names = [words[i] for i in torch.randperm(len(words), generator=generator)[:6].tolist()]
    widths = torch.randint(3, 9, (2,), generator=generator).tolist()
    return {"names": names, "widths": widths, "x": torch.randn(5, widths[0], generator=generator)}


def build_inputs(reference_ns: dict, *, settings, data_root, seed: int) -> dict:
    import torchvision
    import torchvision.transforms as transforms

    weights = FOLDER / "reference" / "seed0" / settings.shipped_weights
    if not weights.is_file():
        raise FileNotFoundError(f"{weights} is missing: train the shipped model (reference_run.py) first")
    state = torch.load(weights, map_location="cpu", weights_only=True)
    generator = torch.Generator().manual_seed(seed)
    test_set = torchvision.datasets.MNIST(str(data_root), train=False, download=False, transform=transforms.ToTensor())
    chosen = torch.randperm(len(test_set), generator=generator)[:9].tolist()
    images = torch.stack([test_set[i][0] for i in chosen])

    activation = torch.randn(4, 8, 3, 3, generator=generator)
    activation[0, 5] = activation[0, 2]              # a tie: equal means, the lower channel must win
    activation[1] = 0.25                             # every channel tied
    activation[2, 3] = -activation[2, 3].abs() - 1   # a channel whose largest absolute value is negative
    activation[3, :, 1, 1] = 0.0
    seeds = torch.randint(0, 2**31 - 1, (3,), generator=generator).tolist()
    mixes = torch.rand(2, 3, generator=generator)
    return {
        "vae_state": state,
        "x": images[:6],
        "z": torch.randn(6, 64, generator=generator),
        "sample_seed": int(seeds[0] % 1000),
        "generator_draws": 7,  # a generator passed in has been drawn from already: use it as it is, never re-seed it
        "record": {"encode": ["encoder.net.conv0", "encoder.net.act2", "encoder.mu"],
                   "decode": ["decoder.fc_act", "decoder.net.bn1", "decoder.net.act2"]},
        "kernel_layers": ["encoder.net.conv1", "decoder.net.convt2", "encoder.net.conv0", "decoder.net.convt1"],
        "zero_kernel": ["encoder.net.conv1", 3, 5],  # this kernel is set to zeros before kernel_images is called
        "masks": [[[40, 50], 0.2, seeds[0]], [[2000], 0.7, seeds[1]], [[16, 8, 5, 5], 0.5, seeds[2]]],
        "weight": torch.randn(16, 8, 5, 5, generator=generator),
        "factors": [10.0, -1.0, 0.5],
        "amounts": [0.1, -0.1],
        "patterns": [r"decoder\.net\.convt\d\.weight", r"decoder\.net\.convt1", r".*bn1\..*",
                     r"encoder\.(mu|log_var)\.bias", r"decoder\.net\.bn\d\.bias|decoder\.fc\.bias"],
        "weight_bends": [
            [r"decoder\.net\.convt1\.weight", "invert", "decode"],
            [r"decoder\.net\.convt\d\.weight", "cos(16 pi w)", "decode"],
            [r"decoder\.net\.bn\d\.bias|decoder\.fc\.bias", "plus 0.05", "decode"],
            [r"encoder\.net\.conv[02]\.weight", "times 10", "encode"],
            [r"decoder\.net\.convt0\.weight", "zero half", "decode"],
            [r"decoder\.net\.convt1\.weight|decoder\.fc", "times 10", "decode"],  # a search would also bend decoder.fc.*
        ],
        "activation": activation,
        "fractions": [0.25, 0.5, 0.3],
        "activation_bends": [
            ["decoder.net.convt1", "plus 0.5", "decode"],
            ["decoder.net.act0", "reverse the batch", "decode"],
            ["encoder.net.bn2", "halve", "encode"],
            ["decoder.net.convt0", "keep above the mean", "decode"],
        ],
        "pair": images[6:9],
        "interpolation_weights": torch.cat([torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]),
                                            mixes / mixes.sum(1, keepdim=True)]),
        "interpolation_layers": ["decoder.fc", "decoder.net.convt0", "decoder.net.bn1"],
        "other_model": _other_model(generator),  # drawn last: the inputs above stay as they were
        "raising_z": torch.randn(2, 63, generator=generator),  # one column short: decode raises inside the call
    }
