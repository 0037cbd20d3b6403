"""feedback.html: what feedback.md says (report.StudentFeedback: the total, what to fix first, every check in the
notebook's words), with pictures of the student's own work under the checks they explain, drawn by the grader.

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
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch

from autograder.engine.grade.cache_key import store
from autograder.engine.grade.drawing import png


@dataclass(frozen=True)
class Figure:
    """One picture an assignment shows: under the check ``check`` (a check function's name), titled ``title``,
    drawn by ``draw(view)``, which returns a picture (an array of pixels, made with ``drawing``'s helpers; see
    ``drawing.png``), or a picture and a caption added to the title (what the picture found); ``show_reference``: the reference solution's picture of the same kind is shown
    beside the student's (only where that reveals no answer); ``models``: the models whose submitted weights it
    needs (it is left out, with a note, when one did not load); ``yours`` and ``reference``: what each picture
    shows ran on what ("Your functions on the course's VAE"), the start of its caption."""

    check: str
    title: str
    draw: Callable[["View"], object]
    show_reference: bool
    models: tuple[str, ...] = ()
    yours: str = "Your trained model"  # what ran on what, in the student's picture's caption
    reference: str = "The reference solution"  # the same for the reference's picture


def weights_in(model: str, weight_file: str) -> dict:
    """A Figure's ``yours`` and ``reference`` for a picture of trained weights: the submitted ``weight_file`` (or the
    reference's weights) in the course's own ``model`` (plain words, such as "dense VAE")."""
    return {"yours": f"Your {weight_file} in the course's {model}",
            "reference": f"The reference solution's weights in the course's {model}"}


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
    label: str = ""  # what ran on what: the figure's ``yours`` or ``reference``


def draw(figure: Figure, view: View, *, unavailable: dict[str, str]) -> Picture:
    """``figure`` drawn from ``view``, or a Picture holding the one-line reason it could not be; ``unavailable``:
    why each model without weights in ``view`` has none."""
    label = figure.yours if view.whose == "yours" else figure.reference
    if missing := [unavailable.get(name, name) for name in figure.models if name not in view.states]:
        return Picture(figure.check, figure.title, view.whose, note=f"not drawn: {'; '.join(missing)}", label=label)
    try:
        with torch.no_grad():
            drawn = figure.draw(view)
        drawn, caption = drawn if isinstance(drawn, tuple) else (drawn, "")
        return Picture(figure.check, figure.title, view.whose, png(drawn), caption=caption, label=label)
    except Exception as error:  # a picture is a courtesy: whatever fails here must not cost the grading
        reason = (f"nothing to draw ({error.args[0]} is missing)" if isinstance(error, KeyError) and error.args
                  else str(error).splitlines()[0][:200] if str(error) else type(error).__name__)
        return Picture(figure.check, figure.title, view.whose, note=f"not drawn: {reason}", label=label)


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
    stored = json.dumps([{**asdict(p), "png": base64.b64encode(p.png).decode("ascii") if p.png else None}
                         for p in pictures])
    store(path, lambda partial: partial.write_text(stored))
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
.total { font-size: 1.2rem; }
ol.fix li, ul.fix li { margin: 0.35rem 0; } ul.waiting { margin: 0.2rem 0; color: #555; }
.passed { color: #1a7f37; } .lost { color: #b42318; font-weight: 600; }
.check { border-left: 4px solid #ccc; padding: 0.2rem 0 0.4rem 0.8rem; margin: 1.2rem 0; }
.check.lost-check { border-color: #b42318; } .check.passed-check { border-color: #1a7f37; }
.check h3 { font-size: 1rem; margin: 0.2rem 0; } .where { font-size: 0.85rem; color: #555; margin: 0; }
.message { white-space: pre-wrap; margin: 0.3rem 0; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 0.5rem; }
figure { margin: 0; width: min-content; min-width: 14rem; max-width: 100%; overflow-x: auto; }
figcaption { font-size: 0.8rem; color: #555; }
ul.passed-list { columns: 2 20rem; padding-left: 1.2rem; font-size: 0.9rem; } ul.passed-list li { break-inside: avoid; }
img { display: block; max-width: none; border: 1px solid #eee; }
.note { font-size: 0.85rem; color: #555; font-style: italic; } code { overflow-wrap: anywhere; }
"""


def marked(text: str) -> str:
    """``text`` escaped, its `backquoted` spans (the student's code, a stub) set as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _caption(p: Picture) -> str:
    return f"{p.label or ('Your submission' if p.whose == 'yours' else 'The reference solution')}: {p.title}" + (
        f" ({p.caption})" if p.caption else "")


def figures_html(pictures: list[Picture]) -> str:
    """The notes on pictures that could not be drawn, then the pictures side by side (at their own size: a
    narrow screen scrolls a wide one rather than shrinking its digits), each captioned with what ran on what."""
    e = html.escape
    parts = [f'<p class="note">Not drawn from your submission ({e(p.title)}): {e(p.note.removeprefix("not drawn: "))}'
             "</p>" for p in pictures if p.png is None]
    items = [f'<figure><img src="{data_uri(p)}" alt="{e(_caption(p))}"><figcaption>{e(_caption(p))}</figcaption>'
             "</figure>" for p in pictures if p.png is not None]
    if items:
        parts.append(f'<div class="figures">{"".join(items)}</div>')
    return "".join(parts)


def _title(check, linked: bool) -> str:
    title = html.escape(check.title)
    return f'<a href="#check-{check.name}">{title}</a>' if linked else title


def _points(check) -> str:
    return f"{check.score:g} / {check.max_score:g}"


def feedback_html(feedback) -> str:
    """The page (``feedback``: report.StudentFeedback): the total, what to fix in the notebook's order (each a
    link to its section, one line each; an unfilled cell once, with the checks waiting on it), the passed checks,
    then every check with its message and pictures, the notes, the written answers and what was graded. Every
    text is escaped (messages quote the student's code and errors)."""
    from autograder.engine.grade.report import Unfilled, capitalised, provenance

    e, result = html.escape, feedback.result
    body = [f"<h1>{e(feedback.title)}</h1>",
            f'<p class="total"><strong>Autograded score: {_points(result)}</strong></p>']
    if result.error:
        body.append(f'<p class="lost">{e(result.error)}</p>')
    elif feedback.unfilled or feedback.lost:
        pictured = {picture.check for picture in result.pictures}
        items = []
        for item in feedback.to_fix():
            if isinstance(item, Unfilled):
                waiting = "".join(f"<li>{_title(c, c.name in pictured)} ({_points(c)})</li>" for c in item.checks)
                items.append(f"<li><strong>{marked(item.sentence)}.</strong> {item.waiting}:"
                             f'<ul class="waiting">{waiting}</ul></li>')
            else:
                check = item.check
                items.append(f"<li><strong>{_title(check, True)}</strong> "
                             f'<span class="lost">({_points(check)})</span>, in {e(feedback.cell(check.cell))}: '
                             f"{marked(item.message)}</li>")
        body.append(f'<h2>What to fix</h2><ol class="fix">{"".join(items)}</ol>')
    by_check: dict[str, list[Picture]] = {}
    for picture in result.pictures:
        by_check.setdefault(picture.check, []).append(picture)
    # a section for each lost check and each check with pictures, linked from the lists above; a check waiting on an
    # unfilled cell has one only for its pictures (the cell is said once, in the list)
    sections = {}
    for check in result.checks:
        lost = check.score < check.max_score
        unfilled = feedback.unfilled_cell(check)
        message = ("" if result.error or not lost else f"Waits on {unfilled.name}, not filled in yet." if unfilled
                   else feedback.message(check))
        pictures = by_check.pop(check.name, [])
        if (lost and not unfilled) or pictures:
            sections[id(check)] = (
                f'<section class="check {"lost" if lost else "passed"}-check" id="check-{check.name}">'
                f'<h3>{e(check.title)} <span class="{"lost" if lost else "passed"}">({_points(check)})</span></h3>'
                f'<p class="where">{e(capitalised(feedback.cell(check.cell)))}</p>'
                + (f'<p class="message">{marked(message)}</p>' if message else "") + figures_html(pictures) + "</section>")
    passed = [c for c in result.checks if c.score >= c.max_score]
    if passed:
        body.append('<h2>Passed</h2><ul class="passed-list">' + "".join(
            f"<li>{_title(c, id(c) in sections)} ({_points(c)})</li>" for c in passed) + "</ul>")
    if sections:
        body.append("<h2>The checks in detail</h2>" + "".join(sections.values()))
    leftover = [p for pictures in by_check.values() for p in pictures]  # a figure under a check that did not run
    if leftover:
        body.append("<h2>Pictures</h2>" + figures_html(leftover))
    if feedback.notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{marked(note)}</li>" for note in feedback.notes) + "</ul>")
    body.append(f"<p>The written answers ({e('; '.join(i['cell'] for i in feedback.manual))}; "
                f"{sum(i['points'] for i in feedback.manual):g} points) are graded by the course staff.</p>")
    if result.pictures and feedback.has_models:
        body.append('<p class="note">The grader drew every picture: those of your trained models from the weight '
                    "files you submitted, loaded into the homework's own model classes, on fixed test images; those "
                    "of what your notebook's functions returned, in your notebook's own process, say so.</p>")
    body.append(f'<p class="note">{e(provenance(feedback))}</p>')
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(feedback.title)}</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def gradescope_test_html(output: str, pictures: list[Picture]) -> str:
    """One Gradescope test's output as HTML: its text escaped, then the pictures that explain it, the
    reference's beside the student's."""
    return "".join(f"<p>{marked(line)}</p>" for line in output.splitlines() if line) + figures_html(pictures)
