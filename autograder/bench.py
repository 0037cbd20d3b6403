"""`make bench`: how long grading one submission takes from the command line, and where the time goes."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.config import Config
from autograder.examples import build_examples


def _line(label: str, seconds: float, detail: str = "", indent: int = 2) -> str:
    return f"{' ' * indent}{label:<{44 - indent}} {seconds:6.2f} s" + (f"   {detail}" if detail else "")


def _top(timings: dict, n: int = 4) -> str:
    ranked = sorted(timings.items(), key=lambda item: -item[1])[:n]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in ranked)


def bench(*, config: Config = Config()) -> str:
    from autograder.grade import Grader

    lines = []
    with tempfile.TemporaryDirectory(prefix="hw2-bench-") as tmp:
        examples = build_examples(out_dir=Path(tmp) / "examples", config=config)
        lines.append("cold command-line grading, one submission per run (python -m autograder grade DIR):")
        cold = {}
        for example in examples:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder", "grade", str(example), "--out", str(Path(tmp) / "out")],
                           check=True, capture_output=True)
            cold[example.name] = time.perf_counter() - started
            lines.append(_line(example.name, cold[example.name]))
        started = time.perf_counter()
        grader = Grader(config=config)
        setup = time.perf_counter() - started
        for example in examples:
            result = grader.grade(example)
            inside = result.timings["inside student process"]
            graded = result.timings.get("student process", 0.0) + result.timings.get("figures", 0.0) \
                + result.timings["checks"]
            lines += ["", f"where the time goes for '{example.name}' (score {result.score:g}/{result.max_score:g}):",
                      _line("command start-up: interpreter, torch, reports", cold[example.name] - graded,
                            "the cold run's total less the stages below"),
                      _line("grader start-up (once per process)", setup, "cached probe inputs and test set"),
                      _line("student process, wall", result.timings.get("student process", 0.0)),
                      _line("grader preparation, meanwhile", result.timings.get("grader preparation", 0.0),
                            "reference answers, classifier, thresholds (first submission only)", indent=4)]
            if inside:
                lines += [_line("interpreter and torch import", inside["startup"], indent=4),
                          _line("definition cells", sum(inside["cells"].values()), _top(inside["cells"]), indent=4),
                          _line("probes", sum(inside["probes"].values()), _top(inside["probes"]), indent=4)]
            lines += [_line("figures from the answers", result.timings.get("figures", 0.0)),
                      _line("hidden checks (pytest)", result.timings["checks"],
                            _top({c.name: c.seconds for c in result.checks}, 3))]
    return "\n".join(lines)
