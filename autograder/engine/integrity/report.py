"""The integrity report's files: ``integrity.csv`` (one row per flagged pair) and ``index.html`` (the flagged pairs
with their evidence, each comparison's score distribution with its threshold, what could not be compared).

The words are a reviewer's, not a verdict: a flag says that two submissions are more alike than independent work
gives, and nothing here changes a score.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("assignment", "model", "kind", "student_a", "student_b", "score", "threshold", "evidence")
KINDS = {"same-file": "the same weight file (identical bytes)",
         "same-weights": "the same tensors once loaded (a re-saved or renamed copy)",
         "related-weights": "weights more similar than independent training gives",
         "reference": "weights equal or close to the course's own reference weights",
         "code": "graded cells more similar than the rest of the class's"}


@dataclass
class Flag:
    model: str
    kind: str
    student_a: str
    student_b: str
    score: float
    threshold: float
    evidence: str
    link: str = ""             # a page with more (the code side by side), relative to the report


@dataclass
class Section:
    """One comparison (a model's weights, or the code): its scores for the plot and how its threshold was set."""

    title: str
    pairs: list[float]
    independent: list[float]
    threshold: float
    rule: str
    flags: list[Flag] = field(default_factory=list)


def plot(section: Section) -> str:
    """The distribution of the class's pair scores with the independent runs' and the threshold, as a PNG data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 2.8))
    axes.hist(section.pairs, bins=60, range=(min([-0.1, *section.pairs, *section.independent]), 1.0),
              color="#4c72b0", label=f"pairs of submissions ({len(section.pairs)})")
    if section.independent:
        axes.plot(section.independent, [0] * len(section.independent), "|", color="#55a868", markersize=22,
                  markeredgewidth=2, label=f"pairs of independent reference runs ({len(section.independent)})")
    axes.axvline(section.threshold, color="#c44e52", linestyle="--", label=f"threshold {section.threshold:.2f}")
    axes.set(xlabel="similarity", ylabel="pairs", yscale="symlog", title=section.title)
    axes.legend(fontsize=7, loc="upper center")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def write_csv(flags: list[Flag], *, assignment_id: str, path: Path) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for f in flags:
            writer.writerow([assignment_id, f.model, f.kind, f.student_a, f.student_b, f"{f.score:.4f}",
                             f"{f.threshold:.4f}", f.evidence])
    return path


def write_html(sections: list[Section], not_compared: list[tuple[str, str, str]], *, title: str,
               submissions: int, path: Path) -> Path:
    esc = html.escape
    flags = sorted((f for s in sections for f in s.flags), key=lambda f: -f.score)
    parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(title)}: integrity report</title><style>body{{font-"
             "family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}td,th{border:1px solid "
             "#ccc;padding:3px 6px;text-align:left;vertical-align:top}</style>",
             f"<h1>{esc(title)}: submissions to review</h1>",
             f"<p>{submissions} submissions compared pair by pair. A row says that two submissions (or a submission and "
             "the course's reference weights) are more alike than independent work gives: a reason to look, not a "
             "finding. Nothing here changes a score.</p>",
             "<h2>Pairs above their threshold, most similar first</h2>"]
    if flags:
        parts.append("<table><tr><th>what</th><th>model</th><th>a</th><th>b</th><th>similarity</th><th>threshold</th>"
                     "<th>evidence</th></tr>")
        for f in flags:
            link = f" <a href='{esc(f.link)}'>side by side</a>" if f.link else ""
            parts.append(f"<tr><td>{esc(KINDS[f.kind])}</td><td>{esc(f.model)}</td><td>{esc(f.student_a)}</td>"
                         f"<td>{esc(f.student_b)}</td><td>{f.score:.3f}</td><td>{f.threshold:.3f}</td>"
                         f"<td>{esc(f.evidence)}{link}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Every pair's similarity</h2>")
    for section in sections:
        parts.append(f"<h3>{esc(section.title)}</h3><p>Threshold {section.threshold:.3f}: {esc(section.rule)}.</p>")
        if section.pairs:
            parts.append(f"<img alt='distribution of {esc(section.title)}' src='{plot(section)}'>")
    parts.append("<h2>Not compared</h2>")
    parts.append("<ul>" + "".join(f"<li>{esc(name)}, {esc(what)}: {esc(reason)}</li>" for name, what, reason in not_compared)
                 + "</ul>" if not_compared else "<p>Every submission was compared.</p>")
    path.write_text("\n".join(parts) + "\n")
    return path
