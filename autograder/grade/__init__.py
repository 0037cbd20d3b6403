"""Grade submissions: collect, run the student's code in its own process, check its answers, report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import torch

from autograder import metrics
from autograder.checks.support import Answers
from autograder.config import Config
from autograder.grade.collect import SubmissionError, collect
from autograder.grade.figures import all_figures
from autograder.grade.probe_inputs import probe_inputs_file
from autograder.grade.probes import answer_all
from autograder.grade.run_checks import CheckResult, run_checks
from autograder.grade.sandbox import SandboxError, StudentServer, process_peak_rss_mb
from autograder.grade.thresholds import thresholds


@dataclass
class GradeResult:
    submission: str
    checks: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when nothing of the notebook could be run
    timings: dict = field(default_factory=dict)  # seconds per stage, for `make bench`
    graded: bool = True  # false only when the grader itself failed
    confinement: list[str] = field(default_factory=list)  # how the student's process was isolated and limited
    cells: dict = field(default_factory=dict)  # each definition cell's outcome in the student's process

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks)


class Grader:
    """What every submission is graded against, prepared once per process.

    Only what the student's process needs (the probe inputs and the test set, both cached on disk) is
    ready before a first submission starts; the rest is prepared while that submission's code runs.
    """

    def __init__(self, *, config: Config = Config()):
        torch.set_num_threads(config.threads)
        self.config = config
        self.test_file = metrics.test_set_file(config.data_root)
        self.inputs_file = probe_inputs_file(config=config)
        self.server = StudentServer(inputs_file=self.inputs_file, test_set_file=self.test_file, config=config)

    @cached_property
    def test(self) -> dict:
        return torch.load(self.test_file, weights_only=True)

    @cached_property
    def inputs(self) -> dict:
        return torch.load(self.inputs_file, weights_only=True)

    @cached_property
    def classifier(self):
        from autograder.reference import reference_classifier

        return reference_classifier(self.config)

    @cached_property
    def reference(self) -> Answers:
        from autograder.reference import solution_namespace

        answers, _ = answer_all(solution_namespace(self.config), self.inputs, None, with_weights=False,
                                seed=self.config.seed)
        answers["cells"] = {cell: "ok" for cell in self.config.definition_cells}
        return Answers(answers, {})

    @cached_property
    def thresholds(self) -> dict:
        return thresholds(config=self.config)

    def prepare(self) -> None:
        """Everything the checks need; cheap once done, so it runs while each student process works."""
        for name in ("test", "inputs", "classifier", "reference", "thresholds"):
            getattr(self, name)

    def grade(self, directory: Path, *, name: str | None = None) -> GradeResult:
        """One submission folder; ``name`` (default: the folder's name) labels its result."""
        notes, fatal, answers, figures, timings = [], None, {}, {}, {}
        clock = time.perf_counter()
        try:
            submission = collect(directory, config=self.config)
            notes += submission.notes
            notes += [f"{name} is missing from the submission" for name, path in submission.weights.items() if path is None]
            job = self.server.submit(submission)
            prepared = time.perf_counter()
            self.prepare()
            timings["grader preparation"] = time.perf_counter() - prepared
            answers = job.answers()
            timings["student process"] = time.perf_counter() - clock
            timings["memory MB"] = {"grader": process_peak_rss_mb(), "server": self.server.peak_rss_mb(),
                                    "student process": job.peak_rss_mb}
            clock = time.perf_counter()
            figures = all_figures(answers, self.test, self.classifier, config=self.config)
            timings["figures"] = time.perf_counter() - clock
        except (SubmissionError, SandboxError) as error:
            fatal = f"not graded: {error}"
            self.prepare()
        student = Answers(answers, figures, fatal)
        clock = time.perf_counter()
        checks = run_checks(student=student, reference=self.reference, thresholds=self.thresholds,
                            config=self.config, probe_inputs=self.inputs)
        timings["checks"] = time.perf_counter() - clock
        timings["inside student process"] = answers.get("timings", {}) if isinstance(answers.get("timings"), dict) else {}
        return GradeResult(name or Path(directory).name, checks, notes, fatal, timings,
                           confinement=answers.get("confinement", []),
                           cells={str(k): str(v) for k, v in answers.get("cells", {}).items()}
                           if isinstance(answers.get("cells"), dict) else {})


from autograder.grade.batch import grade_submissions  # noqa: E402 (it grades with the classes above)

__all__ = ["CheckResult", "GradeResult", "Grader", "grade_submissions"]
