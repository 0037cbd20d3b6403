"""What several checks share."""

import torch

from autograder.engine.grade.checks import CheckFailed, expect

# Said after a lost weight point: what usually causes it, without presuming which one it was.
CAUSES = ("the weights saved before training ended, fewer epochs or training images than the notebook's, a changed "
          "loss (BCE in place of the continuous Bernoulli, beta other than 1), optimiser or learning rate")


def beyond_the_pass_mark(measured: str, mark: str) -> str:
    """A lost weight point's message: what was measured, the pass mark, that the reference runs reach it, the
    usual causes (the tests check that every committed reference run passes every mark)."""
    return f"{measured}, {mark}, which every reference run of the solution reaches. Usual causes: {CAUSES}"


def as_tensor(value, what: str, shape: tuple | None = None) -> torch.Tensor:
    """A float tensor of the expected shape from a student's answer, or a failure saying what came instead."""
    if isinstance(value, dict) and "error" in value:
        raise CheckFailed(f"{what} failed: {value['error']}")
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        raise CheckFailed(f"{what} returned {type(value).__name__ if not isinstance(value, list) else value}, "
                          "expected a tensor of floats")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailed(f"{what} returned shape {tuple(value.shape)}, expected {tuple(shape)}")
    return value.detach().double()


def expect_close(found: torch.Tensor, expected: torch.Tensor, atol: float, what: str, hint: str) -> None:
    gap = (found - expected).abs().max().item()
    expect(gap <= atol, f"{what} differs from the reference by up to {gap:.3g} (tolerance {atol:g}); {hint}")
