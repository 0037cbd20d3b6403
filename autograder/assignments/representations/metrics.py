"""The figures of this assignment, computed in the grader's process: test accuracy of the submitted network, and
how well a 2-D embedding keeps neighbourhoods and separates digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.spatial
import torch

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def test_set(data_root: Path) -> dict[str, torch.Tensor]:
    """MNIST's 10,000 test images normalised as the notebook's transform does, and their labels."""
    import torchvision

    raw = torchvision.datasets.MNIST(data_root, train=False, download=True)
    return {"images": ((raw.data.float() / 255 - MNIST_MEAN) / MNIST_STD).unsqueeze(1), "labels": raw.targets.clone()}


def accuracy(scores: torch.Tensor, labels: torch.Tensor) -> float:
    return (scores.argmax(dim=1) == labels).float().mean().item()


def knn_accuracy(points: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Leave-one-out k-nearest-neighbour accuracy: how often the majority digit of a point's k nearest neighbours
    (the point itself left out) is its own digit. Ties go to the smallest digit, as np.bincount's argmax does."""
    _, neighbours = scipy.spatial.cKDTree(points).query(points, k=k + 1)
    votes = labels[neighbours[:, 1:]]
    predicted = np.array([np.bincount(row, minlength=10).argmax() for row in votes])
    return float((predicted == labels).mean())


def trustworthiness(original: torch.Tensor, embedding: np.ndarray, k: int) -> float:
    """scikit-learn's trustworthiness of ``embedding`` against the flattened ``original`` (1: every point's k
    nearest neighbours in the plane were among its nearest in the original space)."""
    from sklearn.manifold import trustworthiness as sklearn_trustworthiness

    rows = original.reshape(len(original), -1).double().numpy()
    return float(sklearn_trustworthiness(rows, embedding, n_neighbors=k))


def embedding_figures(embeddings: dict[str, np.ndarray], activations: dict[str, torch.Tensor],
                      labels: dict[str, torch.Tensor], k: int) -> dict:
    """For each embedded representation: trustworthiness and k-NN accuracy (against that representation's own
    digits: each comes in an order of its own); and the gain in k-NN accuracy from the first (the input) to the
    last (the deepest layer)."""
    layers = list(embeddings)
    figures = {layer: {"trustworthiness": trustworthiness(activations[layer], embeddings[layer], k),
                       "knn_accuracy": knn_accuracy(embeddings[layer], labels[layer].numpy(), k)} for layer in layers}
    figures["separation_gain"] = figures[layers[-1]]["knn_accuracy"] - figures[layers[0]]["knn_accuracy"]
    return figures
