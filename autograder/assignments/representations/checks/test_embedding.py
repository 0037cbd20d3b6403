import weakref

import numpy as np
import torch

from autograder.assignments.representations import metrics
from autograder.engine.grade.checks import CheckFailed, expect, points

DOING = "running tsne_embedding on representations of test images"


def embeddings(student, probe_inputs) -> dict[str, np.ndarray]:
    """The student's embedding of each representation, checked to be (N, 2) and finite."""
    answer = student.probe("embedding", "embedding", DOING)
    found = {}
    for layer, activations in probe_inputs["embed"].items():
        value, n = answer.get(layer), len(activations)
        shape = f"({n}, {', '.join(map(str, activations.shape[1:]))})"
        if not isinstance(value, torch.Tensor) or not (value.is_floating_point() or value.dtype in (torch.int32, torch.int64)):
            raise CheckFailed(f"tsne_embedding of activations of shape {shape} returned {type(value).__name__}, "
                              "not an array of numbers")
        expect(tuple(value.shape) == (n, 2), f"tsne_embedding of activations of shape {shape} returned shape "
                                             f"{tuple(value.shape)}, expected ({n}, 2): one 2-D point per example")
        expect(bool(torch.isfinite(value).all()), f"tsne_embedding of activations of shape {shape} returned NaN or "
                                                  "infinite values")
        found[layer] = value.double().numpy()
    return found


MEASURED = weakref.WeakKeyDictionary()  # one submission's figures, measured once for the three checks that use them


def figures(student, probe_inputs, settings) -> dict:
    if student not in MEASURED:
        MEASURED[student] = metrics.embedding_figures(embeddings(student, probe_inputs), probe_inputs["embed"],
                                                      probe_inputs["embed_labels"], settings.knn_k)
    return MEASURED[student]


def untrustworthy(found: dict, settings, thresholds) -> list[str]:
    """Each embedding whose trustworthiness is below its pass mark, with the figures."""
    problems = []
    for layer in settings.embedded_layers:
        value, mark = found[layer]["trustworthiness"], thresholds[f"trustworthiness_{layer}"].value
        if value < mark:
            problems.append(f"{layer}: {value:.3f}, at least {mark:.3f} needed")
    return problems


@points(1, "embedding", "tsne_embedding: a NumPy array, one finite 2-D point per example, the same for the same seed")
def test_embedding_shape(student, probe_inputs, settings, thresholds):
    found = embeddings(student, probe_inputs)
    answer = student.probe("embedding", "embedding", DOING)
    for layer in probe_inputs["embed"]:
        kind = answer.get(f"{layer}_type")
        expect(kind == "numpy.ndarray", f"tsne_embedding returned a {kind}, not a NumPy array: return what "
                                        "TSNE's fit_transform gives (or convert it with np.asarray)")
    first = settings.embedded_layers[0]
    again = answer.get("again")
    spread = float(np.ptp(found[first], axis=0).max()) or 1.0
    gap = np.abs(again.double().numpy() - found[first]).max() / spread if isinstance(again, torch.Tensor) and \
        tuple(again.shape) == found[first].shape else float("inf")
    expect(gap <= 1e-3, f"tsne_embedding called twice with seed 0 on the same {first} activations gave two "
                        f"different embeddings (points apart by up to {gap:.1%} of the picture's width): pass "
                        "random_state=seed to TSNE, so that the same seed gives the same picture")
    # a right shape is what any array of that shape has: it counts only for an embedding that keeps neighbourhoods
    expect(not untrustworthy(figures(student, probe_inputs, settings), settings, thresholds),
           "one finite 2-D point per example, but this counts only for embeddings that keep neighbourhoods, and "
           "yours do not (trustworthiness, the next check)")


@points(1, "embedding", "tsne_embedding: neighbours in the plane were neighbours before (trustworthiness)")
def test_embedding_keeps_neighbours(student, probe_inputs, settings, thresholds):
    problems = untrustworthy(figures(student, probe_inputs, settings), settings, thresholds)
    expect(not problems, f"trustworthiness ({settings.knn_k} neighbours) of your embeddings: " + "; ".join(problems) +
           ". Every run of the reference t-SNE reaches these marks: embed every example's flattened activations "
           "with sklearn.manifold.TSNE (2 components), not a projection or a subset of the features")


@points(1, "embedding", "tsne_embedding: digits better separated for a deep layer than for the input")
def test_deep_layer_separates_digits(student, probe_inputs, settings, thresholds):
    found = figures(student, probe_inputs, settings)
    first, last = settings.embedded_layers[0], settings.embedded_layers[-1]
    gain, mark = found["separation_gain"], thresholds["separation_gain"].value
    # separation counts only in embeddings that keep neighbourhoods: clusters placed by digit, without looking at
    # the activations' neighbours, would otherwise earn it
    expect(not untrustworthy(found, settings, thresholds),
           f"{settings.knn_k}-nearest-neighbour accuracy of the digits in your embeddings: {first} "
           f"{found[first]['knn_accuracy']:.1%}, {last} {found[last]['knn_accuracy']:.1%}; it counts only for "
           "embeddings that keep neighbourhoods, and yours do not (trustworthiness, the check above)")
    expect(gain >= mark,
           f"{settings.knn_k}-nearest-neighbour accuracy of the digits in your embeddings: {first} "
           f"{found[first]['knn_accuracy']:.1%}, {last} {found[last]['knn_accuracy']:.1%}, a gain of {100 * gain:.1f} "
           f"percentage points; at least {100 * mark:.1f} needed, which every run of the reference t-SNE reaches")
