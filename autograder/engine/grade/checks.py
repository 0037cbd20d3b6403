"""What the hidden checks share: points, failures that explain themselves, and validated access to answers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch


class CheckFailed(Exception):
    """A check's verdict: the message is shown to the student as it is. ``kept``: the share of the check's points
    its independent parts still earn (0 to 1), for a check scoring several parts proportionally."""

    def __init__(self, message: str, kept: float = 0.0):
        super().__init__(message)
        self.kept = min(max(float(kept), 0.0), 1.0)


def points(value: float, cell: str, title: str):
    """Mark a check: its points, the graded notebook cell it belongs to, and its title in the feedback."""
    return pytest.mark.points(value=value, cell=cell, title=title)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass(frozen=True)
class Threshold:
    value: float
    origin: str  # how it was derived, shown in the instructor's notes


class Answers:
    """One notebook's probe answers, read defensively: a student's answers may have any shape."""

    def __init__(self, answers: dict, figures: dict, fatal: str | None = None, *, models: tuple = ()):
        self.fatal = fatal  # why nothing could be run at all, reported by every check
        self.models = {model.name: model for model in models}  # the assignment's WeightedModels
        self.answers = answers if isinstance(answers, dict) else {}
        self.figures = figures
        cells = self.answers.get("cells")
        self.cells = cells if isinstance(cells, dict) else {}

    def probe(self, name: str, cell: str, doing: str) -> dict:
        """The answer to probe ``name``, or a failure naming what is missing or wrong.

        A cell's outcome decides nothing by itself: a cell that defined its names and then failed on a later line
        (a demo call on a variable grading does not define) still gets its checks, and the failing line is a note
        (``cell_notes``). Only when the probe found nothing usable does the cell's failure explain why.
        """
        if self.fatal:
            raise CheckFailed(self.fatal)
        answer = self.answers.get(name)
        if isinstance(answer, dict) and "error" not in answer:
            return answer
        status = self.cells.get(cell)
        if status == "missing":
            raise CheckFailed(f"the cell `{cell}` is missing from the notebook (deleted, or its metadata changed): "
                              "copy it back from the released notebook")
        if status not in (None, "ok"):
            raise CheckFailed(f"the cell `{cell}` failed: {status}")
        if not isinstance(answer, dict):
            raise CheckFailed(f"no answer while {doing}")
        raise CheckFailed(f"{doing} failed: {answer['error']}")

    def figure(self, model: str) -> dict:
        """The test-set figures of the assignment's model ``model`` with its submitted weights, or why there are none."""
        spec = self.models[model]
        weights = spec.weight_file
        # measured by the grader from the file alone, in the reference's architecture: the notebook's model cell
        # (even a failing one) has no say, so a figure on the page and this check never disagree
        if self.fatal:
            raise CheckFailed(self.fatal)
        answer = self.answers.get(spec.probe)
        if isinstance(answer, dict) and "error" in answer:
            raise CheckFailed(f"loading {weights} failed: {answer['error']}")
        figures = self.figures.get(model)
        if not isinstance(figures, dict):
            raise CheckFailed(f"the outputs of your model with {weights} could not be measured")
        if "error" in figures:
            raise CheckFailed(f"the outputs of your model with {weights} could not be measured: {figures['error']}")
        return figures


def tensor(answer: dict, key: str, shape: tuple | None = None) -> torch.Tensor:
    value = answer.get(key)
    if isinstance(value, dict) and isinstance(value.get("error"), str):
        raise CheckFailed(value["error"])
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        raise CheckFailed(f"expected a tensor of floats for {key}, found {type(value).__name__}")
    if shape is not None and tuple(value.shape) != shape:
        raise CheckFailed(f"expected {key} of shape {tuple(shape)}, found {tuple(value.shape)}")
    if not torch.isfinite(value).all():
        raise CheckFailed(f"{key} contains NaN or infinite values")
    return value.float()


def layer_text(layer: dict) -> str:
    """A layer the way PyTorch prints it, e.g. ``Conv2d(1, 6, kernel_size=5, stride=1)``."""
    def one(value):
        return value[0] if isinstance(value, list) and len(set(map(str, value))) == 1 else value

    kind = layer.get("type")
    if kind == "Conv2d":
        text = f"Conv2d({layer['in_channels']}, {layer['out_channels']}, kernel_size={one(layer['kernel_size'])}, stride={one(layer['stride'])}"
        padding = one(layer.get("padding"))
        return text + (f", padding={padding})" if padding not in (0, "0", None) else ")")
    if kind == "Linear":
        return f"Linear({layer['in_features']}, {layer['out_features']})"
    if kind == "MaxPool2d":
        return f"MaxPool2d(kernel_size={one(layer['kernel_size'])}, stride={one(layer['stride'])})"
    return f"{kind}(scale_factor={one(layer.get('scale_factor'))})"


def compare_layers(found: list, expected: list, what: str) -> None:
    """The convolution and linear layers ``forward`` calls must be the reference's, in the same order."""
    if not isinstance(found, list) or not all(isinstance(layer, dict) for layer in found):
        raise CheckFailed(f"{what}: the layer description could not be read")
    weighted = [layer for layer in found if layer.get("type") in ("Conv2d", "Linear")]
    wanted = [layer for layer in expected if layer["type"] in ("Conv2d", "Linear")]
    problems = []
    for position, want in enumerate(wanted):
        if position >= len(weighted):
            problems.append(f"{want['name']}: expected {layer_text(want)}, found no layer")
        elif (got := layer_text(weighted[position])) != layer_text(want):
            problems.append(f"{want['name']}: expected {layer_text(want)}, found {got}")
    for extra in weighted[len(wanted):]:
        problems.append(f"unexpected extra layer {layer_text(extra)}")
    expect(not problems, f"{what} (convolution and linear layers in the order forward uses them): " + "; ".join(problems))


def compare_outputs(found: torch.Tensor, expected: torch.Tensor, atol: float, what: str, hint: str) -> None:
    expect(found.shape == expected.shape, f"{what}: output shape {tuple(found.shape)}, expected {tuple(expected.shape)}")
    gap = (found - expected).abs().max().item()
    expect(gap <= atol, f"{what}: with the same weights as the reference, outputs differ by up to {gap:.3g} "
                        f"(tolerance {atol:g}); {hint}")
