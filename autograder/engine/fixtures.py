"""Fixture submissions: folders built from an assignment's ``fixtures/<name>/`` specs (see hw2's fixtures/README.md).

Each spec names what it must get (``expected.json``); the submission is the solution notebook (or the release)
with the spec's cells replaced, extended, deleted or renamed, beside weight files made by a rule. Used by the
tests, by ``make bench`` and by ``examples.build_class``.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
import types
from pathlib import Path

import nbformat
import torch

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.grade.probing import reset_weighted, weighted_layers
from autograder.engine.notebook import run_trusted_cells
from autograder.engine.reference import solution_namespace


def fixture_names(assignment: Assignment) -> list[str]:
    folder = assignment.fixtures_dir
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def expected(assignment: Assignment, name: str) -> dict:
    return json.loads((assignment.fixtures_dir / name / "expected.json").read_text())


def remapped(reference: torch.nn.Module, variant: torch.nn.Module, inputs: torch.Tensor) -> dict:
    """The variant's state_dict holding the reference's trained tensors, matched layer by layer in call order."""
    with torch.no_grad():
        for source, target in zip(weighted_layers(reference, inputs), weighted_layers(variant, inputs)):
            target.weight.copy_(source.weight)
            target.bias.copy_(source.bias)
    return variant.state_dict()


def cell_files(spec: Path, suffix: str, config: Config) -> dict[str, str]:
    """The fixture's ``cells/<grade_id><suffix>`` files by grade_id (``@ROOT@``: the repository's path)."""
    return {p.name[: -len(suffix)]: p.read_text().rstrip("\n").replace("@ROOT@", str(config.root))
            for p in (spec / "cells").glob(f"*{suffix}") if p.name.count(".") == suffix.count(".")}


def build_notebook(spec: Path, recipe: dict, *, config: Config, assignment: Assignment) -> nbformat.NotebookNode:
    """The solution (or release) notebook with the fixture's cells replaced, extended, deleted or renamed."""
    base = assignment.release_notebook if recipe.get("base") == "release" else assignment.solution_notebook
    nb = nbformat.read(base, as_version=4)
    replacements, appended = cell_files(spec, ".py", config), cell_files(spec, ".append.py", config)
    added = cell_files(spec, ".after.py", config)
    kept, moved = [], []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id in recipe.get("delete_cells", []):
            continue
        if grade_id in recipe.get("duplicate_cells", []):  # an untouched copy first, the fixture's cell after it
            kept.append(copy.deepcopy(cell))
            kept[-1]["id"] = f"{cell.get('id', grade_id)}-copy"  # nbformat wants cell ids unique
        if grade_id in replacements:
            cell.source = replacements.pop(grade_id)
        for old, new in recipe.get("substitute", {}).get(grade_id, []):
            if old not in cell.source:
                raise ValueError(f"{spec.name}: no {old!r} in the cell {grade_id}")
            cell.source = cell.source.replace(old, new)
        if grade_id in appended:
            cell.source = cell.source.rstrip("\n") + "\n\n" + appended.pop(grade_id)
        if grade_id in assignment.settings.definition_cells and "prepend_to_definition_cells" in recipe:
            cell.source = recipe["prepend_to_definition_cells"] + "\n" + cell.source
        if grade_id in recipe.get("rename_cells", {}):
            meta["grade_id"] = recipe["rename_cells"][grade_id]
        (moved if grade_id in recipe.get("move_to_end", []) else kept).append(cell)
        if grade_id in added:  # a cell the student added: no nbgrader metadata
            kept.append(nbformat.v4.new_code_cell(added.pop(grade_id)))
    if replacements or appended or added:
        raise ValueError(f"{spec.name}: no cell with grade_id {sorted({**replacements, **appended, **added})}")
    nb.cells = kept + moved
    return nb


class _Builder:
    """Weight files for one fixture; the variant's own namespace is executed at most once."""

    def __init__(self, spec: Path, dest: Path, *, config: Config, assignment: Assignment, inputs):
        self.spec, self.dest, self.config, self.assignment, self.inputs = spec, dest, config, assignment, inputs
        self.variant_ns: dict | None = None

    def build(self, name: str, rule: str) -> None:
        spec, dest, assignment = self.spec, self.dest, self.assignment
        reference_dir = assignment.reference_weights()
        model = next(m for m in assignment.settings.models if m.weight_file == name)
        extra = assignment.module("fixture_weights")
        if rule == "reference":
            shutil.copy(reference_dir / name, dest / name)
        elif rule == "fixture":
            shutil.copy(spec / name, dest / name)
        elif rule.startswith("copy:"):
            shutil.copy(reference_dir / rule[5:], dest / name)
        elif rule == "truncated":
            (dest / name).write_bytes((reference_dir / name).read_bytes()[:5000])
        elif rule == "empty":
            (dest / name).write_bytes(b"")
        elif rule == "huge":  # sparse: 2 GB to the grader, nothing on disk
            with open(dest / name, "wb") as handle:
                handle.truncate(2 << 30)
        elif rule.startswith("symlink:"):
            (dest / name).symlink_to(rule[8:])
        elif rule == "malicious_pickle":  # runs a shell command when unpickled by a full (unsafe) torch.load
            class Exploit:
                def __reduce__(self):
                    return (os.system, (f"touch {dest / 'pwned'}",))

            torch.save({"conv1.weight": Exploit()}, dest / name)
        elif rule in ("untrained", "pickled_model"):
            solution = solution_namespace(assignment=assignment, config=self.config)
            module = copy.deepcopy(solution[model.attribute]).cpu()
            if rule == "untrained":
                torch.save(reset_weighted(module, seed=1).state_dict(), dest / name)
            else:  # as a student's torch.save(model, ...) would: pickle finds the class in its notebook's module
                notebook = types.ModuleType("__notebook__")
                notebook.__dict__.update(solution)
                sys.modules["__notebook__"] = notebook
                try:
                    torch.save(module, dest / name)
                finally:
                    del sys.modules["__notebook__"]
        elif rule == "remap":
            if self.variant_ns is None:
                self.variant_ns = run_trusted_cells(dest / f"{assignment.id}.ipynb", assignment.settings.definition_cells,
                                                    {"data_root": str(self.config.data_root)})
            reference = solution_namespace(assignment=assignment, config=self.config)[model.attribute].cpu()
            reference.load_state_dict(torch.load(reference_dir / name, weights_only=True))
            torch.save(remapped(reference, self.variant_ns[model.attribute].cpu(), self.inputs()[model.input_key]),
                       dest / name)
        elif extra is not None and rule in extra.RULES:
            extra.RULES[rule](reference_dir=reference_dir, destination=dest / name)
        elif rule != "missing":
            raise ValueError(f"{spec.name}: unknown weight rule {rule}")


def build_submission(spec: Path, dest: Path, *, config: Config, assignment: Assignment, inputs=None) -> Path:
    """A submission folder from a fixture folder; ``inputs``: a function returning the probe inputs (for ``remap``)."""
    recipe = json.loads((spec / "recipe.json").read_text()) if (spec / "recipe.json").exists() else {}
    dest.mkdir(parents=True)
    notebook_name = recipe.get("notebook_name", f"{assignment.id}.ipynb")
    if recipe.get("notebook") == "garbage":
        (dest / notebook_name).write_text('{"cells": [ this is not JSON')
    elif recipe.get("notebook") == "other_assignment":  # a valid notebook without any of the assignment's grade_ids
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('homework 1')")]),
                       dest / notebook_name)
    elif recipe.get("notebook") != "none":
        nbformat.write(build_notebook(spec, recipe, config=config, assignment=assignment), dest / notebook_name)
    for name, source in recipe.get("extra_notebooks", {}).items():
        shutil.copy(assignment.release_notebook if source == "release" else assignment.solution_notebook, dest / name)
    if inputs is None:
        def inputs():
            from autograder.engine.grade.inputs import probe_inputs_file

            return torch.load(probe_inputs_file(config=config, assignment=assignment), weights_only=True)
    builder = _Builder(spec, dest, config=config, assignment=assignment, inputs=inputs)
    for name in assignment.settings.weight_files:
        builder.build(name, recipe.get("weights", {}).get(name, "reference"))
    return dest


def build_all(root: Path, *, grader, config: Config, assignment: Assignment) -> dict[str, Path]:
    """Every fixture submission of ``assignment`` built under ``root`` (once per test session)."""
    return {name: build_submission(assignment.fixtures_dir / name, root / name, config=config, assignment=assignment,
                                   inputs=lambda: grader.inputs) for name in fixture_names(assignment)}


def grade_all(grader, folders: dict[str, Path]) -> dict:
    """Each folder graded alone, one after another, with its wall time in ``timings["wall"]``; a grader fault
    becomes that submission's ungraded result (as in a batch), so it fails that fixture's test alone."""
    import time

    from autograder.engine.grade import GradeResult

    results = {}
    for name, folder in folders.items():
        started = time.perf_counter()
        try:
            results[name] = grader.grade(folder)
        except Exception as error:
            results[name] = GradeResult(name, [], error=f"grader fault: {type(error).__name__}: {error}", graded=False)
        results[name].timings["wall"] = time.perf_counter() - started
    return results


def mismatches(result, wanted: dict, *, max_score: float) -> list[str]:
    """How a graded fixture differs from its ``expected.json`` (see fixtures/README.md); empty when it matches."""
    if not result.graded:
        return [f"not graded: {result.error}"]
    lost = {c.name: c.message for c in result.checks if c.score < c.max_score}
    problems = []
    if wanted["lost"] == "all":
        if result.score != 0 or not all(lost.get(c.name) for c in result.checks):
            problems.append(f"expected every check lost with a message, lost {lost}")
        problems += [f"{check}: {message!r} lacks {wanted['message']!r}" for check, message in lost.items()
                     if wanted.get("message", "") not in message]
    else:
        if sorted(lost) != sorted(wanted["lost"]):
            problems.append(f"lost {lost}, expected {sorted(wanted['lost'])}")
        problems += [f"{check}: {lost[check]!r} lacks {fragment!r}" for check, fragment in wanted["lost"].items()
                     if check in lost and fragment not in lost[check]]
    if abs(result.score - wanted["score"]) > 1e-9:
        problems.append(f"score {result.score}, expected {wanted['score']}")
    if result.max_score != max_score:
        problems.append(f"out of {result.max_score}, the notebook's autograded points are {max_score}")
    if "note" in wanted and not any(wanted["note"] in note for note in result.notes):
        problems.append(f"no note contains {wanted['note']!r}: {result.notes}")
    problems += [f"cell {cell}: {result.cells.get(cell, '')!r} lacks {fragment!r}"
                 for cell, fragment in wanted.get("cells", {}).items() if fragment not in result.cells.get(cell, "")]
    return problems
