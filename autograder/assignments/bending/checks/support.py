"""What the bending checks share: reading a student's answers defensively and comparing them with the reference's."""

from __future__ import annotations

import torch

from autograder.engine.grade.checks import CheckFailed, expect


def _kind(value) -> str:
    return "None (did the function return its result?)" if value is None else type(value).__name__


def as_tensor(value, what: str) -> torch.Tensor:
    """``value`` as a float tensor, or a failure saying what ``what`` returned instead."""
    if isinstance(value, dict) and isinstance(value.get("error"), str):
        raise CheckFailed(f"{what} failed: {value['error']}")
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(f"{what} returned {_kind(value)}, expected a tensor")
    if value.dtype == torch.bool:
        return value.float()
    expect(value.is_floating_point(), f"{what} returned a tensor of {value.dtype}, expected floats")
    return value.float()


def as_list(value, what: str) -> list:
    expect(isinstance(value, list), f"{what} returned {_kind(value)}, expected a list (or tuple)")
    return value


def as_dict(value, what: str) -> dict:
    expect(isinstance(value, dict), f"{what} returned {_kind(value)}, expected a dict")
    return value


def close(found, expected: torch.Tensor, atol: float, what: str, hint: str = "") -> None:
    """``found`` (an answer) equals the reference's tensor to ``atol``, with a message naming the call."""
    if isinstance(expected, (list, tuple)):  # a method returning several tensors (encode: mu, log_var)
        found = as_list(found, what)
        expect(len(found) == len(expected), f"{what} returned {len(found)} values, expected {len(expected)}")
        for position, (one, want) in enumerate(zip(found, expected)):
            close(one, want, atol, f"{what}[{position}]", hint)
        return
    found = as_tensor(found, what)
    expected = expected.float()
    expect(tuple(found.shape) == tuple(expected.shape),
           f"{what} has shape {tuple(found.shape)}, expected {tuple(expected.shape)}")
    expect(bool(torch.isfinite(found).all()) or not bool(torch.isfinite(expected).all()),
           f"{what} contains NaN or infinite values")
    gap = (found - expected).abs().max().item() if found.numel() else 0.0
    expect(gap <= atol, f"{what} differs from the reference by up to {gap:.3g} (tolerance {atol:g})"
                        + (f"; {hint}" if hint else ""))


def left_as_found(answer: dict, reference: dict, atol: float, what: str) -> None:
    """No hook left, every parameter and buffer bit-identical, the plain decode as before."""
    hooks = answer.get("hooks_left")
    expect(hooks == 0, f"{what} left {hooks} hook(s) on the model: keep each handle that register_forward_hook "
                       "returns and call handle.remove() before returning (in a `finally:` block)")
    changed, n_changed = answer.get("changed"), answer.get("n_changed")
    expect(n_changed == 0 and changed == [],
           f"{what} left {n_changed} parameter(s) or buffer(s) not bit-identical to their values before the call, "
           f"or a module in training mode (e.g. {', '.join(map(str, (changed or [])[:3]))}): save copies and copy "
           "them back, or use torch.func.functional_call; undoing a change by the inverse operation is not exact")
    close(answer.get("plain_after"), reference["plain_after"], 0.0, f"the model's decode after {what}")


def after_the_main_answer(compare, what: str) -> None:
    """A secondary point (no hook left, the model restored) is earned only with the function's main output right:
    a blank, crashing or do-nothing function, or one returning anything but the answer, leaves the model alone too.
    ``compare`` raises ``CheckFailed`` when the main output is wrong."""
    try:
        compare()
    except CheckFailed as failure:
        raise CheckFailed(f"{what} counts only once the function's outputs are right, and they are not: {failure}") \
            from None


def left_as_found_when_it_raises(answer: dict, reference: dict, call: str) -> None:
    """Cleanup in a ``finally:`` block: after a call in which the model's method raised (a code one column short),
    no hook is left and the parameters are back, as after a call that returns."""
    raising = answer.get("raising")
    expect(isinstance(raising, dict), f"{call} was not answered")
    left_as_found(raising, reference["raising"], 0.0, f"{call} (a call in which the model raised an error)")


def without_gradients(answer: dict, what: str) -> None:
    """The notebook asks for every output computed without gradients (a tensor that records them holds the graph)."""
    expect(answer.get("records_gradients") is False,
           f"{what} returned tensors that record gradients: compute inside `with torch.no_grad():`")
