"""The tools an assignment's probes are written with, and the loop that asks them.

An assignment's ``probes.py`` lists its questions (``PLAN``); the same functions answer for a student (in the
confined process) and for the reference solution (in the grader), so the two are always measured the same
way. Nothing here judges: the hidden checks compare the answers afterwards, in the grader's own process.
This file is copied into the student's runner: it imports nothing but the standard library and torch.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import time

import torch
import torch.nn as nn
from torch.nn.modules.utils import _pair

# Leaf layers whose settings are reported, and the attributes that describe each.
DESCRIBED = {
    nn.Conv2d: ("in_channels", "out_channels", "kernel_size", "stride", "padding"),
    nn.Linear: ("in_features", "out_features"),
    nn.MaxPool2d: ("kernel_size", "stride"),
    nn.Upsample: ("scale_factor", "mode"),  # UpsamplingNearest2d is a subclass
}
WEIGHTED = (nn.Conv2d, nn.Linear)
# Where load_weights puts the model it fills: the grader's measuring device while answer_all runs weight probes.
MEASURING_DEVICE: contextvars.ContextVar[str] = contextvars.ContextVar("measuring_device", default="cpu")
# The tensors the grader has read and fitted, by file name, while answer_all runs weight probes on them: load_weights
# takes them instead of reading the file again.
FITTED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("fitted", default=None)


def on_device(value, device: str):
    """``value`` with every tensor in it (inside dicts, lists and tuples) on ``device``."""
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {key: on_device(item, device) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(on_device(item, device) for item in value)
    return value


def _plain(value):
    """Module settings as ints, floats, strings or lists of them (tuples and single values alike)."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def traced_layers(module: nn.Module, inputs: torch.Tensor, *, in_nchw: bool = False
                  ) -> tuple[list[nn.Module], list[dict], object]:
    """Run ``module`` once and list its described leaf layers in the order forward calls them.

    Call order, not registration order, is the architecture: it is the same whether the layers are
    attributes, inside nn.Sequential or registered in another order. ``in_nchw``: each of those layers hands its
    output on in NCHW memory (for a module in NHWC memory whose forward calls ``.view``).
    """
    called: list[nn.Module] = []

    def record(layer, args, output):
        called.append(layer)
        return output.contiguous() if in_nchw else None

    hooks = [m.register_forward_hook(record) for m in module.modules() if isinstance(m, tuple(DESCRIBED))]
    try:
        with torch.no_grad():
            output = module(inputs)
    finally:
        for hook in hooks:
            hook.remove()
    names = {id(m): name for name, m in module.named_modules()}
    described = []
    for layer in called:
        kind = next(k for k in DESCRIBED if isinstance(layer, k))
        described.append({"name": names.get(id(layer), "?"),
                          "type": kind.__name__ if kind is not nn.Upsample else type(layer).__name__,
                          **{a: _plain(getattr(layer, a)) for a in DESCRIBED[kind]}})
    return called, described, output


def weighted_layers(module: nn.Module, inputs: torch.Tensor) -> list[nn.Module]:
    """The convolution and linear layers ``module``'s forward calls on ``inputs``, in that order."""
    return [m for m in traced_layers(module, inputs)[0] if isinstance(m, WEIGHTED)]


def reset_weighted(module: nn.Module, seed: int) -> nn.Module:
    """``module`` with every convolution and linear layer freshly initialised from ``seed``."""
    torch.manual_seed(seed)
    for layer in module.modules():
        if isinstance(layer, WEIGHTED):
            layer.reset_parameters()
    return module


def describe_module(module: nn.Module, inputs: torch.Tensor) -> dict:
    """Class, parameter count, layers in call order and output shape(s) of ``module`` on ``inputs``."""
    _, layers, output = traced_layers(module, inputs)
    outputs = output if isinstance(output, tuple) else (output,)
    return {
        "class": type(module).__name__,
        "n_params": sum(p.numel() for p in module.parameters()),
        "layers": layers,
        "output_shapes": [list(o.shape) if isinstance(o, torch.Tensor) else None for o in outputs],
    }


def run_with_weights(module: nn.Module, inputs: torch.Tensor, weights: list[list[torch.Tensor]]) -> torch.Tensor:
    """Load ``weights`` (per weighted layer in call order: [weight, bias]) into ``module`` and run it.

    This tests the computation the class performs, whatever its attribute names: with identical
    weights, a correct class gives the reference's outputs.
    """
    layers = weighted_layers(module, inputs)
    if len(layers) != len(weights):
        raise ValueError(f"forward uses {len(layers)} convolution/linear layers, the reference {len(weights)}")
    with torch.no_grad():
        for position, (layer, tensors) in enumerate(zip(layers, weights)):
            params = [layer.weight, layer.bias]
            for param, value in zip(params, tensors):
                if param is None or param.shape != value.shape:
                    found = None if param is None else tuple(param.shape)
                    raise ValueError(f"layer {position + 1} in call order has a parameter of shape {found}, "
                                     f"the reference {tuple(value.shape)}")
                param.copy_(value)
        return module(inputs)


def reference_weights(module: nn.Module, inputs: torch.Tensor, seed: int) -> list[list[torch.Tensor]]:
    """Freshly initialised weights for ``module``'s weighted layers, in call order (never trained ones)."""
    layers = weighted_layers(reset_weighted(module, seed), inputs)
    return [[layer.weight.detach().clone(), layer.bias.detach().clone()] for layer in layers]


def class_probe(class_name: str, args: tuple, input_key: str, weights_key: str):
    """A probe describing ``class_name(*args)`` on ``inputs[input_key]``, and its output with the fixed weights
    ``inputs["weights"][weights_key]`` (see ``run_with_weights``)."""
    def probe(ns, inputs, _):
        module = ns[class_name](*args).eval()
        answer = describe_module(module, inputs[input_key])
        try:  # weights that do not fit must not hide the description the layer checks read
            answer["same_weights_output"] = run_with_weights(module, inputs[input_key], inputs["weights"][weights_key])
        except Exception as error:
            answer["same_weights_output"] = {"error": describe_error(error)}
        return answer
    return probe


def instance_probe(name: str, class_name: str):
    """A probe saying whether the notebook's ``name`` is an instance of its ``class_name``."""
    def probe(ns, inputs, _):
        obj = ns[name]
        return {"class": type(obj).__name__, "is_instance": isinstance(obj, ns[class_name])}
    return probe


def describe_loader(loader) -> dict:
    """A DataLoader's settings and dataset, as plain values."""
    dataset = loader.dataset
    return {
        "class": type(loader).__name__,
        "batch_size": loader.batch_size,
        "sampler": type(loader.sampler).__name__,
        "dataset_class": type(dataset).__name__,
        "dataset_len": len(dataset),
        "dataset_train": getattr(dataset, "train", None),
    }


def read_state(path) -> dict:
    """A weight file's state_dict, read without unpickling code; the errors name the file and what to do."""
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} is not in the submission: the training cell saves it; submit it "
                                "next to the notebook")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        if "Weights only load failed" in str(error):
            raise ValueError(f"{path.name} holds a pickled object, not just tensors: save it with "
                             "torch.save(model.state_dict(), ...)") from None
        raise ValueError(f"{path.name} is not a readable PyTorch weight file ({type(error).__name__})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path.name} holds a {type(state).__name__} of other things than tensors, not a "
                         "state_dict: save model.state_dict()")
    return state


def load_weights(module: nn.Module, path) -> nn.Module:
    """The weights of file ``path`` (or the grader's fitted tensors of that file, see ``FITTED``) in ``module``; the
    errors name the file and what does not fit."""
    fitted = FITTED.get()
    if fitted is not None and path.name not in fitted:  # the grader measures the files it fitted, nothing else
        raise FileNotFoundError(f"{path.name} is not among the weight files the grader fitted")
    state = read_state(path) if fitted is None else fitted[path.name]
    expected = module.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [f"{k} {tuple(state[k].shape)} (model: {tuple(v.shape)})" for k, v in expected.items()
             if k in state and state[k].shape != v.shape]
    if missing or unexpected or wrong:
        parts = [f"missing {', '.join(missing[:4])}" if missing else "",
                 f"unexpected {', '.join(unexpected[:4])}" if unexpected else "",
                 f"wrong shapes {', '.join(wrong[:3])}" if wrong else ""]
        raise ValueError(f"{path.name} does not fit your model ({'; '.join(p for p in parts if p)}): were these "
                         "weights saved from this model after training?")
    module.to(MEASURING_DEVICE.get()).load_state_dict(state)
    return module.eval()


def state_order(module: nn.Module, inputs: torch.Tensor) -> list[str]:
    """The keys of ``module``'s state_dict in the order its forward first calls the modules holding them (then
    the keys of modules forward never calls, as registered): how submitted tensors are matched to the
    reference's, whatever the attribute names and nn.Sequential layouts."""
    keys = list(module.state_dict())
    owner = {key: key.rpartition(".")[0] for key in keys}
    modules = dict(module.named_modules())
    called: list[str] = []
    names = {id(m): name for name, m in modules.items() if name in set(owner.values())}
    hooks = [modules[name].register_forward_pre_hook(lambda m, i: called.append(names[id(m)])) for name in set(names.values())]
    try:
        with torch.no_grad():
            module(inputs)
    finally:
        for hook in hooks:
            hook.remove()
    first = {name: position for position, name in reversed(list(enumerate(called)))}
    return sorted(keys, key=lambda key: first.get(owner[key], len(called)))


def layout_probe(attribute: str, input_key: str):
    """A probe answering ``state_order`` of the notebook's model ``attribute`` (a question about code only: the
    grader loads and measures the submitted weights itself)."""
    def probe(ns, inputs, _):
        return {"order": state_order(ns[attribute].cpu().eval(), inputs[input_key])}
    return probe


def _max_pool_2x2(x: torch.Tensor) -> torch.Tensor:
    """nn.MaxPool2d(2, 2) as three elementwise maxima: the same numbers, without the CPU kernel's indices, 4 to 5
    times faster in NCHW memory (one thread: 3 ms instead of 16 ms on 500 x 6 x 28 x 28)."""
    x = x[..., : x.shape[-2] // 2 * 2, : x.shape[-1] // 2 * 2]  # an odd last row or column is dropped, as it does
    return torch.maximum(torch.maximum(x[..., 0::2, 0::2], x[..., 0::2, 1::2]),
                         torch.maximum(x[..., 1::2, 0::2], x[..., 1::2, 1::2]))


@contextlib.contextmanager
def _quick_max_pools(module: nn.Module):
    """``module``'s plain 2x2, stride-2 max-pooling layers computed by ``_max_pool_2x2`` inside the block."""
    pools = [m for m in module.modules() if type(m) is nn.MaxPool2d and not m.ceil_mode and not m.return_indices
             and [_pair(m.kernel_size), _pair(m.stride or m.kernel_size), _pair(m.padding), _pair(m.dilation)]
             == [(2, 2), (2, 2), (0, 0), (1, 1)]]
    for pool in pools:
        pool.forward = _max_pool_2x2
    try:
        yield
    finally:
        for pool in pools:
            del pool.forward


def _flattened(module: nn.Module, images: torch.Tensor) -> list[nn.Module]:
    """The described layers a Linear follows in ``module``'s call order on ``images``: those whose output its forward
    flattens (with ``.view``, which NHWC memory cannot take)."""
    with torch.random.fork_rng(devices=[images.device] if images.is_cuda else []):  # a forward that samples draws
        called = traced_layers(module, images, in_nchw=True)[0]                      # the same numbers after it
    return [layer for layer, after in zip(called, called[1:])
            if isinstance(after, nn.Linear) and not isinstance(layer, nn.Linear)]


def batched(module, images, batch_size: int = 500, *, channels_last: bool = False):
    """``module``'s outputs on ``images``, ``batch_size`` at a time, its 2x2 max-pools computed without indices (the
    same numbers). ``channels_last``: the module and images in NHWC memory first, which mkldnn's CPU convolutions,
    pools and upsampling run faster (measured in the probes that ask for it); the output of each layer that forward
    flattens for a Linear comes back in NCHW memory, which ``.view`` needs."""
    hooks = []
    try:
        if channels_last:
            module.to(memory_format=torch.channels_last)
            if images.dim() == 4:
                images = images.contiguous(memory_format=torch.channels_last)
                hooks = [layer.register_forward_hook(lambda layer, args, output: output.contiguous())
                         for layer in _flattened(module, images[:1])]
        with torch.no_grad(), _quick_max_pools(module):
            outputs = [module(chunk) for chunk in images.split(batch_size)]
    finally:
        for hook in hooks:
            hook.remove()
        if channels_last:  # the module back in NCHW memory, also when its forward raised: in NHWC, a later forward
            module.to(memory_format=torch.contiguous_format)  # that flattens with .view fails
    if isinstance(outputs[0], tuple):
        return tuple(torch.cat(parts) for parts in zip(*outputs))
    return torch.cat(outputs)


def describe_error(error: BaseException) -> str:
    """One line naming the error and, for code from a notebook cell, the cell and line it happened on."""
    where = ""
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<cell "):
            where = f" ({tb.tb_frame.f_code.co_filename[1:-1]}, line {tb.tb_lineno})"
        tb = tb.tb_next
    if isinstance(error, SyntaxError):
        where = f" ({error.filename.strip('<>')}, line {error.lineno})" if error.filename else ""
        return f"SyntaxError: {error.msg}{where}"
    message = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}{where}" if message else f"{type(error).__name__}{where}"


class TimeLimit(BaseException):
    """Raised inside code that ran past its time limit (a BaseException, so `except Exception` cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str, stated: float | None = None):
    """Interrupt the block after ``seconds`` of wall time with TimeLimit (main thread only; None: no limit).

    ``stated``: the limit named in the message, when the block got only what was left of a larger one.
    """
    if not seconds:
        yield
        return

    def interrupt(signum, frame):
        raise TimeLimit(f"{what} ran longer than {stated or seconds:g} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def answer_all(plan: list, ns: dict, inputs: dict, weights_dir, *, with_weights: bool, seed: int,
               probe_timeout: float | None = None, device: str = "cpu", fitted: dict | None = None
               ) -> tuple[dict, dict]:
    """Every answer of ``plan``, a list of (probe name, function(ns, inputs, weights_dir), needs weight files):
    ``{"error": ...}`` where a probe raised (one failure never stops the others), and each probe's duration.
    ``device``: where ``load_weights`` puts models (``inputs`` must be there already); answers come back on the CPU.
    ``fitted``: tensors already read, by weight file name: ``load_weights`` takes them and reads no file."""
    answers, timings = {}, {}
    token, fitted_token = MEASURING_DEVICE.set(device), FITTED.set(fitted)
    try:
        for name, probe, needs_weights in plan:
            if needs_weights and not with_weights:
                continue
            torch.manual_seed(seed)  # the same random state before each probe, whatever ran before
            started = time.perf_counter()
            try:
                with time_limit(probe_timeout, "answering this probe"):
                    answers[name] = probe(ns, inputs, weights_dir)
            except (Exception, TimeLimit) as error:  # student code can raise anything
                answers[name] = {"error": describe_error(error)}
            timings[name] = time.perf_counter() - started
    finally:
        MEASURING_DEVICE.reset(token)
        FITTED.reset(fitted_token)
    return (answers if device == "cpu" else on_device(answers, "cpu")), timings
