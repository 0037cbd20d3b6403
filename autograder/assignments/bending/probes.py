"""The bending assignment's questions to a notebook's namespace: each calls one of the student's functions on the
shipped VAE (built from the notebook's own ``MnistVAE``, loaded with the tensors in the probe inputs) and on inputs
the student never saw. Answered in the student's process and, for the reference, in the grader.

Copied into the student's runner: imports only the standard library and torch. The bending functions the probes
pass to ``bend_weights`` and ``bend_activation`` are defined here, so those two are checked apart from the
student's own ``scale``, ``mask`` or ``keep_top_channels``; so is the ``matching_parameters`` put in the notebook's
place while ``bend_weights`` runs, and the small network ``list_activations`` is also asked about.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict

import torch
import torch.nn.modules.module as module_globals


def _vae(ns, inputs):
    if "MnistVAE" not in ns:
        raise NameError("the notebook defines no MnistVAE: keep the model cell `bend_model` as it was released")
    vae = ns["MnistVAE"]()
    vae.load_state_dict(inputs["vae_state"])
    return vae.eval()


def _hooks_left(model) -> int:
    """Hooks on any module of ``model`` plus global module hooks (none were there before the call)."""
    count = 0
    for module in model.modules():
        for attribute in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks",
                          "_state_dict_hooks", "_load_state_dict_pre_hooks"):
            count += len(getattr(module, attribute, {}) or {})
        count += int(hasattr(module, "parametrizations"))
    for attribute in ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
                      "_global_backward_pre_hooks"):
        count += len(getattr(module_globals, attribute, {}) or {})
    return count


def _left_as_found(model, before: dict, z) -> dict:
    """What a function left behind: hooks, parameters and buffers not bit-identical, the plain decode of ``z``."""
    after = model.state_dict()
    changed = sorted(set(before) ^ set(after))
    changed += [f"{name or 'the model'} (left in training mode)" for name, module in model.named_modules() if module.training]
    changed += [name for name in before if name in after and not (
        isinstance(after[name], torch.Tensor) and after[name].dtype == before[name].dtype
        and after[name].shape == before[name].shape and torch.equal(after[name], before[name]))]
    with torch.no_grad():
        plain = model.decode(z)
    return {"hooks_left": _hooks_left(model), "changed": changed[:10], "n_changed": len(changed), "plain_after": plain}


def _snapshot(model) -> dict:
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def _records_gradients(value) -> bool:
    """Whether an answer holds a tensor that records gradients (the notebook asks for every output without)."""
    if isinstance(value, torch.Tensor):
        return value.requires_grad
    if isinstance(value, dict):
        return any(map(_records_gradients, value.values()))
    if isinstance(value, (list, tuple)):
        return any(map(_records_gradients, value))
    return False


def _drawn_from(seed: int, draws: int) -> torch.Generator:
    """A generator seeded with ``seed`` that has already given ``draws`` numbers: a function using it as it is
    differs from one that re-seeds it (``manual_seed(g.initial_seed())``)."""
    generator = torch.Generator().manual_seed(seed)
    torch.rand(draws, generator=generator)
    return generator


def _after_raising_call(call, vae, z) -> dict:
    """What ``call`` (a function of the student's on ``vae``, given a code one column short so that the model's
    method raises inside it) leaves behind: whether it raised, hooks, parameters and buffers, the plain decode."""
    before = _snapshot(vae)
    try:
        call()
        raised = False
    except Exception:  # the model's error passing through the student's function, as it should
        raised = True
    return {"raised": raised, **_left_as_found(vae, before, z)}


def _reconstruct(ns, inputs, _):
    x = inputs["x"]
    generator = _drawn_from(inputs["sample_seed"], inputs["generator_draws"])
    mean, sampled = ns["reconstruct"](_vae(ns, inputs), x), ns["reconstruct"](_vae(ns, inputs), x, generator)
    return {"mean": mean, "sampled": sampled, "records_gradients": _records_gradients([mean, sampled])}


def _record(ns, inputs, _):
    vae = _vae(ns, inputs)
    before = _snapshot(vae)
    encode = ns["record_activations"](vae, list(inputs["record"]["encode"]), inputs["x"], method="encode")
    decode = ns["record_activations"](vae, list(inputs["record"]["decode"]), inputs["z"], method="decode")
    left = _left_as_found(vae, before, inputs["z"])
    vae = _vae(ns, inputs)
    raising = _after_raising_call(lambda: ns["record_activations"](vae, list(inputs["record"]["decode"]),
                                                                    inputs["raising_z"], method="decode"),
                                  vae, inputs["z"])
    return {"encode": dict(encode), "decode": dict(decode), **left, "raising": raising,
            "records_gradients": _records_gradients([encode, decode])}


def _listing(ns, inputs, _):
    vae = _vae(ns, inputs)
    before = _snapshot(vae)
    forward = ns["list_activations"](vae, inputs["x"])
    decode = ns["list_activations"](vae, inputs["z"], method="decode")
    left = _left_as_found(vae, before, inputs["z"])
    other = _OtherNetwork(inputs["other_model"]).eval()
    return {"forward": _entries(forward), "decode": _entries(decode),
            "other": _entries(ns["list_activations"](other, inputs["other_model"]["x"])), **left}


class _OtherNetwork(torch.nn.Module):
    """A small network unlike the shipped VAE (its names drawn from the grader's seed): a container of two leaves,
    two leaves registered in another order than they run, and a leaf registered but never run."""

    def __init__(self, spec):
        super().__init__()
        outer, inner, activation, last, first, unused = spec["names"]
        width, hidden = spec["widths"]
        self.add_module(outer, torch.nn.Sequential(OrderedDict(
            [(inner, torch.nn.Linear(width, hidden)), (activation, torch.nn.Tanh())])))
        self.add_module(last, torch.nn.Linear(hidden, 3))
        self.add_module(first, torch.nn.Linear(width, width))
        self.add_module(unused, torch.nn.ReLU())
        self.order = (first, outer, last)

    def forward(self, x):
        for name in self.order:
            x = self.get_submodule(name)(x)
        return x


def _entries(listing):
    """A listing of (name, shape) pairs as lists; anything else as it is, for the check to describe."""
    if not isinstance(listing, (list, tuple)):
        return listing
    return [list(entry) if isinstance(entry, (list, tuple)) else entry for entry in listing]


def _kernels(ns, inputs, _):
    vae = _vae(ns, inputs)
    layer, row, column = inputs["zero_kernel"]
    with torch.no_grad():
        vae.get_submodule(layer).weight[row, column] = 0.0  # an all-zero kernel must stay zeros
    before = _snapshot(vae)
    kernels = {layer: ns["kernel_images"](vae, layer) for layer in inputs["kernel_layers"]}
    return {"kernels": kernels, **_left_as_found(vae, before, inputs["z"])}


def _as_float(mask):
    return mask.to(torch.float32) if isinstance(mask, torch.Tensor) else mask


def _mask(ns, inputs, _):
    answers = []
    for shape, keep, seed in inputs["masks"]:
        first = ns["keep_mask"](tuple(shape), keep, seed)
        again = ns["keep_mask"](tuple(shape), keep, seed)
        from_generator = ns["keep_mask"](tuple(shape), keep, _drawn_from(seed, inputs["generator_draws"]))
        answers.append({"mask": _as_float(first), "again": _as_float(again), "from_generator": _as_float(from_generator)})
    weight = inputs["weight"].clone()
    shape, keep, seed = inputs["masks"][-1]
    masked = ns["mask"](keep, seed)(weight)
    return {"masks": answers, "masked": masked, "argument_unchanged": torch.equal(weight, inputs["weight"])}


def _scale_bias(ns, inputs, _):
    answers = {}
    for key, name, values in (("scaled", "scale", inputs["factors"]), ("biased", "bias", inputs["amounts"])):
        weight = inputs["weight"].clone()  # each function its own copy: scale and bias are scored apart
        answers[key] = [ns[name](value)(weight) for value in values]
        answers[f"{key}_argument_unchanged"] = torch.equal(weight, inputs["weight"])
    return answers


WEIGHT_BENDS = {  # name: bending function the probes pass to bend_weights
    "invert": lambda w: w * -1.0,
    "times 10": lambda w: w * 10.0,
    "cos(16 pi w)": lambda w: torch.cos(16 * math.pi * w),
    "plus 0.05": lambda w: w + 0.05,
    "zero half": lambda w: w * (torch.arange(w.numel()).reshape(w.shape) % 2 == 0).to(w.dtype),
}


def _full_matches(model, pattern):
    """The probes' own matching_parameters, put in the notebook's place while bend_weights runs, so that
    bend_weights is checked apart from the student's matching_parameters (which has its own point)."""
    return [name for name, _ in model.named_parameters() if re.fullmatch(pattern, name)]


def _bend_each(ns, inputs, function: str, bends: list, table: dict) -> dict:
    """The answers of ``bend_weights`` or ``bend_activation`` (``function``): the output of each (target, bend,
    method) in ``bends``, each on a fresh VAE; whether applying all of them in turn to one VAE left it as found; what
    a call that raises leaves behind; whether the outputs record gradients."""
    def argument(method):
        return inputs["x"] if method == "encode" else inputs["z"]

    outputs = [ns[function](_vae(ns, inputs), target, table[bend], argument(method), method=method)
               for target, bend, method in bends]
    vae = _vae(ns, inputs)
    before = _snapshot(vae)
    for target, bend, method in bends:
        ns[function](vae, target, table[bend], argument(method), method=method)
    left = _left_as_found(vae, before, inputs["z"])
    target, bend, _method = bends[0]
    vae = _vae(ns, inputs)
    raising = _after_raising_call(lambda: ns[function](vae, target, table[bend], inputs["raising_z"], method="decode"),
                                  vae, inputs["z"])
    return {"outputs": outputs, **left, "raising": raising, "records_gradients": _records_gradients(outputs)}


def _bend_weights(ns, inputs, _):
    students = ns.get("matching_parameters")
    ns["matching_parameters"] = _full_matches
    try:
        return _bend_each(ns, inputs, "bend_weights", inputs["weight_bends"], WEIGHT_BENDS)
    finally:
        if students is None:
            ns.pop("matching_parameters", None)
        else:
            ns["matching_parameters"] = students


def _matching(ns, inputs, _):
    vae = _vae(ns, inputs)
    return {"names": [list(ns["matching_parameters"](vae, pattern)) for pattern in inputs["patterns"]]}


def _top_channels(ns, inputs, _):
    activation = inputs["activation"].clone()
    kept = [ns["keep_top_channels"](fraction)(activation) for fraction in inputs["fractions"]]
    return {"kept": kept, "argument_unchanged": torch.equal(activation, inputs["activation"])}


def _normalisations(ns, inputs, _):
    answers = {}
    for key in ("instances", "channels"):
        activation = inputs["activation"].clone()  # each function its own copy: the two are scored apart
        answers[key] = ns[f"normalise_across_{key}"](activation)
        answers[f"{key}_argument_unchanged"] = torch.equal(activation, inputs["activation"])
    return answers


ACTIVATION_BENDS = {  # name: bending function the probes pass to bend_activation
    "plus 0.5": lambda a: a + 0.5,
    "reverse the batch": lambda a: a.flip(0),
    "halve": lambda a: a * 0.5,
    "keep above the mean": lambda a: a * (a > a.mean()).to(a.dtype),
}


def _bend_activation(ns, inputs, _):
    return _bend_each(ns, inputs, "bend_activation", inputs["activation_bends"], ACTIVATION_BENDS)


def _interpolate(ns, inputs, _):
    mixes = {}
    vae = _vae(ns, inputs)
    before = _snapshot(vae)
    for layer in inputs["interpolation_layers"]:
        mixes[layer] = ns["interpolate_at_layer"](vae, layer, inputs["pair"], inputs["interpolation_weights"])
    return {"mixes": mixes, **_left_as_found(vae, before, inputs["z"]), "records_gradients": _records_gradients(mixes)}


def _plain(ns, inputs, _):
    """The model's own outputs on the probe inputs (the endpoints interpolation must reach)."""
    vae = _vae(ns, inputs)
    with torch.no_grad():
        return {"pair_decoded": vae.decode(vae.encode(inputs["pair"])[0]), "z_decoded": vae.decode(inputs["z"])}


# (probe name, function, needs submitted weight files): none does, the model's weights are in the inputs
PLAN = [
    ("plain", _plain, False),
    ("reconstruct", _reconstruct, False),
    ("record", _record, False),
    ("listing", _listing, False),
    ("kernels", _kernels, False),
    ("mask", _mask, False),
    ("scale_bias", _scale_bias, False),
    ("matching", _matching, False),
    ("bend_weights", _bend_weights, False),
    ("top_channels", _top_channels, False),
    ("normalisations", _normalisations, False),
    ("bend_activation", _bend_activation, False),
    ("interpolate", _interpolate, False),
]
