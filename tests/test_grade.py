"""The grader against the fixture library: each submission must get exactly its expected score and messages."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import torch

from autograder.config import Config
from autograder.grade import Grader
from autograder.grade.probes import reset_weighted, weighted_layers
from autograder.notebook import run_trusted_cells
from autograder.reference import solution_namespace

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
MODELS = {"lenet5_weights.pth": ("model", "x32"), "mnist_ae_weights.pth": ("ae_model", "x28"),
          "mnist_vae_weights.pth": ("vae_model", "x28")}


def remapped(reference: torch.nn.Module, variant: torch.nn.Module, inputs: torch.Tensor) -> dict:
    """The variant's state_dict holding the reference's trained tensors, matched layer by layer in call order."""
    with torch.no_grad():
        for source, target in zip(weighted_layers(reference, inputs), weighted_layers(variant, inputs)):
            target.weight.copy_(source.weight)
            target.bias.copy_(source.bias)
    return variant.state_dict()


def cell_files(spec: Path, suffix: str, config) -> dict[str, str]:
    """The fixture's ``cells/<grade_id><suffix>`` files by grade_id (``@ROOT@``: the repository's path)."""
    return {p.name[: -len(suffix)]: p.read_text().rstrip("\n").replace("@ROOT@", str(config.root))
            for p in (spec / "cells").glob(f"*{suffix}") if p.name.count(".") == suffix.count(".")}


def build_notebook(spec: Path, recipe: dict, config) -> nbformat.NotebookNode:
    """The solution (or release) notebook with the fixture's cells replaced, extended, deleted or renamed."""
    base = config.release_notebook if recipe.get("base") == "release" else config.solution_notebook
    nb = nbformat.read(base, as_version=4)
    replacements, appended = cell_files(spec, ".py", config), cell_files(spec, ".append.py", config)
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
            assert old in cell.source, f"{spec.name}: no {old!r} in the cell {grade_id}"
            cell.source = cell.source.replace(old, new)
        if grade_id in appended:
            cell.source = cell.source.rstrip("\n") + "\n\n" + appended.pop(grade_id)
        if grade_id in config.definition_cells and "prepend_to_definition_cells" in recipe:
            cell.source = recipe["prepend_to_definition_cells"] + "\n" + cell.source
        if grade_id in recipe.get("rename_cells", {}):
            meta["grade_id"] = recipe["rename_cells"][grade_id]
        (moved if grade_id in recipe.get("move_to_end", []) else kept).append(cell)
    assert not replacements and not appended, f"{spec.name}: no cell with grade_id {sorted({**replacements, **appended})}"
    nb.cells = kept + moved
    return nb


def build_weights(spec: Path, name: str, rule: str, dest: Path, config, grader, variant_ns: dict | None):
    """One weight file of a fixture: the reference's, the fixture's own, absent, untrained, damaged, or remapped."""
    reference_dir = config.reference_weights()
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
        module = copy.deepcopy(solution_namespace(config)[MODELS[name][0]]).cpu()
        if rule == "untrained":
            torch.save(reset_weighted(module, seed=1).state_dict(), dest / name)
        else:  # as a student's torch.save(model, ...) would: pickle finds the class in its notebook's module
            notebook = types.ModuleType("__notebook__")
            notebook.__dict__.update(solution_namespace(config))
            sys.modules["__notebook__"] = notebook
            try:
                torch.save(module, dest / name)
            finally:
                del sys.modules["__notebook__"]
    elif rule == "ae_as_vae":  # a VAE that is a plain autoencoder: mu = the AE's code, no spread
        state = torch.load(reference_dir / "mnist_ae_weights.pth", weights_only=True)
        weight, bias = state["encoder.fc_2.weight"], state["encoder.fc_2.bias"]
        state["encoder.fc_2.weight"] = torch.cat([weight, torch.zeros_like(weight)])
        state["encoder.fc_2.bias"] = torch.cat([bias, torch.full_like(bias, -20.0)])
        torch.save(state, dest / name)
    elif rule == "remap":
        variant_ns = variant_ns or run_trusted_cells(dest / "hw2.ipynb", config.definition_cells,
                                                     {"data_root": str(config.data_root)})
        attribute, input_key = MODELS[name]
        reference = solution_namespace(config)[attribute].cpu()
        reference.load_state_dict(torch.load(reference_dir / name, weights_only=True))
        torch.save(remapped(reference, variant_ns[attribute].cpu(), grader.inputs[input_key]), dest / name)
    elif rule != "missing":
        raise ValueError(f"unknown weight rule {rule}")
    return variant_ns


def build_submission(spec: Path, dest: Path, config, grader) -> Path:
    """A submission folder from a fixture folder (see tests/fixtures/submissions/README.md)."""
    recipe = json.loads((spec / "recipe.json").read_text()) if (spec / "recipe.json").exists() else {}
    dest.mkdir(parents=True)
    notebook_name = recipe.get("notebook_name", "hw2.ipynb")
    if recipe.get("notebook") == "garbage":
        (dest / notebook_name).write_text('{"cells": [ this is not JSON')
    elif recipe.get("notebook") == "other_assignment":  # a valid notebook without any of hw2's grade_ids
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('homework 1')")]),
                       dest / notebook_name)
    elif recipe.get("notebook") != "none":
        nbformat.write(build_notebook(spec, recipe, config), dest / notebook_name)
    for name, source in recipe.get("extra_notebooks", {}).items():
        shutil.copy(config.release_notebook if source == "release" else config.solution_notebook, dest / name)
    variant_ns = None
    for name in config.weight_files:
        variant_ns = build_weights(spec, name, recipe.get("weights", {}).get(name, "reference"), dest, config,
                                   grader, variant_ns)
    return dest


@pytest.fixture(scope="session")
def grader(config) -> Grader:
    return Grader(config=config)


@pytest.fixture(scope="session")
def built(config, grader, tmp_path_factory) -> dict:
    """Every fixture submission's folder, built once for the whole session."""
    root = tmp_path_factory.mktemp("submissions")
    return {spec.name: build_submission(spec, root / spec.name, config, grader)
            for spec in sorted(p for p in FIXTURES.iterdir() if p.is_dir())}


@pytest.fixture(scope="session")
def graded(grader, built) -> dict:
    """Every fixture submission graded alone, one after another, once for the whole session."""
    return {name: grader.grade(folder) for name, folder in built.items()}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_fixture_gets_its_expected_score(graded, name):
    expected = json.loads((FIXTURES / name / "expected.json").read_text())
    result = graded[name]
    lost = {c.name: c.message for c in result.checks if c.score < c.max_score}
    if expected["lost"] == "all":
        assert result.score == 0 and all(lost[c.name] for c in result.checks)
        assert all(expected.get("message", "") in message for message in lost.values())
    else:
        assert sorted(lost) == sorted(expected["lost"]), lost
        for check, fragment in expected["lost"].items():
            assert fragment in lost[check]
    assert result.score == pytest.approx(expected["score"])
    assert result.max_score == 12
    if "note" in expected:
        assert any(expected["note"] in note for note in result.notes), result.notes
    for cell, fragment in expected.get("cells", {}).items():  # what happened inside a cell that carries no points
        assert fragment in result.cells.get(cell, ""), result.cells


def test_points_add_up_to_the_seeds_autograded_twelve(graded):
    checks = graded["passes_all"].checks
    per_cell = {}
    for check in checks:
        per_cell[check.cell] = per_cell.get(check.cell, 0) + check.max_score
    assert per_cell == {"transform": 1, "dataloaders": 1, "lenet": 3, "model": 1, "encoder": 2, "decoder": 2,
                        "ae_model": 1, "vae_model": 1}


def test_grading_is_deterministic(grader, graded, config, tmp_path):
    again = grader.grade(build_submission(FIXTURES / "lenet_relu_instead_of_tanh", tmp_path / "again", config, grader))
    first = graded["lenet_relu_instead_of_tanh"]
    assert [(c.name, c.score, c.message) for c in again.checks] == [(c.name, c.score, c.message) for c in first.checks]


def test_feedback_never_shows_check_source(graded):
    source = "".join(p.read_text() for p in (Path(__file__).parents[1] / "autograder" / "checks").glob("test_*.py"))
    code_lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 25}
    for result in graded.values():
        for check in result.checks:
            assert not any(line in check.message for line in code_lines), check.message


OTHER_SEEDS = sorted(p for p in Config().reference_dir.glob("seed*") if p != Config().reference_weights()
                     and (p / "metrics.json").is_file())


@pytest.mark.parametrize("seed_dir", OTHER_SEEDS, ids=lambda p: p.name)
def test_solution_trained_with_another_seed_gets_full_marks(grader, config, tmp_path, seed_dir):
    """Thresholds leave room for training noise: the same solution trained with another seed passes everything."""
    shutil.copy(config.solution_notebook, tmp_path)
    for name in config.weight_files:  # a LeNet-only seed run keeps the reference's AE and VAE
        shutil.copy(seed_dir / name if (seed_dir / name).is_file() else config.reference_weights() / name, tmp_path)
    result = grader.grade(tmp_path)
    assert result.score == 12, [(c.name, c.message) for c in result.checks if c.score < c.max_score]


def test_command_line_grades_folders_and_exits_zero(config, tmp_path, graded):
    from autograder.cli import main

    out = tmp_path / "out"
    submissions = [tmp_path / "passes_all", tmp_path / "not_a_submission"]
    build_submission(FIXTURES / "passes_all", submissions[0], config, None)
    submissions[1].mkdir()
    assert main(["grade", *map(str, submissions), "--out", str(out)]) == 0
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert rows["passes_all"]["score"] == "12" and rows["not_a_submission"]["score"] == "0"
    assert "no notebook found" in rows["not_a_submission"]["error"]
    results = json.loads((out / "passes_all" / "results.json").read_text())
    assert results["score"] == 12 and len(results["tests"]) == len(graded["passes_all"].checks)


HOSTILE = sorted(p.name for p in FIXTURES.iterdir() if p.name.startswith("hostile_"))


def test_the_corpus_of_broken_and_hostile_submissions_has_at_least_30_cases():
    correct = {p.name for p in FIXTURES.iterdir() if p.name.startswith(("passes_all", "correct_"))}
    broken = {p.name for p in FIXTURES.iterdir() if p.is_dir()} - correct
    assert len(broken) >= 30 and len(HOSTILE) >= 15, sorted(broken)


def test_hostile_code_leaves_nothing_behind(graded, built):
    """No process of a student's user id survives its job, and no malicious pickle was ever unpickled."""
    assert all(result.confinement for name, result in graded.items() if name in HOSTILE and not result.error)
    if os.geteuid() == 0:  # student processes run as user ids from 100000 on
        leftovers = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout.splitlines()
        assert [line for line in leftovers if int(line.split()[0]) >= 100_000 and "student_server" not in line] == []
    assert not any((folder / "pwned").exists() for folder in built.values())


def test_in_a_batch_hostile_submissions_change_no_other_result(config, built, graded, tmp_path):
    from autograder.grade import grade_submissions

    chosen = ["passes_all", "hostile_fork_bomb_is_capped", "lenet_wrong_kernel", "hostile_os_exit_in_a_cell",
              "hostile_touches_memory_page_by_page", "loaders_unshuffled", "hostile_kills_the_server_and_writes_to_its_pipes",
              "hostile_writes_files_until_the_disk_is_full"]
    results = grade_submissions(submissions={name: built[name] for name in chosen}, out_dir=tmp_path, config=config,
                                workers=2)
    for result in results:
        alone = graded[result.submission]
        assert [(c.name, c.score, c.message) for c in result.checks] == [(c.name, c.score, c.message) for c in alone.checks]
        assert json.loads((tmp_path / result.submission / "results.json").read_text())["score"] == alone.score
