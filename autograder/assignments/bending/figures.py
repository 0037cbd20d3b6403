"""The bending assignment's pictures in feedback.html, each under the check it explains.

Nothing is submitted but code, and the bending functions are the student's: the grader must not run them, so
every picture shows what the student's functions returned in their own process for the probes' fixed inputs
(the shipped VAE, the bends the probes pass). Those answers are untrusted: they are shown, never scored (the
checks score the same answers against the reference's). Beside each, the reference solution's outputs for the
same inputs: they reveal what a bend does to these digits, which the student can see by running the notebook,
and no code; a picture at 16 grey levels cannot stand in for tensors compared to 1e-5.
"""

from __future__ import annotations

import torch

from autograder.engine.grade.drawing import image_rows, is_images
from autograder.engine.grade.feedback_page import Figure, View


def _answer(view: View, probe: str) -> dict:
    answer = view.answers.get(probe)
    if not isinstance(answer, dict) or "error" in answer:
        raise ValueError(f"no answer from the notebook to draw ({probe} failed)")
    return answer


def _rows(view: View, rows: list[tuple[str, object]], count: int):
    """The rows that are images, as one picture, with a caption naming them in order."""
    shown = [(name, images) for name, images in rows if is_images(images, count)]
    if len(shown) < 2:
        raise ValueError("the notebook's functions returned too few images to draw")
    where = "run in your notebook's process; " if view.whose == "yours" else ""
    return image_rows([images for _, images in shown]), where + "rows: " + "; ".join(name for name, _ in shown)


def _reconstruct(view: View):
    answer = _answer(view, "reconstruct")
    return _rows(view, [("test digits", view.inputs["x"]), ("reconstruct(vae, x)", answer.get("mean")),
                  ("with a generator", answer.get("sampled"))], len(view.inputs["x"]))


def _bent(probe: str, bends: str):
    """The plain decodes of the fixed codes above what ``probe`` returned for each decoding bend (``bends``: the
    inputs' list of [layer or parameter pattern, bend, method])."""
    def draw(view: View):
        outputs = _answer(view, probe).get("outputs")
        plain = view.answers.get("plain", {}).get("z_decoded") if isinstance(view.answers.get("plain"), dict) else None
        rows = [("plain decode", plain)]
        if isinstance(outputs, list):
            unescaped = [(where.replace("\\", ""), bend, method) for where, bend, method in view.inputs[bends]]
            rows += [(f"{where}: {bend}", output) for (where, bend, method), output in zip(unescaped, outputs)
                     if method == "decode"]
        return _rows(view, rows, len(view.inputs["z"]))
    return draw


def _interpolation(view: View):
    mixes = _answer(view, "interpolate").get("mixes")
    count = len(view.inputs["interpolation_weights"])
    rows = [(f"mixed at {layer}", mixes.get(layer)) for layer in view.inputs["interpolation_layers"]] \
        if isinstance(mixes, dict) else []
    return _rows(view, rows, count)


# what ran on what: the student's functions (the reference's) on the VAE the course ships; no weights are submitted
ON_THE_VAE = {"yours": "Your functions on the course's VAE",
              "reference": "The reference solution's functions on the course's VAE"}

FIGURES = [
    Figure("test_reconstruct", "six test digits, reconstruct's decoded means, and a decoded sample", _reconstruct,
           show_reference=True, **ON_THE_VAE),
    Figure("test_bend_weights_outputs", "bend_weights' decoded outputs for six fixed codes, one row per bend",
           _bent("bend_weights", "weight_bends"), show_reference=True, **ON_THE_VAE),
    Figure("test_bend_activation_outputs", "bend_activation's decoded outputs for six fixed codes, one row per bend",
           _bent("bend_activation", "activation_bends"), show_reference=True, **ON_THE_VAE),
    Figure("test_interpolation_mixes", "interpolate_at_layer's mixes of three test digits with five weightings, one "
           "row per layer", _interpolation, show_reference=True, **ON_THE_VAE),
]
