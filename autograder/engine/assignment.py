"""One assignment as the engine sees it: a folder named after its id, found under ``Config.assignments_dir``.

The folder is a Python package holding (see README.md, "Adding an assignment"):

* ``__init__.py``: ``SETTINGS``, an instance of a subclass of ``AssignmentSettings``;
* ``probes.py``: ``PLAN``, the questions the student's process answers, and optionally ``build_inputs``, the fixed
  inputs they are asked on. It is copied into the student's runner, so it imports only the standard library,
  torch and ``autograder.engine.grade.probing``;
* ``checks/test_*.py``: the hidden pytest checks, each marked with ``points`` from ``autograder.engine.grade.checks``;
* optionally ``measures.py`` (``figures``: what the grader computes from the answers of weight probes),
  ``thresholds.py`` (``thresholds``: the pass marks of weight checks), ``fixture_weights.py`` (``RULES``: extra
  ways to build a fixture's weight file), and the folders ``reference/seed<n>/``, ``fixtures/`` and ``tests/``.

The solution notebook is ``solutions/<id>/<id>.ipynb`` and the released one ``assignments/<id>/<id>.ipynb``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from autograder.engine.config import ROOT, Config, setting


@dataclass(frozen=True)
class WeightedModel:
    """A model the student trains and submits as a weight file."""

    name: str          # short name used by checks and figures ("lenet")
    weight_file: str   # what the notebook saves next to itself
    cell: str          # grade_id of the cell that creates the model
    probe: str         # probe that loads the weights and answers with the model's outputs
    attribute: str     # the model object's name in the notebook's namespace
    input_key: str     # probe input a forward pass takes (to trace its layers)


@dataclass(frozen=True)
class SpeedTargets:
    """What `make bench` holds one assignment's grading to, on the project's 2-core CPU machine, idle."""

    per_minute_2_workers: float = setting(50.0, "Complete submissions graded per minute with --workers 2, a class of the assignment's class_mix.")
    cold_seconds: float = setting(10.0, "Seconds one `python -m autograder grade DIR` of the reference takes, start to end (median).")
    times_nbgrader: float = setting(0.0, "nbgrader autograde's time per submission over ours with --workers 2, at least (0: reported, no target).")


@dataclass(frozen=True)
class AssignmentSettings:
    """What every assignment states; an assignment subclasses this to add its own margins."""

    id: str = setting("", "nbgrader assignment id; also the notebook's file name without .ipynb and the folder's name.")
    title: str = setting("", "The assignment's name as students know it, shown in feedback and reports.")
    definition_cells: tuple = setting((), "grade_ids of the cells that only define things; grading runs these and nothing else (no training, no plots).")
    models: tuple = setting((), "The trained models a submission holds (WeightedModel: weight file, cell, probe).")
    reference_seed: int = setting(0, "Seed of the reference run the checks compare against (reference/seed<n>/).")
    training_cells: tuple = setting((), "(grade_id, model name) of each cell that trains a model (reference runs, `make bench`'s nbgrader comparison).")
    epoch_parameters: tuple = setting((), "(model name, notebook parameter) of each model's number of training epochs: a reference run of some models sets the others' to 0.")
    class_mix: tuple = setting((), "Fixture names a generated class cycles through (`make bench`, the batch tests): complete submissions, every weight file present, right and plausibly wrong, so that a class's timing measures full work.")
    grader_only_inputs: tuple = setting((), "Keys of the probe inputs only the grader's own weight probes use (test sets): the student's process never receives them.")
    structural_checks: tuple = setting((), "Hidden checks of the form of what students build (types, layers, shapes, sizes, settings the notebook states), not of values: `selfcheck-report` counts a fixture that loses one as a structural mistake, which a self-check should catch.")
    forbidden_calls: tuple = setting((), "(dotted name, message in the notebook's own words) of each library call the notebook forbids in an answer, e.g. (\"torch.distributions.ContinuousBernoulli\", \"write the log-density yourself; the notebook forbids torch.distributions here\"). In the student's process it is replaced, from before the first cell until the answers are written, by a function raising ForbiddenCall(message) (autograder/engine/grade/guard.py); name it as the notebook imports it, and each other path to the same object too (torch.distributions.continuous_bernoulli.ContinuousBernoulli).")
    speed_targets: SpeedTargets = setting(SpeedTargets(), "What `make bench` holds this assignment's grading to (SpeedTargets: submissions a minute with 2 workers, a cold grading's seconds, times nbgrader).")
    delayed_checks: tuple = setting((), "Checks whose Gradescope results carry the engine's delayed_visibility: they run the student's classes on inputs the student never sees, so an immediate verdict would let a student tune against the reference.")

    @property
    def weight_files(self) -> tuple[str, ...]:
        return tuple(model.weight_file for model in self.models)


class AssignmentError(ValueError):
    """No such assignment, or it cannot be inferred; the message lists what there is."""


@dataclass(frozen=True)
class Assignment:
    """An assignment folder and the paths and modules that follow from it (picklable: workers reload it)."""

    id: str
    folder: Path
    root: Path

    @property
    def settings(self) -> AssignmentSettings:
        return self.package.SETTINGS

    @property
    def package(self) -> ModuleType:
        return _import(self.folder)

    def module(self, name: str) -> ModuleType | None:
        """The folder's module ``name``, or None when the assignment has none."""
        if not (self.folder / f"{name}.py").is_file():
            return None
        return importlib.import_module(f"{self.package.__name__}.{name}")

    @property
    def solution_notebook(self) -> Path:
        return self.root / "solutions" / self.id / f"{self.id}.ipynb"

    @property
    def release_notebook(self) -> Path:
        return self.root / "assignments" / self.id / f"{self.id}.ipynb"

    @property
    def probes_file(self) -> Path:
        return self.folder / "probes.py"

    @property
    def checks_dir(self) -> Path:
        return self.folder / "checks"

    @property
    def fixtures_dir(self) -> Path:
        return self.folder / "fixtures"

    @property
    def reference_dir(self) -> Path:
        return self.folder / "reference"

    def reference_weights(self, seed: int | None = None) -> Path:
        return self.reference_dir / f"seed{self.settings.reference_seed if seed is None else seed}"

    def model(self, name: str) -> WeightedModel:
        return next(m for m in self.settings.models if m.name == name)


def _import(folder: Path) -> ModuleType:
    """The package in ``folder`` (an assignment, or the folder of assignments): by its dotted name inside this
    repository, by file location elsewhere."""
    if folder.is_relative_to(ROOT):
        return importlib.import_module(".".join(folder.relative_to(ROOT).parts))
    name = folder.name
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def assignment_ids(config: Config = Config()) -> list[str]:
    """Every assignment folder under ``config.assignments_dir``, sorted."""
    return sorted(p.name for p in Path(config.assignments_dir).iterdir()
                  if (p / "__init__.py").is_file() and (p / "probes.py").is_file())


def default(config: Config = Config()) -> Assignment:
    """``config.default_assignment``, else the assignments folder's DEFAULT, else its first assignment."""
    folder = Path(config.assignments_dir)
    chosen = config.default_assignment
    if not chosen and (folder / "__init__.py").is_file():
        chosen = getattr(_import(folder), "DEFAULT", "")
    return load(chosen or next(iter(assignment_ids(config)), ""), config)


@cache
def load(assignment_id: str, config: Config = Config()) -> Assignment:
    """The assignment ``assignment_id``; an unknown id is an error that lists the known ones."""
    known = assignment_ids(config)
    if assignment_id not in known:
        raise AssignmentError(f"no assignment {assignment_id!r}: the assignments are {', '.join(known)} "
                              f"(folders of {config.assignments_dir})")
    assignment = Assignment(assignment_id, Path(config.assignments_dir) / assignment_id, Path(config.root))
    if assignment.settings.id != assignment_id:
        raise AssignmentError(f"{assignment.folder}/__init__.py declares the id {assignment.settings.id!r}; "
                              f"it must be the folder's name, {assignment_id!r}")
    return assignment


def graded_ids(notebook: Path) -> set[str]:
    """The grade_ids of a notebook's code cells (nothing when it cannot be read)."""
    from autograder.engine.notebook import NotebookError, graded_code_cells

    try:
        return {grade_id for grade_id, _ in graded_code_cells(notebook)}
    except NotebookError:
        return set()


def infer(submissions: list[Path], *, config: Config = Config()) -> tuple[Assignment, str]:
    """The assignment the submissions are for, and how it was found.

    A notebook named ``<id>.ipynb`` names it; otherwise the notebooks' graded cells must belong to exactly one
    assignment's definition cells. Submissions that say nothing (no notebook) do not vote.
    """
    known = {assignment_id: load(assignment_id, config) for assignment_id in assignment_ids(config)}
    votes: dict[str, set[str]] = {}
    for folder in map(Path, submissions):
        notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
        named = {p.stem for p in notebooks} & set(known)
        if named:
            for assignment_id in named:
                votes.setdefault(assignment_id, set()).add(folder.name)
            continue
        for notebook in notebooks:
            cells = graded_ids(notebook)
            # "parameters" is every notebook's papermill cell (the engine's override point): it names no assignment
            matching = [i for i, a in known.items() if cells & (set(a.settings.definition_cells) - {"parameters"})]
            if len(matching) == 1:
                votes.setdefault(matching[0], set()).add(folder.name)
    if len(votes) == 1:
        [(assignment_id, folders)] = votes.items()
        return known[assignment_id], f"inferred from the notebooks of {len(folders)} submission(s)"
    if not votes:
        return default(config), "no notebook names an assignment: the default"
    found = "; ".join(f"{i}: {', '.join(sorted(f)[:3])}" for i, f in sorted(votes.items()))
    raise AssignmentError(f"the submissions are for more than one assignment ({found}): grade each assignment "
                          "separately with --assignment ID")
