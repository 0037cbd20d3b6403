"""The fixed inputs the probes are asked on (built once by the grader, cached on disk)."""

from __future__ import annotations

from pathlib import Path

import torch

from autograder.assignments.representations import metrics
from autograder.engine.grade.probing import reference_weights

FOLDER = Path(__file__).parent


def trained_reference(reference_ns: dict, settings) -> torch.nn.Module:
    """The solution's Net2 with the reference run's trained weights (whose digest is part of the settings, so
    that the cached inputs are rebuilt when those weights change)."""
    net = reference_ns["Net2"]()
    path = FOLDER / "reference" / f"seed{settings.reference_seed}" / settings.models[0].weight_file
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return net.eval()


def build_inputs(reference_ns: dict, *, settings, data_root, seed: int) -> dict:
    """Random images for the layer and extract probes with fresh reference-shaped weights, three raw test digits,
    the test set, the trained reference's representations of the last test images for tsne_embedding (each
    shuffled by itself; their digits, like the test set, stay with the grader: ``grader_only_inputs``), and
    made-up embeddings for plot_embeddings."""
    generator = torch.Generator().manual_seed(seed)
    test = metrics.test_set(data_root)
    x = torch.randn(4, 1, 28, 28, generator=generator)
    n = settings.embedded_points
    images, labels = test["images"][-n:], test["labels"][-n:]
    with torch.no_grad():
        layers = dict(zip(("h1", "h2", "h3", "h4", "h5", "h6"), trained_reference(reference_ns, settings).extract(images)))
    layers["input"] = images
    # each representation in an order of its own, known only to the grader: digits looked up from the raw images
    # (matching them against MNIST) say nothing about which h5 row is which digit
    order = {layer: torch.randperm(n, generator=generator) for layer in settings.embedded_layers}
    # seven made-up embeddings of 40 points (4 of each digit), each shifted so that no two share a point
    fake_labels = torch.arange(40) % 10
    fake_labels = fake_labels[torch.randperm(40, generator=generator)]
    fake = [torch.randn(40, 2, generator=generator, dtype=torch.float64) + 100 * i for i in range(7)]
    import torchvision

    raw = torchvision.datasets.MNIST(data_root, train=False, download=True).data
    return {
        "x": x,
        "weights": {"net2": reference_weights(reference_ns["Net2"](), x, seed)},
        "raw_images": raw[:3].clone(),
        # evenly spaced: the halves differ (the first 5,000 score about 2 points under all 10,000 here)
        "test": {"images": test["images"][:: len(test["labels"]) // settings.accuracy_eval_images].clone(),
                 "labels": test["labels"][:: len(test["labels"]) // settings.accuracy_eval_images].clone()},
        "embed": {layer: layers[layer][order[layer]].clone() for layer in settings.embedded_layers},
        "embed_labels": {layer: labels[order[layer]].clone() for layer in settings.embedded_layers},
        "plot": {"embeddings": fake, "labels": fake_labels,
                 "titles": ["input", "h1", "h2", "h3", "h4", "h5", "h6"]},
    }
