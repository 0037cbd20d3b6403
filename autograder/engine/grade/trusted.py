"""Submitted weights measured by the grader: loaded here, fitted onto the reference solution's own model, and
asked the assignment's weight probes in this process.

The student's process only says in which order its model's forward uses its tensors (``layout_probe``); that
answer can decide how the file's tensors are matched, never what they compute: every figure comes from the
reference's classes running the submitted tensors.
"""

from __future__ import annotations

import copy
from pathlib import Path

import torch

from autograder.engine.assignment import Assignment
from autograder.engine.grade.probing import answer_all, on_device, read_state, state_order
from autograder.engine.grade.sandbox import layout_name


def _shapes(tensors) -> list[tuple]:
    return [tuple(t.shape) for t in tensors]


def fit(state: dict, *, target: dict, target_order: list[str], claimed_order, file: str, model_class: str,
        by_name_only: bool = False) -> tuple[dict, str]:
    """``state``'s tensors under the reference's keys, and how they were matched; ValueError when they do not fit.

    Tried in turn: the reference's own names; the order the student's forward uses its tensors (its claim, read
    defensively); the order the file stores them (PyTorch saves in registration order), which can swap tensors of
    equal shapes and so comes last. ``by_name_only``: the first alone (before the student's answers exist).
    """
    if set(state) == set(target) and all(state[k].shape == target[k].shape for k in target):
        return {k: state[k] for k in target}, "by name"
    candidates = [] if by_name_only else [("in the order your model's forward uses them", claimed_order),
                                          ("in the order the file stores them", list(state))]
    wanted = _shapes(target[k] for k in target_order)
    for how, order in candidates:
        if (isinstance(order, list) and len(order) == len(state) and set(order) == set(state)
                and _shapes(state[k] for k in order) == wanted):
            return dict(zip(target_order, (state[k] for k in order))), how
    found = _shapes(state[k] for k in (claimed_order if isinstance(claimed_order, list) and set(claimed_order) == set(state)
                                       else state))
    first = next((i for i, (a, b) in enumerate(zip(found, wanted)) if a != b), min(len(found), len(wanted)))
    where = (f"tensor {first + 1} in the order your forward uses them is {found[first] if first < len(found) else 'absent'}, "
             f"the homework's {wanted[first] if first < len(wanted) else 'absent'}")
    raise ValueError(f"{file} does not fit the homework's {model_class}: it holds {len(found)} tensors, the "
                     f"homework's model {len(wanted)}; {where}. Were these weights saved with "
                     "torch.save(model.state_dict(), ...) from this notebook's model after training?")


def measuring_device(setting: str) -> str:
    """The torch device ``Config.device`` names: "auto" is the first CUDA device when torch sees one, else the CPU."""
    if setting != "auto":
        return setting
    return "cuda" if torch.cuda.is_available() else "cpu"


class TrustedWeights:
    """One assignment's reference models, ready to run any submission's weights on ``device``."""

    def __init__(self, *, assignment: Assignment, namespace: dict, inputs: dict, plan: list, seed: int,
                 device: str = "cpu"):
        self.assignment, self.namespace, self.inputs, self.seed, self.device = assignment, namespace, inputs, seed, device
        if device.startswith("cuda"):  # the same figures on every run: no autotuned, nondeterministic kernels
            torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = False, True
        self.device_inputs = inputs if device == "cpu" else on_device(inputs, device)  # moved once, used by every measure
        self.probes = {name: (name, probe, True) for name, probe, needs_weights in plan if needs_weights}
        # one copy of each reference model for every submission: each measure loads all of its tensors into it
        self.models = {m.name: copy.deepcopy(namespace[m.attribute]).cpu().eval() for m in assignment.settings.models}
        self.orders = {m.name: state_order(self.models[m.name], inputs[m.input_key]) for m in assignment.settings.models}

    def fitted(self, weights: dict[str, Path | None], answers: dict | None, models: list | None = None
               ) -> tuple[dict[str, dict], dict[str, dict], list[str]]:
        """Each submitted file's tensors under the reference's keys, by model name; an ``{"error": ...}`` by probe
        name for each model whose file is absent or does not fit; notes on how tensors were matched.
        ``answers`` and ``models`` as in ``measure``."""
        states, errors, notes = {}, {}, []
        for model in self.assignment.settings.models if models is None else models:
            path = weights.get(model.weight_file)
            if path is None:
                errors[model.probe] = {"error": f"{model.weight_file} is not in the submission: the training cell "
                                                "saves it; submit it next to the notebook"}
                continue
            reference = self.namespace[model.attribute]
            layout = (answers or {}).get(layout_name(model))
            try:
                states[model.name], how = fit(read_state(Path(path)), target=reference.state_dict(),
                                              target_order=self.orders[model.name],
                                              claimed_order=layout.get("order") if isinstance(layout, dict) else None,
                                              file=model.weight_file, model_class=type(reference).__name__,
                                              by_name_only=answers is None)
            except ValueError as error:
                errors[model.probe] = {"error": str(error)}
                continue
            if how != "by name":
                notes.append(f"{model.weight_file}: measured in the homework's own {type(reference).__name__}, "
                             f"your tensors matched {how}")
        return states, errors, notes

    def model(self, name: str, state: dict) -> torch.nn.Module:
        """The reference's model ``name`` holding ``state`` (fitted tensors), on the CPU in eval mode."""
        attribute = next(m.attribute for m in self.assignment.settings.models if m.name == name)
        module = copy.deepcopy(self.namespace[attribute]).cpu()
        module.load_state_dict(state)
        return module.eval()

    def measure(self, weights: dict[str, Path | None], answers: dict | None, models: list | None = None
                ) -> tuple[dict, list[str], dict[str, dict]]:
        """The weight probes' answers for the submitted files (``{"error": ...}`` where one cannot be measured),
        notes on how each file's tensors were matched, and the fitted tensors by model name (see ``fitted``).
        ``answers``: the student process's, for its layouts (None before they exist: only files whose names fit
        the reference's are measured then). ``models``: only these (default: every model of the assignment)."""
        models = self.assignment.settings.models if models is None else models
        states, results, notes = self.fitted(weights, answers, models)
        ns = dict(self.namespace)
        ns.update({m.attribute: self.models[m.name] for m in models if m.name in states})
        plan = [self.probes[m.probe] for m in models if m.probe in self.probes and m.probe not in results]
        fitted = {m.weight_file: states[m.name] for m in models if m.name in states}
        measured, _ = answer_all(plan, ns, self.device_inputs, Path(), with_weights=True, seed=self.seed,
                                 device=self.device, fitted=fitted)  # no folder is read: the probes get ``fitted``
        return {**results, **measured}, notes, states
