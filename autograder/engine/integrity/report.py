"""The integrity report's files: ``integrity.csv`` (one row per flagged pair), ``flags.json`` (the same with each
comparison's threshold and how it was set, for the class page) and ``index.html`` (the flagged submissions as
groups, each expanding to its pairs, each comparison's score distribution with its threshold, what could not be
compared).

The words are a reviewer's, not a verdict: a flag says that two submissions are more alike than independent work
gives, and nothing here changes a score.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

COLUMNS = ("assignment", "model", "kind", "student_a", "student_b", "score", "threshold", "evidence")
KINDS = {"same-file": "the same weight file (identical bytes)",
         "same-weights": "the same tensors once loaded (a re-saved or renamed copy)",
         "related-weights": "weights more similar than independent training gives",
         "reference": "weights equal or close to the course's own reference weights",
         "code": "graded cells more similar than independently written code gives"}


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
    from matplotlib.figure import Figure  # no pyplot: its import and its figure manager cost 0.4 s a report

    figure = Figure(figsize=(7, 2.8))
    axes = figure.subplots()
    axes.hist(section.pairs, bins=60, range=(min([-0.1, *section.pairs, *section.independent]), 1.0),
              color="#4c72b0", label=f"pairs of submissions ({len(section.pairs)})")
    if section.independent:
        axes.plot(section.independent, [0] * len(section.independent), "|", color="#55a868", markersize=22,
                  markeredgewidth=2, label=f"pairs of independent work ({len(section.independent)})")
    axes.axvline(section.threshold, color="#c44e52", linestyle="--", label=f"threshold {section.threshold:.2f}")
    axes.set(xlabel="similarity", ylabel="pairs", yscale="symlog", title=section.title)
    axes.legend(fontsize=7, loc="upper center")
    figure.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.9)  # fixed: tight_layout costs 0.14 s a plot
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def write_csv(flags: list[Flag], *, assignment_id: str, path: Path) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for f in flags:
            writer.writerow([assignment_id, f.model, f.kind, f.student_a, f.student_b, f"{f.score:.4f}",
                             f"{f.threshold:.4f}", f.evidence])
    return path


@dataclass
class Group:
    """Submissions joined by flags (two are in one group when a chain of flagged pairs links them), and those flags."""

    members: list[str]         # submissions first, then the course's reference weights they match
    flags: list[Flag]

    def summary(self) -> list[str]:
        """What joins them, one line per kind of evidence."""
        lines = []
        for kind, count in Counter(f.kind for f in self.flags).most_common():
            models = ", ".join(sorted({f.model for f in self.flags if f.kind == kind and f.model}))
            lines.append(f"{KINDS[kind]}: {count} pair{'s' * (count > 1)}" + (f" ({models})" if models else ""))
        return lines


def is_reference(flag: Flag, name: str) -> bool:
    return flag.kind == "reference" and name == flag.student_b


def groups(flags: list[Flag]) -> list[Group]:
    """The connected groups of flagged pairs, largest first: ten submissions holding one file are one group."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for flag in flags:
        parent[root(flag.student_a)] = root(flag.student_b)
    found: dict[str, Group] = {}
    for flag in flags:
        found.setdefault(root(flag.student_a), Group([], [])).flags.append(flag)
    references = {f.student_b for f in flags if f.kind == "reference"}
    for group in found.values():
        names = {n for f in group.flags for n in (f.student_a, f.student_b)}
        group.members = sorted(names - references) + sorted(names & references)
        group.flags.sort(key=lambda f: -f.score)
    return sorted(found.values(), key=lambda g: (-len(g.members), -max(f.score for f in g.flags)))


PAIRS_SHOWN = 100  # a group's pairs listed on the page, most similar first (300 holding one file are 44,850 pairs)


def groups_html(found: list[Group], *, student_link: Callable[[str], str], flag_link: Callable[[str], str]) -> str:
    """One row per group: its members (each submission linked), what joins them, and its most similar pairs behind
    a <details> (``flag_link``: a path relative to the integrity folder made relative to the page)."""
    if not found:
        return "<p>No group: no pair lies above its threshold.</p>"
    esc = html.escape
    students = {f.student_a for g in found for f in g.flags} | {f.student_b for g in found for f in g.flags
                                                               if f.kind != "reference"}

    def member(name: str) -> str:
        return f"<a href='{esc(student_link(name))}'>{esc(name)}</a>" if name in students else f"<i>{esc(name)}</i>"

    rows = ["<table class='groups'><tr><th>group</th><th>members</th><th>what joins them</th></tr>"]
    for number, group in enumerate(found, 1):
        more = len(group.flags) - PAIRS_SHOWN
        pairs = "".join(
            f"<tr><td title='{esc(KINDS[f.kind])}'>{esc(f.kind)}</td><td>{esc(f.model)}</td><td>{member(f.student_a)}"
            f"</td><td>{member(f.student_b)}</td><td>{f.score:.3f}</td><td>{f.threshold:.3f}</td><td>{esc(f.evidence)}"
            + (f" <a href='{esc(flag_link(f.link))}'>side by side</a>" if f.link else "") + "</td></tr>"
            for f in group.flags[:PAIRS_SHOWN]) + (
            f"<tr><td colspan='7'>and {more} less similar pairs: <a href='{esc(flag_link('integrity.csv'))}'>"
            "integrity.csv</a></td></tr>" if more > 0 else "")
        # the pairs in a row of their own below the group's, as wide as the table
        rows.append(f"<tr><td rowspan='2'>{number}</td><td>{', '.join(map(member, group.members))}</td>"
                    f"<td>{'<br>'.join(map(esc, group.summary()))}</td></tr><tr><td colspan='2'><details><summary>"
                    f"{len(group.flags)} pair{'s' * (len(group.flags) > 1)}</summary><table><tr><th>kind</th>"
                    "<th>model</th><th>a</th><th>b</th><th>similarity</th><th>threshold</th><th>evidence</th></tr>"
                    f"{pairs}</table></details></td></tr>")
    return "".join(rows) + "</table>"


def write_json(sections: list[Section], not_compared: list[tuple[str, str, str]], *, submissions: int,
               path: Path) -> Path:
    """What the class page shows of the report: each comparison's threshold and rule, every flag."""
    path.write_text(json.dumps({"submissions": submissions, "not_compared": not_compared, "sections": [
        {"title": s.title, "threshold": s.threshold, "rule": s.rule, "pairs": len(s.pairs),
         "independent": len(s.independent), "flags": [asdict(f) for f in s.flags]} for s in sections]}, indent=1))
    return path


def read_json(path: Path) -> dict:
    """``flags.json`` with its flags as ``Flag``s."""
    data = json.loads(Path(path).read_text())
    for section in data["sections"]:
        section["flags"] = [Flag(**f) for f in section["flags"]]
    return data


def write_html(sections: list[Section], not_compared: list[tuple[str, str, str]], *, title: str,
               submissions: int, path: Path) -> Path:
    esc = html.escape
    flags = [f for s in sections for f in s.flags]
    parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(title)}: integrity report</title><style>body{{font-"
             "family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}td,th{border:1px solid "
             "#ccc;padding:3px 6px;text-align:left;vertical-align:top}</style>",
             f"<h1>{esc(title)}: submissions to review</h1>",
             f"<p>{submissions} submissions compared pair by pair. A group is a set of submissions (and of the course's "
             "reference weights) joined by pairs more alike than independent work gives: a reason to look, not a "
             "finding. Nothing here changes a score. <a href='../index.html'>The class page</a>.</p>",
             "<h2>Groups, largest first</h2>",
             groups_html(groups(flags), student_link=lambda name: f"../{quote(name)}/feedback.html",
                         flag_link=lambda link: link),
             "<h2>Every pair's similarity</h2>"]
    for section in sections:
        parts.append(f"<h3>{esc(section.title)}</h3><p>Threshold {section.threshold:.3f}: {esc(section.rule)}.</p>")
        if section.pairs:
            parts.append(f"<img alt='distribution of {esc(section.title)}' src='{plot(section)}'>")
    parts.append("<h2>Not compared</h2>")
    parts.append("<ul>" + "".join(f"<li>{esc(name)}, {esc(what)}: {esc(reason)}</li>" for name, what, reason in not_compared)
                 + "</ul>" if not_compared else "<p>Every submission was compared.</p>")
    path.write_text("\n".join(parts) + "\n")
    return path
