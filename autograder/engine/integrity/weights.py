"""How alike two sets of weights are, for every pair at once, on tensors fitted onto the reference's keys.

The measure: for each tensor, the correlation of the two flattened tensors (each centred on its own mean, then
normalised: a cosine of the centred values), and for the model, the mean of those correlations weighted by each
tensor's number of values. Two independent training runs land near 0: hidden units come out in another order,
so the large tensors do not line up. A copy trained further from another's weights keeps them lined up. Weighting
by size keeps the small tensors out of the way (a 2-value bias correlates at +-1 by construction; an output
bias, whose units have a fixed meaning, correlates between independent runs too).

All pairs come from one matrix product per tensor over the normalised rows, never a loop over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch


@dataclass
class Similarity:
    """Pairwise similarity of ``n`` weight sets of one model."""

    keys: list[str]            # the tensors compared, in the reference's order
    sizes: torch.Tensor        # values per tensor, shape (L,)
    per_tensor: torch.Tensor   # correlations, shape (L, n, n)

    @cached_property
    def score(self) -> torch.Tensor:
        """The size-weighted mean over tensors, shape (n, n)."""
        weights = self.sizes / self.sizes.sum()
        return torch.einsum("l,lij->ij", weights, self.per_tensor)


def comparable_keys(states: list[dict]) -> list[str]:
    """Floating-point tensors of more than one value that every state holds with the same shape."""
    first = states[0]
    return [k for k, v in first.items() if v.is_floating_point() and v.numel() > 1
            and all(k in s and s[k].shape == v.shape for s in states)]


def similarity(states: list[dict]) -> Similarity:
    """Every pair's per-tensor correlation of ``states`` (fitted tensors of one model, same keys and shapes)."""
    keys = comparable_keys(states)
    blocks = []
    for key in keys:
        rows = torch.stack([s[key].reshape(-1).float() for s in states])
        rows = rows - rows.mean(dim=1, keepdim=True)
        rows = rows / rows.norm(dim=1, keepdim=True).clamp_min(1e-12)
        blocks.append((rows @ rows.T).clamp(-1, 1))
    sizes = torch.tensor([float(states[0][k].numel()) for k in keys])
    return Similarity(keys, sizes, torch.stack(blocks) if blocks else torch.zeros(0, len(states), len(states)))


def upper(matrix: torch.Tensor, rows: range, columns: range | None = None) -> torch.Tensor:
    """The values of ``matrix`` for every pair within ``rows`` (i < j), or between ``rows`` and ``columns``."""
    if columns is None:
        block = matrix[rows.start:rows.stop, rows.start:rows.stop]
        i, j = torch.triu_indices(len(rows), len(rows), offset=1)
        return block[i, j]
    return matrix[rows.start:rows.stop, columns.start:columns.stop].reshape(-1)


def threshold(*, independent: torch.Tensor, class_pairs: torch.Tensor, margin: float, ceiling: float,
              floor: float = float("-inf"), independent_what: str = "pairs of independent reference runs"
              ) -> tuple[float, str]:
    """The flag threshold and how it was set: the highest score of the independent pairs, or the class pairs'
    median (the bulk of a class works independently) when that is higher, plus ``margin``; at least ``floor``, and
    at most ``ceiling`` so that it can trigger whatever the class (nine of ten holding one file make the median a
    copy)."""
    top = float(independent.max()) if independent.numel() else float("-inf")
    bulk = float(class_pairs.median()) if class_pairs.numel() else float("-inf")
    base, source = ((top, f"the highest of {independent.numel()} {independent_what}, {top:.3f}") if top >= bulk else
                    (bulk, f"the median of the class's {class_pairs.numel()} pairs, {bulk:.3f}"))
    if base == float("-inf"):
        return ceiling, f"nothing to calibrate on: set at the ceiling, {ceiling:g}"
    cut, rule = base + margin, f"{source}, + {margin:g}"
    if cut < floor:
        cut, rule = floor, f"{rule}, raised to the floor {floor:g}"
    if cut > ceiling:
        cut, rule = ceiling, f"{rule}, lowered to the ceiling {ceiling:g} (the most similarity possible is 1)"
    return cut, rule
