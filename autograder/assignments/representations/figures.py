"""The representations assignment's pictures in feedback.html, each under the check it explains.

The network's pictures are drawn by the grader from the submitted mnist_cnn.pt in the solution's own Net2 (never
the student's code): its confusion matrix, and each layer's activations of 150 fixed test digits projected on
their first two principal axes (PCA: deterministic and quick, where a t-SNE per layer would cost seconds). The
t-SNE picture is what the student's ``tsne_embedding`` returned for the reference network's representations,
answered in the student's process: shown, never scored (the checks score it from the same answer).
The reference's picture is shown beside each: none reveals code, and the notebook draws the same kinds.
"""

from __future__ import annotations

import torch

from autograder.assignments.representations import SETTINGS
from autograder.engine.grade.drawing import confusion_matrix, embedding_panels, pca
from autograder.engine.grade.feedback_page import Figure, View, weights_in

PCA_IMAGES = 150  # test digits per layer picture: enough to see the clusters, cheap to run and project


def _confusion(view: View):
    return confusion_matrix(view.measured["cnn_weights"]["scores"], view.inputs["test"]["labels"])


def _layers(view: View):
    net = view.namespace["Net2"]()
    net.load_state_dict(view.model("cnn").state_dict())  # the notebook loads mnist_cnn.pt into a Net2 the same way
    images = view.inputs["test"]["images"][:PCA_IMAGES]
    layers = dict(zip(("h1", "h2", "h3", "h4", "h5", "h6"), net.eval().extract(images)))
    panels = [("input", pca(images))] + [(name, pca(layer)) for name, layer in layers.items()]
    return embedding_panels(panels, view.inputs["test"]["labels"][:PCA_IMAGES], axis_names=("PC 1", "PC 2"))


def _tsne(view: View):
    answer = view.answers.get("embedding")
    layers = view.inputs["embed"]
    if not isinstance(answer, dict) or "error" in answer:
        raise ValueError("your tsne_embedding gave no embedding to draw")
    drawn = [layer for layer in layers if getattr(answer.get(layer), "shape", None) == (len(layers[layer]), 2)]
    if not drawn:
        raise ValueError("your tsne_embedding returned no (N, 2) embedding")
    # each representation came in an order of its own: sorted by digit, every panel's points line up with one
    # list of digits (the same images in each)
    orders = {layer: torch.argsort(view.inputs["embed_labels"][layer], stable=True) for layer in drawn}
    digits = view.inputs["embed_labels"][drawn[0]][orders[drawn[0]]]
    panels = [(layer, torch.as_tensor(answer[layer])[orders[layer]]) for layer in drawn]
    return embedding_panels(panels, digits, axis_names=("t-SNE 1", "t-SNE 2"), columns=len(panels))


CNN = weights_in("network", "mnist_cnn.pt")

FIGURES = [
    Figure("test_trained_weights_accuracy", "the confusion matrix: test digits by true and predicted class",
           _confusion, show_reference=True, models=("cnn",), **CNN),
    # drawn by the solution's own extract (never the student's): it shows the trained weights' layers, so it sits
    # under the check of those weights, not under the extract checks
    Figure("test_trained_weights_accuracy", "each layer's activations of 150 test digits (taken where the "
           "reference's extract takes them), projected on their two principal axes (PCA), coloured by digit",
           _layers, show_reference=True, models=("cnn",), **CNN),
    Figure("test_deep_layer_separates_digits", "the 2-D embedding (run in your notebook's own process) of the input "
           f"and of h5 for {SETTINGS.embedded_points} test digits", _tsne, show_reference=True,
           yours="The reference network's activations embedded by your t-SNE function",
           reference="The same activations embedded by the reference solution's function"),
]
