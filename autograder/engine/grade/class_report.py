"""The instructor's view of a graded class in figures: the scores' spread, each check's pass rate and who lost it
for what cause; ``class_report.md`` and ``score_histogram.svg`` (the class page, ``class_page.py``, shows the same).
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

# numbers and quoted text: what differs between two students who made the same mistake ("found 0.912", "'x'")
# (a quote opens and closes outside a word, so "the reference's" stays; a number stands alone, so "conv1" stays)
_PARTICULARS = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|"
                          r"(?<![\w.+-])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?(?!\w)", re.IGNORECASE)
# a syntax error is one cause, whatever Python says of it ("invalid syntax", "'(' was never closed")
_SYNTAX = re.compile(r"\b(SyntaxError|IndentationError|TabError): .*?(?= \(cell |$)")
NOTHING_RAN = "nothing of the notebook could run (why is listed apart, with each such submission)"


def first_line(message: str, limit: int = 200) -> str:
    """A message's first line, shortened at a word (never mid-word) when longer than ``limit`` characters."""
    line = message.strip().split("\n", 1)[0].strip()
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def cause(message: str) -> str:
    """A lost check's message with its particulars (numbers, quoted names) replaced by '…': two students who lost a
    check for one cause get the same text, whatever their figures."""
    line = _SYNTAX.sub(r"\1", first_line(message, limit=10_000))
    return " ".join(_PARTICULARS.sub("…", line).split()) or "(no message)"


@dataclass
class CheckRow:
    """One check across the class: who passed it, and who lost it grouped by cause."""

    name: str
    title: str
    cell: str
    points: float
    passed: list[str] = field(default_factory=list)
    lost: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # cause -> [(submission, its message)]

    @property
    def graded(self) -> int:
        return len(self.passed) + sum(map(len, self.lost.values()))

    def causes(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The causes, most common first."""
        return sorted(self.lost.items(), key=lambda item: (-len(item[1]), item[0]))


def check_rows(graded: list) -> list[CheckRow]:
    """Every check of the graded results, in the assignment's order."""
    rows: dict[str, CheckRow] = {}
    for result in graded:
        for check in result.checks:
            row = rows.setdefault(check.name, CheckRow(check.name, check.title, check.cell, check.max_score))
            if check.score >= check.max_score:
                row.passed.append(result.submission)
            else:
                # a submission of which nothing ran loses every check for that one reason, said once under Scores
                reason = NOTHING_RAN if result.error else cause(check.message)
                row.lost.setdefault(reason, []).append((result.submission, check.message))
    return list(rows.values())


def score_step(graded: list) -> float:
    """The least difference between two possible scores: the greatest common divisor of every check's points and
    of every score given (a check may give part of its points)."""
    values = {Fraction(v).limit_denominator(1000) for r in graded for c in r.checks for v in (c.max_score, c.score)}
    step = Fraction(0)
    for value in values:
        step = Fraction(math.gcd(step.numerator * value.denominator, value.numerator * step.denominator),
                        step.denominator * value.denominator)
    return float(step) or 1.0


def possible_scores(graded: list) -> list[float]:
    """Every score from 0 to the maximum, one step apart: one histogram bar each."""
    maximum, step = max((r.max_score for r in graded), default=0.0), score_step(graded)
    return [round(k * step, 6) for k in range(int(round(maximum / step)) + 1)]


def spread(scores: list[float]) -> dict[str, float]:
    """Mean, median, standard deviation, quartiles and range of the scores."""
    quartiles = statistics.quantiles(scores, n=4) if len(scores) > 1 else [scores[0]] * 3
    return {"mean": statistics.fmean(scores), "median": statistics.median(scores),
            "sd": statistics.pstdev(scores), "q1": quartiles[0], "q3": quartiles[2], "min": min(scores),
            "max": max(scores)}


def histogram_svg(graded: list) -> str:
    """One bar per possible score, centred on it; integer ticks on the count axis."""
    possible = possible_scores(graded)
    counts = [sum(abs(r.score - s) < 1e-6 for r in graded) for s in possible]
    top = max(counts) or 1
    tick = next(step for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10 ** 9) if top / step <= 6)
    top = math.ceil(top / tick) * tick
    width, height, left, bottom = 760, 220, 40, 30
    slot = (width - left - 10) / len(possible)

    def y(count: float) -> float:
        return 10 + (height - bottom - 10) * (1 - count / top)

    # the namespace lets the same text stand alone as an .svg file; nothing is fetched from it
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
             f"aria-label='score histogram'><style>text{{font:11px sans-serif}}</style>"]
    for value in range(0, top + 1, tick):
        parts.append(f"<line x1='{left}' x2='{width - 10}' y1='{y(value):.1f}' y2='{y(value):.1f}' stroke='#ddd'/>"
                     f"<text x='{left - 4}' y='{y(value) + 4:.1f}' text-anchor='end'>{value}</text>")
    every = math.ceil(len(possible) / 30)
    for index, (score, count) in enumerate(zip(possible, counts)):
        x = left + index * slot
        if count:
            parts.append(f"<rect class='score-bar' x='{x + slot * 0.08:.1f}' y='{y(count):.1f}' width='{slot * 0.84:.1f}' "
                         f"height='{y(0) - y(count):.1f}' fill='#4c72b0'><title>{score:g}: {count}</title></rect>"
                         f"<text x='{x + slot / 2:.1f}' y='{y(count) - 3:.1f}' text-anchor='middle'>{count}</text>")
        if index % every == 0 or index == len(possible) - 1:
            parts.append(f"<text x='{x + slot / 2:.1f}' y='{height - bottom + 14}' text-anchor='middle'>{score:g}</text>")
    parts.append(f"<text x='{(left + width) / 2}' y='{height - 2}' text-anchor='middle'>autograded score (of "
                 f"{possible[-1]:g}); one bar per possible score</text><text x='10' y='{(height - bottom) / 2}' "
                 f"transform='rotate(-90 10 {(height - bottom) / 2})' text-anchor='middle'>submissions</text></svg>")
    return "".join(parts)


def write_class_report(results: list, out_dir: Path, *, title: str) -> Path:
    """``class_report.md`` and ``score_histogram.svg`` in ``out_dir``; returns the report's path."""
    graded = [r for r in results if r.graded]
    lines = [f"# {title}: class report", "", f"Graded: {len(graded)} of {len(results)} submissions."]
    if graded:
        (out_dir / "score_histogram.svg").write_text(histogram_svg(graded))
        figures, maximum = spread([r.score for r in graded]), max(r.max_score for r in graded)
        lines.append(f"Mean {figures['mean']:.2f}, median {figures['median']:g}, standard deviation {figures['sd']:.2f}, "
                     f"range {figures['min']:g} to {figures['max']:g} (of {maximum:g}); full marks "
                     f"{sum(r.score == maximum for r in graded)}, zero {sum(r.score == 0 for r in graded)}.")
        lines += ["", "![score distribution](score_histogram.svg)"]
    lines += ["", "The class page, `index.html`, shows the same with links to each submission's feedback.", "",
              "## Checks, least passed first", "", "| check | points | passed | lost: cause (who) |",
              "| --- | --- | --- | --- |"]
    for row in sorted(check_rows(graded), key=lambda r: len(r.passed)):
        lost = "<br>".join(f"{first_line(text)} ({len(who)}: {', '.join(name for name, _ in who)})"
                           for text, who in row.causes())
        lines.append(f"| {row.title} | {row.points:g} | {len(row.passed)}/{row.graded} "
                     f"({len(row.passed) / max(row.graded, 1):.0%}) | {lost.replace('|', '/')} |")
    problems = [r for r in results if not r.graded or r.error]
    lines += ["", "## Submissions not graded, or graded 0 because nothing could run", ""]
    lines += [f"- `{r.submission}`: {'**not graded**: ' if not r.graded else ''}{first_line(r.error or '')}"
              for r in problems] or ["- none"]
    path = out_dir / "class_report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
