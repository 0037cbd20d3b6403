"""The instructor's view of a graded class: score histogram, each check's pass rate, what could not be graded."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def write_class_report(results: list, out_dir: Path) -> Path:
    """``class_report.md`` and ``score_histogram.png`` in ``out_dir``; returns the report's path."""
    import matplotlib

    matplotlib.use("Agg")  # files only, whatever the instructor's display
    import matplotlib.pyplot as plt

    graded = [r for r in results if r.graded]
    scores = [r.score for r in graded]
    maximum = max((r.max_score for r in graded if r.checks), default=0)
    figure, axes = plt.subplots(figsize=(7, 3.5))
    axes.hist(scores, bins=[x / 2 for x in range(int(maximum * 2) + 2)], color="#4c72b0", edgecolor="white")
    axes.set(xlabel=f"autograded score (of {maximum:g})", ylabel="submissions",
             title=f"{len(graded)} submissions graded")
    figure.tight_layout()
    figure.savefig(out_dir / "score_histogram.png", dpi=100)
    plt.close(figure)

    lines = ["# Class report", "", f"Graded: {len(graded)} of {len(results)} submissions."]
    if scores:
        ordered = sorted(scores)
        lines.append(f"Mean {sum(scores) / len(scores):.2f}, median {ordered[len(ordered) // 2]:g}, "
                     f"full marks {sum(s == maximum for s in scores)}, zero {sum(s == 0 for s in scores)}.")
    lines += ["", "![score distribution](score_histogram.png)", "", "## Checks, least passed first", "",
              "| check | points | passed | most common message when lost |", "| --- | --- | --- | --- |"]
    rows = {}
    for result in graded:
        for check in result.checks:
            row = rows.setdefault(check.name, {"title": check.title, "points": check.max_score, "passed": 0,
                                               "messages": Counter()})
            if check.score == check.max_score:
                row["passed"] += 1
            else:
                row["messages"][check.message.split("\n")[0][:120]] += 1
    for row in sorted(rows.values(), key=lambda r: r["passed"]):
        common = row["messages"].most_common(1)
        note = f"{common[0][0]} ({common[0][1]}x)" if common else ""
        lines.append(f"| {row['title']} | {row['points']:g} | {row['passed']}/{len(graded)} "
                     f"({row['passed'] / len(graded):.0%}) | {note.replace('|', '/')} |")
    problems = [r for r in results if not r.graded or r.error]
    lines += ["", "## Submissions not graded, or graded 0 because nothing could run", ""]
    lines += [f"- `{r.submission}`: {'**not graded**: ' if not r.graded else ''}{r.error}" for r in problems] or ["- none"]
    path = out_dir / "class_report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
