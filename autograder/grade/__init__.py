"""Grade submissions: collect, run the student's code in its own process, check its answers, report."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from autograder import metrics
from autograder.checks.support import Answers
from autograder.config import Config
from autograder.grade.collect import SubmissionError, collect
from autograder.grade.figures import all_figures
from autograder.grade.probe_inputs import build_inputs, save_inputs
from autograder.grade.probes import answer_all
from autograder.grade.run_checks import CheckResult, run_checks
from autograder.grade.sandbox import SandboxError, run_student
from autograder.grade.thresholds import thresholds


@dataclass
class GradeResult:
    submission: str
    checks: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when nothing of the notebook could be run
    timings: dict = field(default_factory=dict)  # seconds per stage, for `make bench`

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks)


class Grader:
    """What every submission is graded against, prepared once: reference answers, probe inputs, thresholds."""

    def __init__(self, *, config: Config = Config()):
        from autograder.reference import reference_classifier, solution_namespace

        torch.set_num_threads(config.threads)
        self.config = config
        self.test = metrics.test_set(config.data_root)  # also writes the cache file the student's process reads
        self.test_file = Path(config.data_root) / "MNIST" / "test_inputs.pt"
        self.classifier = reference_classifier(config)
        reference_ns = solution_namespace(config)
        self.inputs = build_inputs(reference_ns, config=config)
        self._workdir = tempfile.TemporaryDirectory(prefix="hw2-grader-")
        self.inputs_file = save_inputs(self.inputs, Path(self._workdir.name) / "inputs.pt")
        reference_answers, _ = answer_all(reference_ns, self.inputs, None, with_weights=False, seed=config.seed)
        reference_answers["cells"] = {cell: "ok" for cell in config.definition_cells}
        self.reference = Answers(reference_answers, {})
        self.thresholds = thresholds(config=config)

    def grade(self, directory: Path) -> GradeResult:
        notes, fatal, answers, figures, timings = [], None, {}, {}, {}
        clock = time.perf_counter()
        try:
            submission = collect(directory, config=self.config)
            notes += submission.notes
            notes += [f"{name} is missing from the submission" for name, path in submission.weights.items() if path is None]
            answers = run_student(submission, inputs_file=self.inputs_file, test_set_file=self.test_file,
                                  config=self.config)
            timings["student process"] = time.perf_counter() - clock
            clock = time.perf_counter()
            figures = all_figures(answers, self.test, self.classifier, config=self.config)
            timings["figures"] = time.perf_counter() - clock
        except (SubmissionError, SandboxError) as error:
            fatal = f"not graded: {error}"
        student = Answers(answers, figures, fatal)
        clock = time.perf_counter()
        checks = run_checks(student=student, reference=self.reference, thresholds=self.thresholds,
                            config=self.config, probe_inputs=self.inputs)
        timings["checks"] = time.perf_counter() - clock
        timings["inside student process"] = answers.get("timings", {}) if isinstance(answers.get("timings"), dict) else {}
        return GradeResult(Path(directory).name, checks, notes, fatal, timings)


def grade_submissions(*, submissions: list[Path], out_dir: Path, config: Config = Config()) -> list[GradeResult]:
    """Grade each folder and write its reports under ``out_dir``; returns the results in the same order."""
    from autograder.grade.report import write_reports, write_summary

    grader = Grader(config=config)
    results = []
    for directory in submissions:
        result = grader.grade(directory)
        write_reports(result, out_dir / result.submission, config=config)
        results.append(result)
    write_summary(results, out_dir / "grades.csv")
    return results
