"""One submission graded: collected, its code run in the student-code server, its weights measured here, its
answers checked, its pictures drawn."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import torch

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.cache_key import cached_tensors, content_key
from autograder.engine.grade.checks import Answers
from autograder.engine.grade.collect import SubmissionError, collect
from autograder.engine.grade.feedback_page import Figure, Picture, View, cached_pictures, draw, draw_all
from autograder.engine.grade.inputs import probe_inputs_file
from autograder.engine.grade.probing import answer_all
from autograder.engine.grade.run_checks import CheckResult, run_checks
from autograder.engine.grade.sandbox import SandboxError, process_peak_rss_mb, started_server
from autograder.engine.grade.trusted import TrustedWeights, measuring_device


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
    judged: dict = field(default_factory=dict)  # the figures the pass marks judge, by name: the class page's spread
    # the submitted tensors fitted onto the reference's models, by model name: for reports drawn from the
    # weights; kept in memory only (never in result.json)
    fitted: dict = field(default_factory=dict, repr=False, compare=False)
    # feedback.html's pictures (feedback_page.Picture), drawn in the worker; in memory only, like ``fitted``
    pictures: list = field(default_factory=list, repr=False, compare=False)

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks)


def measure(answers: dict, *, inputs: dict, assignment: Assignment) -> dict:
    """The assignment's figures of the weight probes' answers (none when it has no ``measures.py``)."""
    module = assignment.module("measures")
    return {} if module is None else module.figures(answers, inputs=inputs, assignment=assignment)


def judged_figures(figures: dict, assignment: Assignment) -> dict[str, float]:
    """The values of the figures the pass marks judge (``thresholds.py``'s ``figures``) in one submission's
    measurements; a figure the submission has no value for is left out."""
    module = assignment.module("thresholds")
    if module is None or not hasattr(module, "figures"):
        return {}
    values = {}
    for name, figure in module.figures(assignment.settings).items():
        try:
            value = float(figure.read(figures))
        except (KeyError, TypeError, ValueError, IndexError):  # the model was not measured, or its figure is missing
            continue
        if math.isfinite(value):
            values[name] = value
    return values


def thresholds(assignment: Assignment) -> dict:
    """The assignment's pass marks for its weight checks (none when it has no ``thresholds.py``)."""
    module = assignment.module("thresholds")
    return {} if module is None else module.thresholds(assignment)


class Grader:
    """What every submission of one assignment is graded against, prepared once per process.

    Only what the student's process needs (the probe inputs, cached on disk) is ready before a first
    submission starts; the rest is prepared while that submission's code runs.
    """

    def __init__(self, *, assignment: Assignment, config: Config = Config()):
        from autograder.engine.data import missing_mnist

        # never grade against missing data: every loader would fail (`make data` has checked the files' md5)
        if problems := missing_mnist(root=config.data_root):
            raise RuntimeError(f"MNIST is not readable under {config.data_root} ({'; '.join(problems[:2])}): run "
                               "`make data` (or point data_root at a folder holding MNIST/raw/) before grading")
        torch.set_num_threads(config.threads)
        self.config, self.assignment, self.settings = config, assignment, assignment.settings
        self.inputs_file = probe_inputs_file(config=config, assignment=assignment)
        self.server = started_server(config=config, assignment=assignment)  # it boots while this process prepares

    @cached_property
    def inputs(self) -> dict:
        return torch.load(self.inputs_file, weights_only=True)

    @cached_property
    def plan(self) -> list:
        return self.assignment.module("probes").PLAN

    @cached_property
    def namespace(self) -> dict:
        from autograder.engine.reference import solution_namespace

        return solution_namespace(assignment=self.assignment, config=self.config)

    @cached_property
    def reference(self) -> Answers:
        """The solution's answers to every probe: the same for every submission, so computed once and kept in the
        cache folder (representations' t-SNE probe alone costs a worker's start about 1.5 s)."""
        engine = Path(__file__).parent
        key = content_key([self.assignment.solution_notebook, *sorted(self.assignment.folder.glob("*.py")),
                           *(engine / f"{name}.py" for name in ("probing", "guard"))],
                          self.inputs_file.name, str(self.config.seed), torch.__version__)
        answers = cached_tensors(Path(self.config.cache_dir) / f"reference_answers-{self.assignment.id}-{key}.pt",
                                 lambda: answer_all(self.plan, self.namespace, self.inputs, None, with_weights=False,
                                                    seed=self.config.seed)[0])
        answers["cells"] = {cell: "ok" for cell in self.settings.definition_cells}
        return Answers(answers, {}, models=self.settings.models)

    @cached_property
    def thresholds(self) -> dict:
        return thresholds(self.assignment)

    @cached_property
    def trusted(self) -> TrustedWeights:
        return TrustedWeights(assignment=self.assignment, namespace=self.namespace, inputs=self.inputs,
                              plan=self.plan, seed=self.config.seed, device=measuring_device(self.config.device))

    @cached_property
    def figures(self) -> list[Figure]:
        """The assignment's feedback pictures (none without ``figures.py`` or with ``feedback_figures`` off)."""
        module = self.assignment.module("figures")
        return module.FIGURES if module is not None and self.config.feedback_figures else []

    @cached_property
    def reference_pictures(self) -> dict[Figure, Picture]:
        """The reference solution's picture of every figure that shows it: the same for every submission, so drawn
        once and kept in the cache folder, under a name made from everything it is drawn from."""
        shown = [figure for figure in self.figures if figure.show_reference]
        if not shown:
            return {}
        weights = {m.weight_file: self.assignment.reference_weights() / m.weight_file for m in self.settings.models}
        engine = Path(__file__).parent
        key = content_key([self.assignment.solution_notebook, *weights.values(),
                           *sorted(self.assignment.folder.glob("*.py")),
                           *(engine / f"{name}.py" for name in ("drawing", "feedback_page", "trusted", "probing"))],
                          self.inputs_file.name, *(f"{f.check}|{f.title}" for f in shown))

        def draw_them() -> list[Picture]:
            measured, _, states = self.trusted.measure(weights, None)
            view = View("reference", measured, self.reference.answers, self.inputs, self.namespace, states, self.trusted)
            return [draw(figure, view, unavailable={}) for figure in shown]

        path = Path(self.config.cache_dir) / f"reference_pictures-{self.assignment.id}-{key}.json"
        return dict(zip(shown, cached_pictures(path, draw_them)))

    def pictures(self, answers: dict, fitted: dict) -> list[Picture]:
        """The feedback pictures of one submission, from the grader's measurements of its weights (and, where a
        figure says so, its process's answers, to show only)."""
        trusted = {k: v for k, v in answers.items() if k in self.trusted.probes}
        view = View("yours", trusted, {k: v for k, v in answers.items() if k not in self.trusted.probes},
                    self.inputs, self.namespace, fitted, self.trusted)
        unavailable = {m.name: f"{m.weight_file} was not submitted or does not fit the homework's model"
                       for m in self.settings.models}
        return draw_all(self.figures, view, unavailable=unavailable, reference=self.reference_pictures.__getitem__)

    def prepare(self) -> None:
        """Everything the checks need; cheap once done, so it runs while each student process works."""
        for name in ("inputs", "reference", "thresholds", "trusted", "reference_pictures"):
            getattr(self, name)
        module = self.assignment.module("measures")
        if module is not None and hasattr(module, "prepare"):  # what its figures load once (a reference model)
            module.prepare(self.assignment)

    def grade(self, directory: Path, *, name: str | None = None) -> GradeResult:
        """One submission folder; ``name`` (default: the folder's name) labels its result."""
        notes, fatal, answers, figures, timings, fitted = [], None, {}, {}, {}, {}
        started = time.perf_counter()
        try:
            submission = collect(directory, config=self.config, assignment=self.assignment)
            notes += submission.notes
            notes += [f"{name} is missing from the submission" for name, path in submission.weights.items() if path is None]
            # the submission goes to the server the moment it is ready (a fresh worker's boots meanwhile), while this
            # process prepares and measures the weight files saved under the reference's names (most)
            job = self.server.submit_soon(submission)
            prepared = time.perf_counter()
            self.prepare()
            timings["grader preparation"] = time.perf_counter() - prepared
            clock = time.perf_counter()
            measured, how, fitted = self.trusted.measure(submission.weights, None)
            timings["trusted weights"] = time.perf_counter() - clock
            job = job.result()
            answers = job.answers()
            timings["student process"] = time.perf_counter() - started
            timings["memory MB"] = {"grader": process_peak_rss_mb(), "server": self.server.peak_rss_mb(),
                                    "student process": job.peak_rss_mb}
            unfitted = [m for m in self.settings.models if "does not fit" in str(measured.get(m.probe, {}).get("error", ""))]
            if unfitted:  # fitted again in the order the student's forward uses its tensors
                clock = time.perf_counter()
                again, how_again, fitted_again = self.trusted.measure(submission.weights, answers, unfitted)
                measured, how, fitted = {**measured, **again}, how + how_again, {**fitted, **fitted_again}
                timings["trusted weights"] += time.perf_counter() - clock
            # the weight probes' answers come from here alone, whatever the student's process wrote
            answers = {**{k: v for k, v in answers.items() if k not in self.trusted.probes}, **measured}
            notes += how
            clock = time.perf_counter()
            figures = measure(answers, inputs=self.inputs, assignment=self.assignment)
            timings["figures"] = time.perf_counter() - clock
        except (SubmissionError, SandboxError) as error:
            fatal = f"not graded: {error}"
            self.prepare()
        student = Answers(answers, figures, fatal, models=self.settings.models)
        clock = time.perf_counter()
        checks = run_checks(checks_dir=self.assignment.checks_dir, student=student, reference=self.reference,
                            thresholds=self.thresholds, settings=self.settings, probe_inputs=self.inputs)
        timings["checks"] = time.perf_counter() - clock
        pictures = []
        if self.figures and not fatal:  # nothing to picture when nothing of the submission ran
            clock = time.perf_counter()
            pictures = self.pictures(answers, fitted)
            timings["feedback figures"] = time.perf_counter() - clock
        timings["inside student process"] = answers.get("timings", {}) if isinstance(answers.get("timings"), dict) else {}
        cells = ({str(k): str(v) for k, v in answers["cells"].items()} if isinstance(answers.get("cells"), dict) else {})
        return GradeResult(name or Path(directory).name, checks, notes + cell_notes(cells), fatal, timings,
                           confinement=answers.get("confinement", []), cells=cells,
                           judged=judged_figures(figures, self.assignment), fitted=fitted, pictures=pictures)


def cell_notes(cells: dict[str, str]) -> list[str]:
    """A note per cell that failed or did not run: a cell that defined its names before failing keeps them and its
    checks (``checks.Answers.probe``), so its error is told here rather than as lost points."""
    notes = []
    for cell, status in cells.items():
        name = (f"the code cell {cell.removeprefix('added-')} you added" if cell.startswith("added-")
                else f"the cell `{cell}`")
        if status.startswith("not run"):
            notes.append(f"{name} was {status}")
        elif status.startswith("SyntaxError"):  # nothing of it ran
            notes.append(f"{name} does not parse ({status}): it defined nothing")
        elif status not in ("ok", "missing"):
            notes.append(f"{name} stopped at {status}; grading kept what it had defined before that line")
    return notes

