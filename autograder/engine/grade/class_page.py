"""The instructor's one page for a graded class, ``OUT_DIR/index.html``: the scores, each check and who lost it,
the weight figures against their pass marks, the integrity groups, the written answers left to grade.

One self-contained file (inline CSS and SVG, no script, no address outside OUT_DIR), built from what grading
kept in OUT_DIR alone (each ``result.json``, ``integrity/flags.json``), so that ``python -m autograder report
OUT_DIR`` rebuilds it at any time. Beside it: ``checks.csv``, one row per check and cause of a lost point.
"""

from __future__ import annotations

import csv
import html
import json
import statistics
from pathlib import Path
from urllib.parse import quote

from autograder.engine.assignment import Assignment
from autograder.engine.grade.class_report import check_rows, first_line, histogram_svg, spread, write_class_report

PAGE = "index.html"
CHECKS_CSV = "checks.csv"
esc = html.escape

STYLE = ("body{font-family:sans-serif;max-width:75em;margin:auto;padding:0 1em;color:#222}table{border-collapse:"
         "collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
         "th{background:#f3f3f3}.bar{background:#eee;width:12em;height:1em;display:inline-block;vertical-align:"
         "middle}.bar span{background:#4c72b0;height:1em;display:block}.num{text-align:right}summary{cursor:"
         "pointer}.lost{margin:.2em 0 .2em 1em}.muted{color:#666}svg text{font-size:11px;font-family:sans-serif}"
         "nav a{margin-right:1em}.fig{display:inline-block;width:36em;vertical-align:top;margin-right:1em}"
         ".fig h3{margin-bottom:.2em}.fig p{margin:.2em 0}td.rate{white-space:nowrap}")


def load_results(out_dir: Path) -> list:
    """Every result graded into ``out_dir`` (``<name>/result.json``), in name order."""
    from autograder.engine.grade.grader import GradeResult
    from autograder.engine.grade.run_checks import CheckResult

    results = []
    for path in sorted(Path(out_dir).glob("*/result.json")):
        data = json.loads(path.read_text())
        data.pop("fingerprint", None)
        data["checks"] = [CheckResult(**check) for check in data["checks"]]
        results.append(GradeResult(**data))
    return results


def link(name: str, title: str = "") -> str:
    """A submission's name, linked to its feedback page (``title``: shown on hover)."""
    hover = f" title='{esc(title)}'" if title else ""
    return f"<a href='{esc(feedback_href(name))}'{hover}>{esc(name)}</a>"


def feedback_href(name: str) -> str:
    """The address of a submission's feedback page relative to OUT_DIR (a name may hold spaces, '#' or '?')."""
    return f"{quote(name)}/feedback.html"


def figure_svg(values: list[float], mark: float, better: str) -> str:
    """The class's values of one figure as a histogram, the pass mark a red line, the failing side shaded."""
    low, high = min(values + [mark]), max(values + [mark])
    pad = (high - low) * 0.05 or abs(mark) * 0.05 or 1.0
    low, high = low - pad, high + pad
    bins = 40
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / (high - low) * bins))] += 1
    width, height, left = 560, 110, 30

    def x(value: float) -> float:
        return left + (width - left - 10) * (value - low) / (high - low)

    top = max(counts) or 1
    fail_from, fail_to = (low, mark) if better == "higher" else (mark, high)
    parts = [f"<svg width='{width}' height='{height}' role='img'>",
             f"<rect x='{x(fail_from):.1f}' y='5' width='{x(fail_to) - x(fail_from):.1f}' height='{height - 30}' "
             "fill='#fbe3e3'><title>the failing side of the pass mark</title></rect>"]
    for index, count in enumerate(counts):
        if count:
            bar = (height - 30) * count / top
            parts.append(f"<rect x='{x(low + index * (high - low) / bins):.1f}' y='{height - 25 - bar:.1f}' "
                         f"width='{(width - left - 10) / bins - 1:.1f}' height='{bar:.1f}' fill='#4c72b0'>"
                         f"<title>{count}</title></rect>")
    right = x(mark) > width / 2  # the label on the line's inner side, so that it stays inside the picture
    parts.append(f"<line x1='{x(mark):.1f}' x2='{x(mark):.1f}' y1='2' y2='{height - 22}' stroke='#c44e52' "
                 f"stroke-width='2' stroke-dasharray='4 2'/><text x='{x(mark) + (-3 if right else 3):.1f}' y='12' "
                 f"fill='#c44e52' text-anchor='{'end' if right else 'start'}'>pass mark {mark:.4g}</text>"
                 f"<text x='{left - 4}' y='14' text-anchor='end'>{top}</text>")
    for k in range(5):
        value = low + (high - low) * (k + 0.5) / 5
        parts.append(f"<text x='{x(value):.1f}' y='{height - 8}' text-anchor='middle'>{value:.4g}</text>")
    return "".join(parts) + "</svg>"


def figures_html(graded: list, assignment: Assignment) -> str:
    """Each weight figure's spread across the class with its pass mark."""
    from autograder.engine.grade.grader import thresholds

    module = assignment.module("thresholds")
    if module is None or not hasattr(module, "figures"):
        return "<p>This assignment has no weight figures judged by a pass mark.</p>"
    try:
        marks = thresholds(assignment)
    except FileNotFoundError as error:
        return f"<p>The pass marks could not be read: {esc(str(error))}</p>"
    parts = []
    for name, figure in module.figures(assignment.settings).items():
        values = [r.judged[name] for r in graded if name in r.judged]
        mark = marks[name].value
        head = f"<div class='fig'><h3>{esc(figure.what)}</h3>"
        if not values:
            parts.append(f"{head}<p class='muted'>No submission has a value (no usable weights, or graded before the "
                         "figures were kept: grade again with --force).</p></div>")
            continue
        failing = [r.submission for r in graded if name in r.judged and not figure.rule.passes(r.judged[name], mark)]
        parts.append(f"{head}<p>{len(values)} submissions measured; median {statistics.median(values):.4g}, pass "
                     f"mark {mark:.4g} "
                     f"({'at least' if figure.rule.better == 'higher' else 'at most'}; {esc(marks[name].origin)}): "
                     f"{len(failing)} beyond it.</p>"
                     + (f"<details class='lost'><summary>who</summary>{', '.join(map(link, failing))}</details>"
                        if failing else "")
                     + figure_svg(values, mark, figure.rule.better) + "</div>")
    return "".join(parts)


def integrity_html(out_dir: Path) -> tuple[str, dict[str, int]]:
    """The integrity report's groups with each comparison's threshold, and each submission's group number."""
    from autograder.engine.integrity import FLAGS_FILE, REPORT_DIR
    from autograder.engine.integrity.report import groups, groups_html, read_json

    path = out_dir / REPORT_DIR / FLAGS_FILE
    if not path.is_file():
        return ("<p>No integrity report in this folder: <code>python -m autograder integrity OUT_DIR</code> writes "
                "it, then <code>python -m autograder report OUT_DIR</code> this page.</p>", {})
    data = read_json(path)
    found = groups([f for s in data["sections"] for f in s["flags"]])
    member_of = {name: number for number, g in enumerate(found, 1) for name in g.members}
    rules = "".join(f"<li>{esc(s['title'])}: threshold {s['threshold']:.3f} ({esc(s['rule'])}); {s['pairs']} pairs "
                    f"compared, {len(s['flags'])} flagged</li>" for s in data["sections"])
    return (f"<p>{data['submissions']} submissions compared pair by pair; {len(found)} group"
            f"{'s' * (len(found) != 1)} of submissions more alike than independent work gives (a reason to look, not "
            f"a finding; nothing here changes a score). Each group expands to its pairs; "
            f"<a href='integrity/index.html'>the integrity report</a> has every pair's distribution and "
            f"{len(data['not_compared'])} comparison{'s' * (len(data['not_compared']) != 1)} that could not be made.</p>"
            + groups_html(found, student_link=feedback_href,
                          flag_link=lambda page: f"integrity/{page}")
            + f"<p>How each threshold was set:</p><ul>{rules}</ul>"
            "<p class='muted'>The code threshold is calibrated on independently written correct code: the solution's "
            "cells against each correct fixture's own rewrite of them (the assignment's <code>fixtures/correct*</code>), "
            "or the class's median pair when higher, plus a margin, and never above the ceiling (1 is the most "
            "similarity possible), so that copies show in a class of any size.</p>", member_of)


def write_checks_csv(rows: list, path: Path) -> Path:
    """One row per check and cause of a lost point (a check nobody lost: one row, cause empty)."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["check", "title", "cell", "points", "graded", "passed", "cause", "lost", "submissions"])
        for row in rows:
            base = [row.name, row.title, row.cell, f"{row.points:g}", row.graded, len(row.passed)]
            for text, who in row.causes() or [("", [])]:
                writer.writerow([*base, text, len(who), " ".join(name for name, _ in who)])
    return path


def write_class_page(results: list, out_dir: Path, *, assignment: Assignment) -> Path:
    """``index.html``, ``checks.csv`` and ``class_report.md`` in ``out_dir``; returns the page's path."""
    from autograder.engine.grade.report import manual_items

    out_dir = Path(out_dir)
    settings = assignment.settings
    write_class_report(results, out_dir, title=f"{settings.title} ({assignment.id})")
    graded = [r for r in results if r.graded]
    rows = check_rows(graded)
    write_checks_csv(rows, out_dir / CHECKS_CSV)
    not_graded = [r for r in results if not r.graded]
    nothing_ran = [r for r in graded if r.error]
    parts = [f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{esc(settings.title)}: the class</title>"
             f"<style>{STYLE}</style><h1>{esc(settings.title)} <span class='muted'>({esc(assignment.id)})</span></h1>",
             "<nav><a href='#scores'>scores</a><a href='#checks'>checks</a><a href='#figures'>weight figures</a>"
             "<a href='#integrity'>integrity</a><a href='#submissions'>submissions and written answers</a>"
             f"<a href='grades.csv'>grades.csv</a><a href='{CHECKS_CSV}'>{CHECKS_CSV}</a>"
             "<a href='class_report.md'>class_report.md</a></nav>",
             f"<h2 id='scores'>Scores</h2><p>{len(results)} submissions: <b>{len(graded)} graded</b>, "
             f"<b>{len(not_graded)} not graded</b>{' (listed below, with why)' if not_graded else ''}"
             f"{f'; {len(nothing_ran)} graded 0 because nothing of the notebook could run' if nothing_ran else ''}.</p>"]
    if graded:
        figures, maximum = spread([r.score for r in graded]), max(r.max_score for r in graded)
        parts.append(f"<p>Mean <b>{figures['mean']:.2f}</b>, median <b>{figures['median']:g}</b> of {maximum:g}; "
                     f"standard deviation {figures['sd']:.2f}, quartiles {figures['q1']:g} to {figures['q3']:g}, range "
                     f"{figures['min']:g} to {figures['max']:g}; full marks {sum(r.score == maximum for r in graded)}, "
                     f"zero {sum(r.score == 0 for r in graded)}.</p>" + histogram_svg(graded))
    if not_graded or nothing_ran:
        parts.append("<ul>" + "".join(f"<li>{link(r.submission)}: {'<b>not graded</b>: ' if not r.graded else ''}"
                                      f"{esc(first_line(r.error or 'no reason recorded'))}</li>"
                                      for r in not_graded + nothing_ran) + "</ul>")
    parts.append("<h2 id='checks'>Checks</h2><p>Each check's pass rate; those who lost it, grouped by cause (the "
                 "message with its numbers and quoted names left out; hover a name for its own message).</p><table>"
                 "<tr><th>check</th><th>cell</th><th class='num'>points</th><th>passed</th><th>lost, by cause</th></tr>")
    for row in rows:
        rate = len(row.passed) / max(row.graded, 1)
        causes = "".join(f"<details class='lost'><summary>{len(who)}: {esc(text)}</summary>"
                         f"{', '.join(link(name, first_line(message)) for name, message in who)}</details>"
                         for text, who in row.causes())
        parts.append(f"<tr class='check' id='check-{esc(row.name)}'><td>{esc(row.title)}</td><td><code>{esc(row.cell)}"
                     f"</code></td><td class='num'>{row.points:g}</td><td class='rate'><span class='bar'><span style='width:"
                     f"{rate:.1%}'></span></span> {len(row.passed)}/{row.graded} ({rate:.0%})</td><td>"
                     f"{causes or '<span class=muted>none</span>'}</td></tr>")
    parts.append("</table>")
    parts.append("<h2 id='figures'>Weight figures</h2><p>Each figure a weight check judges, measured by the grader on "
                 "every submission's weights, with its pass mark (red; the shaded side fails).</p>"
                 + figures_html(graded, assignment))
    integrity, member_of = integrity_html(out_dir)
    parts.append(f"<h2 id='integrity'>Integrity</h2>{integrity}")
    manual = manual_items(assignment)
    waiting = sum(item["points"] for item in manual)
    parts.append(f"<h2 id='submissions'>Submissions and written answers</h2><p>Every submission, its score and "
                 f"the written answers still to grade by hand ({len(manual)} cells, {waiting:g} points in all; "
                 "nbgrader's formgrader or the platform's manual grading). The autograder does not read them.</p>"
                 "<table><tr><th>submission</th><th class='num'>score</th><th>checks lost</th><th>integrity group</th>"
                 "<th>written answers to grade</th></tr>")
    written = ", ".join(f"<code>{esc(item['cell'])}</code> ({item['points']:g})" for item in manual) or "none"
    for r in results:
        lost = [c for c in r.checks if c.score < c.max_score]
        score = f"{r.score:g} / {r.max_score:g}" if r.graded else "not graded"
        parts.append(f"<tr class='submission'><td>{link(r.submission)}</td><td class='num'>{score}</td>"
                     f"<td>{len(lost)}</td><td>{member_of.get(r.submission, '')}</td><td>{written}</td></tr>")
    parts.append("</table></html>")
    path = out_dir / PAGE
    path.write_text("\n".join(parts) + "\n")
    return path
