"""Pictures the assignments' feedback figures share: rows and grids of images, a 2-D latent space, a confusion
matrix, panels of 2-D embeddings, and ``png`` that encodes them.

Built for speed (every submission pays for its pictures, and a matplotlib figure with its ticks and texts costs
0.1 to 0.2 s to draw): every picture is an array of pixels encoded by PIL. What does not depend on the submission
(axes, ticks, the prior's circles, the colour legend) is drawn once per process by matplotlib into a ``Frame``,
and each submission's points or counts are painted into a copy of its pixels: a few milliseconds a picture.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from matplotlib.figure import Figure

DIGIT_COLOURS = "tab10"  # one colour per digit, the same in every scatter


DPI = 100  # a frame of 3 by 3 inches is 300 pixels square, its 7-point tick labels 10 pixels high


def png(image: np.ndarray) -> bytes:
    """A picture as PNG bytes: a grey image (2-D, in [0, 1], 1 for ink) or an RGB(A) one (3-D, uint8)."""
    from PIL import Image

    buffer = io.BytesIO()
    if image.ndim == 2:
        # 16 grey levels: decoded digits are smooth, and 16 levels compress far better than 256
        levels = np.round((1 - np.clip(image, 0, 1)) * 15).astype(np.uint8) * 17
        Image.fromarray(levels, mode="L").save(buffer, format="png")
    else:
        Image.fromarray(np.ascontiguousarray(image[..., :3])).save(buffer, format="png")
    return buffer.getvalue()


def montage(images: torch.Tensor, *, columns: int, gap: int = 1, scale: int = 1) -> np.ndarray:
    """(N, 1, H, W) or (N, H, W) images in [0, 1] in a grid ``columns`` wide, ``gap`` pixels of white between
    them, each pixel repeated ``scale`` times each way (a 28-pixel digit is small on a screen)."""
    images = images.detach().float().reshape(len(images), *images.shape[-2:]).clamp(0, 1).numpy()
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    rows = math.ceil(len(images) / columns)
    height, width = images.shape[1:]
    grid = np.zeros((rows * (height + gap) - gap, columns * (width + gap) - gap), dtype=np.float32)
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        grid[top:top + height, left:left + width] = image
    return grid


def image_rows(rows: list[torch.Tensor], *, scale: int = 2) -> np.ndarray:
    """Rows of images as one picture, all as long as the first (e.g. test digits above their reconstructions);
    what each row holds goes in the caption."""
    columns = len(rows[0])
    return montage(torch.cat([images[:columns] for images in rows]), columns=columns, gap=2 * scale, scale=scale)


def one_of_each(labels: torch.Tensor, digits: int = 8) -> torch.Tensor:
    """The index of the first image of each digit 0 .. digits - 1: fixed digits, all different."""
    return torch.stack([(labels == digit).nonzero()[0, 0] for digit in range(digits)])


def is_images(value, count: int | None = None) -> bool:
    """Whether ``value`` (an answer, perhaps a student's) is a float tensor of (N, 1, 28, 28) finite images."""
    return (isinstance(value, torch.Tensor) and value.is_floating_point() and value.dim() == 4
            and tuple(value.shape[1:]) == (1, 28, 28) and (count is None or len(value) == count)
            and bool(torch.isfinite(value).all()))


@dataclass(frozen=True)
class Frame:
    """A picture's fixed part, drawn once: its RGBA pixels, each axes' box in them (left, top, right, bottom;
    pixels) with the data limits it shows (x low, x high, y low, y high), and the pixels (a boolean mask) that
    lie above the data, such as the prior's circles, put back over it by ``finish``."""

    pixels: np.ndarray
    boxes: tuple[tuple[int, int, int, int], ...]
    limits: tuple[tuple[float, float, float, float], ...]
    above: np.ndarray | None = None

    def copy(self) -> np.ndarray:
        return self.pixels.copy()

    def finish(self, pixels: np.ndarray) -> np.ndarray:
        if self.above is not None:
            pixels[self.above] = self.pixels[self.above]
        return pixels


def _frame(figure: Figure, axes: list) -> Frame:
    """The figure drawn, with where each of ``axes`` lies in its pixels."""
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba()).copy()
    height = pixels.shape[0]
    boxes, limits = [], []
    for ax in axes:
        x0, y0, x1, y1 = ax.get_window_extent().extents
        boxes.append((math.ceil(x0) + 1, math.ceil(height - y1) + 1, math.floor(x1) - 1, math.floor(height - y0) - 1))
        limits.append((*ax.get_xlim(), *ax.get_ylim()))
    return Frame(pixels, tuple(boxes), tuple(limits))


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _digit_colours() -> np.ndarray:
    """The RGBA colour (uint8) of each digit 0..9, as matplotlib's tab10 draws them."""
    from matplotlib import colormaps

    return (colormaps[DIGIT_COLOURS](np.arange(10)) * 255).round().astype(np.uint8)


def _legend(figure: Figure, top: float) -> None:
    """The digits 0 to 9 written in their colours, in one row across the figure's top."""
    for digit, colour in enumerate(_digit_colours() / 255):
        figure.text(0.1 + 0.085 * digit, top, str(digit), color=colour, fontsize=9, fontweight="bold", ha="center")


def paint_points(pixels: np.ndarray, frame: Frame, index: int, points: np.ndarray, labels: np.ndarray, *,
                 radius: int = 1) -> None:
    """Each point drawn as a square of side 2 * radius + 1 in its digit's colour into axes ``index`` of a copy
    of ``frame`` (``pixels``); points outside the axes' limits, or not finite, are left out."""
    finite = np.isfinite(points).all(axis=1)
    points, labels = points[finite], labels[finite]
    left, top, right, bottom = frame.boxes[index]
    x0, x1, y0, y1 = frame.limits[index]
    columns = np.round(left + (points[:, 0] - x0) / (x1 - x0) * (right - left)).astype(np.int64)
    rows = np.round(bottom - (points[:, 1] - y0) / (y1 - y0) * (bottom - top)).astype(np.int64)
    colours = _digit_colours()[labels.astype(np.int64) % 10]
    inside = (columns >= left + radius) & (columns <= right - radius) & (rows >= top + radius) & (rows <= bottom - radius)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            pixels[rows[inside] + dy, columns[inside] + dx] = colours[inside]


# the latent frames' half-widths: the smallest that holds every code is used (a few frames, each drawn once per
# process); codes beyond the largest are counted in the caption
LATENT_LIMITS = (4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0)


@cache
def _latent_frame(limit: float, circles: tuple) -> Frame:
    figure = _new_figure(3.2, 3.3)
    ax = figure.add_axes((0.17, 0.14, 0.79, 0.74))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ticks = [-limit / 2, 0, limit / 2]
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.tick_params(labelsize=7)
    ax.set_xlabel("latent dimension 1", fontsize=8, labelpad=2)
    ax.set_ylabel("latent dimension 2", fontsize=8, labelpad=2)
    _legend(figure, 0.92)
    bare = _frame(figure, [ax])
    angles = np.linspace(0, 2 * np.pi, 120)
    for radius in circles:
        ax.plot(radius * np.cos(angles), radius * np.sin(angles), color="black", linewidth=1.2,
                linestyle="-" if radius == circles[0] else "--")
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    drawn = _frame(figure, [ax])
    # the circles (what the picture is judged by) and the axes' frame stay above the points
    return Frame(drawn.pixels, drawn.boxes, drawn.limits, above=(drawn.pixels != bare.pixels).any(axis=2))


def latent_scatter(codes: torch.Tensor, labels: torch.Tensor, *, prior_circles: tuple = (1, 2)) -> tuple[np.ndarray, str]:
    """2-D codes coloured by digit (the colours named across the top), under the standard normal prior's
    circles of radius ``prior_circles`` (1 sigma solid, the others dashed), in the smallest of ``LATENT_LIMITS``
    that holds every code (the ticks say which); the caption says how many codes lie outside the largest, and
    how many are not finite."""
    points = codes.detach().double().numpy()
    finite = np.isfinite(points).all(axis=1)
    extent = float(np.abs(points[finite]).max()) if finite.any() else 0.0
    # 2% of margin: a code on the frame's edge would be painted over the axes' line (and left out)
    limit = next((limit for limit in LATENT_LIMITS if extent < limit * 0.98), LATENT_LIMITS[-1])
    frame = _latent_frame(limit, tuple(prior_circles))
    pixels = frame.copy()
    paint_points(pixels, frame, 0, points, labels.numpy())
    frame.finish(pixels)
    outside = int((np.abs(points[finite]) >= limit * 0.98).any(axis=1).sum())
    notes = [f"{outside:,} of the {len(points):,} codes lie outside this frame" if outside else "",
             f"{int((~finite).sum()):,} codes are not finite numbers" if not finite.all() else ""]
    return pixels, "; ".join(note for note in notes if note)


@cache
def _matrix_frame() -> Frame:
    figure = _new_figure(2.9, 2.9)
    ax = figure.add_axes((0.15, 0.15, 0.8, 0.8))
    ax.imshow(np.zeros((10, 10)), cmap="Greys", vmin=0, vmax=1)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.tick_params(labelsize=7, length=0, pad=2)
    ax.set_xlabel("predicted digit", fontsize=8, labelpad=2)
    ax.set_ylabel("true digit", fontsize=8, labelpad=2)
    return _frame(figure, [ax])


def confusion_matrix(scores: torch.Tensor, labels: torch.Tensor, *, listed: int = 4) -> tuple[np.ndarray, str]:
    """Counts of (true digit, predicted digit) from class scores on a logarithmic blue scale (the diagonal holds
    hundreds, the mistakes a handful, and both should show); the caption gives the accuracy and the ``listed``
    most frequent mistakes."""
    from matplotlib import colormaps

    predicted = scores.argmax(dim=1)
    counts = torch.zeros(10, 10, dtype=torch.long)
    counts.index_put_((labels.long(), predicted), torch.ones_like(labels, dtype=torch.long), accumulate=True)
    shade = np.log1p(counts.numpy()) / max(np.log1p(counts.numpy()).max(), 1e-9)
    cells = (colormaps["Blues"](shade) * 255).round().astype(np.uint8)
    frame = _matrix_frame()
    pixels = frame.copy()
    left, top, right, bottom = frame.boxes[0]
    edges_x = np.linspace(left, right + 1, 11).round().astype(int)
    edges_y = np.linspace(top, bottom + 1, 11).round().astype(int)
    for row in range(10):
        for column in range(10):
            pixels[edges_y[row]:edges_y[row + 1], edges_x[column]:edges_x[column + 1]] = cells[row, column]
    mistakes = counts.clone().fill_diagonal_(0)
    worst = [divmod(i, 10) for i in mistakes.flatten().argsort(descending=True)[:listed].tolist()]
    accuracy = (predicted == labels).double().mean().item()
    listed_text = ", ".join(f"{t} read as {p} ({int(mistakes[t, p])})" for t, p in worst if mistakes[t, p])
    return pixels, (f"{accuracy:.2%} of {len(labels):,} test images right"
                    + (f"; most frequent mistakes: {listed_text}" if listed_text else ""))


@cache
def _panels_frame(names: tuple[str, ...], columns: int, axis_names: tuple[str, str]) -> Frame:
    rows = math.ceil(len(names) / columns)
    figure = _new_figure(1.7 * columns, 1.75 * rows + 0.35)
    axes = []
    for index, name in enumerate(names):
        ax = figure.add_subplot(rows, columns, index + 1)
        ax.set_title(name, fontsize=8, pad=2)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(axis_names[0], fontsize=7, labelpad=1)
        ax.set_ylabel(axis_names[1], fontsize=7, labelpad=1)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        axes.append(ax)
    figure.subplots_adjust(left=0.05, right=0.98, bottom=0.1 / rows, top=1 - 0.45 / figure.get_figheight(),
                           wspace=0.14, hspace=0.3)
    _legend(figure, 1 - 0.25 / figure.get_figheight())
    return _frame(figure, axes)


def embedding_panels(panels: list[tuple[str, torch.Tensor]], labels: torch.Tensor, *, axis_names: tuple[str, str],
                     columns: int = 4) -> np.ndarray:
    """One scatter per (name, (N, 2) points) pair, every point coloured by its digit (the colours named across
    the top), each panel scaled to hold all its own points, its axes named ``axis_names``."""
    frame = _panels_frame(tuple(name for name, _ in panels), columns, tuple(axis_names))
    pixels = frame.copy()
    digits = labels.numpy()
    for index, (_, points) in enumerate(panels):
        points = points.detach().double().numpy()
        finite = points[np.isfinite(points).all(axis=1)]
        low, high = (finite.min(axis=0), finite.max(axis=0)) if len(finite) else (np.zeros(2), np.ones(2))
        spread = np.where(high > low, high - low, 1.0)
        paint_points(pixels, frame, index, 0.04 + 0.92 * (points - low) / spread, digits)
    return pixels


def pca(points: torch.Tensor, dimensions: int = 2) -> torch.Tensor:
    """The points projected on their first principal axes (deterministic: no random start as in t-SNE).

    Through the N x N Gram matrix: a layer's activations have far more features (h1: 11,520) than the few
    hundred points drawn, and one product and a small eigendecomposition cost a tenth of an SVD of the data.
    """
    flat = points.detach().float().flatten(1)
    centred = flat - flat.mean(dim=0)
    values, vectors = torch.linalg.eigh((centred @ centred.T).double())
    top = values.flip(0)[:dimensions].clamp(min=0)
    projected = vectors.flip(1)[:, :dimensions] * top.sqrt()
    # fix each axis's sign (an eigenvector's is arbitrary), so that the same weights always give the same picture
    signs = torch.sign(projected.gather(0, projected.abs().argmax(dim=0, keepdim=True)))
    return projected * torch.where(signs == 0, 1.0, signs)
