"""feedback.html: the scores and messages of feedback.md, with pictures of the student's own models under the
checks they explain, drawn by the grader.

An assignment declares its pictures in ``figures.py`` (``FIGURES``, a list of ``Figure``); this module draws them
in the grading worker, from what the grader computed itself (the weight probes' answers and the reference's
model classes holding the submitted tensors), and writes one self-contained page: every image is a PNG data
URI, there is no script, stylesheet or font to fetch, so it opens offline. A figure that fails to draw is left
out with a one-line note; drawing never changes a score.
"""

from __future__ import annotations

import base64
import html
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch

from autograder.engine.grade.drawing import png


@dataclass(frozen=True)
class Figure:
    """One picture an assignment shows: under the check ``check`` (a check function's name), titled ``title``,
    drawn by ``draw(view)``, which returns a picture (an array of pixels, made with ``drawing``'s helpers; see
    ``drawing.png``), or a picture and a caption added to the title (what the picture found); ``show_reference``: the reference solution's picture of the same kind is shown
    beside the student's (only where that reveals no answer); ``models``: the models whose submitted weights it
    needs (it is left out, with a note, when one did not load)."""

    check: str
    title: str
    draw: Callable[["View"], object]
    show_reference: bool
    models: tuple[str, ...] = ()


@dataclass
class View:
    """What a draw function may read: ``measured``, the weight probes' answers computed by the grader from the
    weights; ``answers``, what the notebook's own process answered (untrusted: fine to show, never scored);
    ``inputs``, the fixed probe inputs; ``namespace``, the reference solution's definitions; ``model(name)``,
    the reference's model holding the weights (the submitted ones, or the reference's own)."""

    whose: str  # "yours" or "reference", for titles
    measured: dict
    answers: dict
    inputs: dict
    namespace: dict
    states: dict = field(repr=False)
    trusted: object = field(repr=False)

    def model(self, name: str) -> torch.nn.Module:
        return self.trusted.model(name, self.states[name])


@dataclass(frozen=True)
class Picture:
    """A drawn figure (``png``), or why it is not there (``note``); ``whose``: "yours" or "reference"."""

    check: str
    title: str
    whose: str
    png: bytes | None = None
    note: str = ""
    caption: str = ""


def draw(figure: Figure, view: View, *, unavailable: dict[str, str]) -> Picture:
    """``figure`` drawn from ``view``, or a Picture holding the one-line reason it could not be; ``unavailable``:
    why each model without weights in ``view`` has none."""
    if missing := [unavailable.get(name, name) for name in figure.models if name not in view.states]:
        return Picture(figure.check, figure.title, view.whose, note=f"not drawn: {'; '.join(missing)}")
    try:
        with torch.no_grad():
            drawn = figure.draw(view)
        drawn, caption = drawn if isinstance(drawn, tuple) else (drawn, "")
        return Picture(figure.check, figure.title, view.whose, png(drawn), caption=caption)
    except Exception as error:  # a picture is a courtesy: whatever fails here must not cost the grading
        reason = (f"nothing to draw ({error.args[0]} is missing)" if isinstance(error, KeyError) and error.args
                  else str(error).splitlines()[0][:200] if str(error) else type(error).__name__)
        return Picture(figure.check, figure.title, view.whose, note=f"not drawn: {reason}")


def cached_pictures(path: Path, draw_them: Callable[[], list[Picture]]) -> list[Picture]:
    """The pictures stored in ``path`` (JSON, PNGs in base64), or ``draw_them()``'s, stored there for the next
    process: the reference's pictures are the same for every grading, and drawing them costs a cold start about
    2 s (measuring the reference's weights, then matplotlib). A file that cannot be read is drawn again."""
    try:
        stored = json.loads(path.read_text())
        return [Picture(**{**item, "png": base64.b64decode(item["png"]) if item["png"] else None}) for item in stored]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    pictures = draw_them()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # the cache: closed to others, as the probe inputs
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # workers may draw them at the same time
    partial.write_text(json.dumps([{**asdict(p), "png": base64.b64encode(p.png).decode("ascii") if p.png else None}
                                   for p in pictures]))
    partial.replace(path)
    return pictures


def draw_all(figures: list[Figure], yours: View, *, unavailable: dict[str, str],
             reference: Callable[[Figure], Picture]) -> list[Picture]:
    """Every figure drawn from ``yours``, each followed by the reference's (``reference(figure)``, drawn once per
    worker by the caller) where the figure shows it and it could be drawn."""
    pictures = []
    for figure in figures:
        pictures.append(draw(figure, yours, unavailable=unavailable))
        if figure.show_reference and (theirs := reference(figure)).png is not None:
            pictures.append(theirs)
    return pictures


def data_uri(picture: Picture) -> str:
    return "data:image/png;base64," + base64.b64encode(picture.png).decode("ascii")


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 62rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #1d1d1f; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.8rem 0; } td, th { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem;
       text-align: left; vertical-align: top; }
.passed { color: #1a7f37; } .lost { color: #b42318; font-weight: 600; }
.check { border-left: 4px solid #ccc; padding: 0.2rem 0 0.4rem 0.8rem; margin: 1.2rem 0; }
.check.lost-check { border-color: #b42318; } .check.passed-check { border-color: #1a7f37; }
.check h3 { font-size: 1rem; margin: 0.2rem 0; } .message { white-space: pre-wrap; margin: 0.3rem 0; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 0.5rem; }
figure { margin: 0; } figcaption { font-size: 0.8rem; color: #555; max-width: 26rem; }
img { display: block; max-width: 100%; height: auto; border: 1px solid #eee; }
.note { font-size: 0.85rem; color: #555; font-style: italic; }
"""


def _figures_html(pictures: list[Picture]) -> str:
    """The notes on pictures that could not be drawn, then the pictures side by side, each captioned."""
    parts = [f'<p class="note">Your model, {html.escape(p.title)}: {html.escape(p.note)}</p>'
             for p in pictures if p.png is None]
    items = []
    for p in (p for p in pictures if p.png is not None):
        caption = f"{'Your model' if p.whose == 'yours' else 'The reference solution'}: {p.title}" + (
            f" ({p.caption})" if p.caption else "")
        items.append(f'<figure><img src="{data_uri(p)}" alt="{html.escape(caption)}">'
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    if items:
        parts.append(f'<div class="figures">{"".join(items)}</div>')
    return "".join(parts)


def feedback_html(result, *, assignment, manual: list[dict]) -> str:
    """The page: score, table of checks, then each check with a message or pictures (linked from the table),
    the notes, and the written answers still to be graded. Every text is escaped (messages quote the
    student's code and errors)."""
    e = html.escape
    title = f"{assignment.settings.title} feedback: {result.submission}"
    by_check: dict[str, list[Picture]] = {}
    for picture in result.pictures:
        by_check.setdefault(picture.check, []).append(picture)
    body = [f"<h1>{e(title)}</h1>", f"<p><strong>Autograded score: {result.score:g} / {result.max_score:g}</strong></p>"]
    if result.error:
        body.append(f'<p class="lost">{e(result.error)}</p>')
    # a section for each check with something to say (a message to act on, or pictures), linked from the table
    sections, rows = {}, []
    for index, check in enumerate(result.checks):
        passed = check.score == check.max_score
        message = check.message if not passed and not result.error else ""
        pictures = by_check.pop(check.name, [])
        if message or pictures:
            sections[index] = (f'<section class="check {"passed" if passed else "lost"}-check" id="check-{index + 1}">'
                               f'<h3>{e(check.title)} <span class="{"passed" if passed else "lost"}">'
                               f"({check.score:g} / {check.max_score:g}, cell <code>{e(check.cell)}</code>)</span></h3>"
                               + (f'<p class="message">{e(message)}</p>' if message else "")
                               + _figures_html(pictures) + "</section>")
        name = f'<a href="#check-{index + 1}">{e(check.title)}</a>' if index in sections else e(check.title)
        rows.append(f'<tr><td class="{"passed" if passed else "lost"}">{"passed" if passed else "lost"}</td>'
                    f"<td>{name}</td><td>{check.score:g} / {check.max_score:g}</td></tr>")
    body.append("<table><tr><th></th><th>check</th><th>points</th></tr>" + "".join(rows) + "</table>")
    if sections:
        body.append("<h2>What the checks found</h2>" + "".join(sections.values()))
    leftover = [p for pictures in by_check.values() for p in pictures]  # a figure under a check that did not run
    if leftover:
        body.append("<h2>Pictures</h2>" + _figures_html(leftover))
    if result.notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(note)}</li>" for note in result.notes) + "</ul>")
    body.append(f"<p>The written answers ({e(', '.join(i['cell'] for i in manual))}; "
                f"{sum(i['points'] for i in manual):g} points) are graded by the course staff.</p>")
    if result.pictures:
        body.append('<p class="note">The grader drew every picture: those of your trained models from the weight '
                    "files you submitted, loaded into the homework's own model classes, on fixed test images; those "
                    "of what your notebook's functions returned, in your notebook's own process, say so.</p>")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def gradescope_html(text: str, *, pictures: list[Picture], checks: list) -> str:
    """Gradescope's top-level output as HTML: the text escaped, then the student's own pictures under their
    checks' titles (the reference's are in feedback.html; Gradescope's output is kept short)."""
    titles = {check.name: check.title for check in checks}
    parts = [f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line]
    for picture in pictures:
        if picture.whose == "yours" and picture.png is not None:
            parts.append(f"<p><strong>{html.escape(titles.get(picture.check, picture.check))}</strong>: "
                         f"{html.escape(picture.title)}</p>"
                         f'<img src="{data_uri(picture)}" alt="{html.escape(picture.title)} (your model)">')
    return "".join(parts)
