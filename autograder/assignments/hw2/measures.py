"""Test-set figures computed from the answers of the weight probes: the reference's (thresholds) and each student's
(checks). Computed in the grader's own process."""

from __future__ import annotations

from functools import cache

import torch

from autograder.assignments.hw2 import metrics
from autograder.engine.assignment import Assignment
from autograder.engine.grade.probing import batched


@cache
def reference_classifier(assignment: Assignment) -> torch.nn.Module:
    """The reference LeNet-5 with its trained weights: reads the digits a decoder draws."""
    from autograder.engine.reference import solution_namespace

    lenet = solution_namespace(assignment=assignment)["LeNet_5"]().eval()
    weights = assignment.reference_weights() / assignment.model("lenet").weight_file
    lenet.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return lenet


def prepare(assignment: Assignment) -> None:
    """Load what ``figures`` needs once, while the first student process runs."""
    reference_classifier(assignment)


def _checked(answer: dict, shapes: dict) -> dict:
    """The answer's tensors, after checking that each is a float tensor of the expected shape."""
    for key, shape in shapes.items():
        value = answer.get(key)
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise ValueError(f"{key}: expected a tensor of floats, found {type(value).__name__}")
        if tuple(value.shape) != shape:
            raise ValueError(f"{key}: expected shape {shape}, found {tuple(value.shape)}")
    return {key: answer[key].float() for key in shapes}


def figures(answers: dict, *, inputs: dict, assignment: Assignment) -> dict:
    """Figures for every weights probe that answered; ``{"error": ...}`` where its outputs were unusable."""
    settings, test = assignment.settings, inputs["test"]
    n, k, image = settings.generative_eval_images, settings.knn_k, (1, 28, 28)
    images, labels = test["images28"], test["labels"]

    def lenet(a):
        return {"test_accuracy": metrics.accuracy(a["scores"], test["lenet_labels"])}

    def ae(a):
        return {"test_bce": metrics.mean_bce(a["reconstructions"], images),
                "latent": metrics.latent_statistics(a["codes"], None, labels, k)}

    def vae(a):
        return {"test_bce": metrics.mean_bce(a["reconstructions"], images),
                "test_kl": metrics.kl_to_prior(a["mu"], a["log_variance"]),
                "latent": metrics.latent_statistics(a["mu"], a["log_variance"], labels, k),
                "ppf_grid": metrics.grid_variety(a["ppf_decoded"], lambda images: batched(  # quicker max-pools
                    reference_classifier(assignment), images, len(images)))}

    plan = {
        "lenet": ({"scores": (settings.lenet_eval_images, 10)}, lenet),
        "ae": ({"reconstructions": (n, *image), "codes": (n, 2)}, ae),
        "vae": ({"reconstructions": (n, *image), "mu": (n, 2), "log_variance": (n, 2), "ppf_decoded": (400, *image)},
                vae),
    }
    result = {}
    with torch.no_grad():
        for model, (shapes, measure) in plan.items():
            answer = answers.get(assignment.model(model).probe)
            if not isinstance(answer, dict) or "error" in answer:
                continue
            try:
                result[model] = measure(_checked(answer, shapes))
            except (ValueError, RuntimeError) as error:  # NaNs, values outside [0, 1], wrong shapes
                result[model] = {"error": str(error).splitlines()[0][:300]}
    return result
