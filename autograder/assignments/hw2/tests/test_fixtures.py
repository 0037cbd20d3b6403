"""Homework 2 against its fixture library: each submission must get exactly its expected score and messages."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from autograder.engine.assignment import load
from autograder.engine.fixtures import build_all, build_submission, expected, fixture_names, grade_all, mismatches
from autograder.engine.grade import Grader
from autograder.engine.notebook import points

HW2 = load("hw2")
FIXTURES = HW2.fixtures_dir


def build(name: str, dest: Path, config, grader=None) -> Path:
    return build_submission(FIXTURES / name, dest, config=config, assignment=HW2,
                            inputs=(lambda: grader.inputs) if grader else None)

@pytest.fixture(scope="session")
def grader(config, assignment) -> Grader:
    return Grader(config=config, assignment=assignment)


@pytest.fixture(scope="session")
def built(config, grader, tmp_path_factory) -> dict:
    """Every fixture submission's folder, built once for the whole session."""
    return build_all(tmp_path_factory.mktemp("submissions"), grader=grader, config=config, assignment=HW2)


@pytest.fixture(scope="session")
def graded(grader, built) -> dict:
    """Every fixture submission graded alone, once for the whole session."""
    return grade_all(grader, built)


@pytest.mark.parametrize("name", fixture_names(HW2))
def test_fixture_gets_its_expected_score(graded, name):
    assert not mismatches(graded[name], expected(HW2, name), max_score=points(HW2.solution_notebook)[0])


def test_points_add_up_to_the_seeds_autograded_twelve(graded):
    checks = graded["passes_all"].checks
    per_cell = {}
    for check in checks:
        per_cell[check.cell] = per_cell.get(check.cell, 0) + check.max_score
    assert per_cell == {"transform": 1, "dataloaders": 1, "lenet": 3, "model": 1, "encoder": 2, "decoder": 2,
                        "ae_model": 1, "vae_model": 1}


def test_grading_is_deterministic(grader, graded, config, tmp_path):
    again = grader.grade(build("lenet_relu_instead_of_tanh", tmp_path / "again", config, grader))
    first = graded["lenet_relu_instead_of_tanh"]
    assert [(c.name, c.score, c.message) for c in again.checks] == [(c.name, c.score, c.message) for c in first.checks]


def test_feedback_never_shows_check_source(graded):
    source = "".join(p.read_text() for p in HW2.checks_dir.glob("*.py"))
    code_lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 25}
    for result in graded.values():
        for check in result.checks:
            assert not any(line in check.message for line in code_lines), check.message


OTHER_SEEDS = sorted(p for p in HW2.reference_dir.glob("seed*") if p != HW2.reference_weights()
                     and (p / "metrics.json").is_file())


@pytest.mark.parametrize("seed_dir", OTHER_SEEDS, ids=lambda p: p.name)
def test_solution_trained_with_another_seed_gets_full_marks(grader, assignment, tmp_path, seed_dir):
    """The same solution trained with another seed passes everything (tests/test_passmarks.py checks the harder
    case: each run against the marks the other runs give)."""
    shutil.copy(assignment.solution_notebook, tmp_path)
    for name in assignment.settings.weight_files:  # a LeNet-only seed run keeps the reference's AE and VAE
        shutil.copy(seed_dir / name if (seed_dir / name).is_file() else assignment.reference_weights() / name, tmp_path)
    result = grader.grade(tmp_path)
    lost = {c.name: c.message for c in result.checks if c.score < c.max_score}
    assert not lost, lost


def test_command_line_grades_folders_and_exits_zero(config, tmp_path, graded):
    from autograder.cli import main

    out = tmp_path / "out"
    submissions = [tmp_path / "passes_all", tmp_path / "not_a_submission"]
    build("passes_all", submissions[0], config)
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


def test_hostile_code_leaves_nothing_behind(graded, built, grader):
    """No process of a student's user id survives its job, and no malicious pickle was ever unpickled."""
    assert all(result.confinement for name, result in graded.items() if name in HOSTILE and not result.error)
    if os.geteuid() == 0:  # a submission's processes run as user id 100000 + its server's pid (a fork of it: its args)
        processes = [line.split(maxsplit=2) for line in subprocess.run(
            ["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout.splitlines()]
        running = {int(pid) for _, pid, _ in processes}
        ours = grader.server.process.pid if grader.server.process else None
        # a job of a server that is gone, or of this session's server (idle now), is a leftover; another session's
        # grading, running beside this one, is not
        assert [args for uid, _, args in processes if int(uid) >= 100_000
                and (int(uid) - 100_000 not in running or int(uid) - 100_000 == ours)] == []
    assert not any((folder / "pwned").exists() for folder in built.values())


def test_in_a_batch_hostile_submissions_change_no_other_result(config, assignment, built, graded, tmp_path):
    from autograder.engine.grade import grade_submissions

    chosen = ["passes_all", "hostile_fork_bomb_is_capped", "lenet_wrong_kernel", "hostile_os_exit_in_a_cell",
              "hostile_touches_memory_page_by_page", "loaders_unshuffled", "hostile_kills_the_server_and_writes_to_its_pipes",
              "hostile_writes_files_until_the_disk_is_full"]
    results = grade_submissions(submissions={name: built[name] for name in chosen}, out_dir=tmp_path, config=config,
                                assignment=assignment, workers=2)
    for result in results:
        alone = graded[result.submission]
        assert [(c.name, c.score, c.message) for c in result.checks] == [(c.name, c.score, c.message) for c in alone.checks]
        assert json.loads((tmp_path / result.submission / "results.json").read_text())["score"] == alone.score


FORGERIES = sorted(p.name for p in FIXTURES.iterdir() if p.name.startswith("forgery_"))


def test_each_forgery_scores_exactly_its_honest_twin_unless_caught(graded):
    """Untrained weights behind a lying forward, an edited locked cell, patched torch functions or a rebound probe
    module earn nothing more than the same untrained weights submitted honestly: the grader measures weights in its
    own process, and the runner's modules are out of reach. A forgery that changes torch's or the grader's functions
    is caught (autograder/engine/grade/guard.py) and scores less: every check it loses beyond its twin's says so."""
    twin = graded["untrained_weights"]
    twin_lost = {c.name for c in twin.checks if c.score < c.max_score}
    assert len(FORGERIES) >= 6
    caught = 0
    for name in FORGERIES:
        lost = {c.name: c.message for c in graded[name].checks if c.score < c.max_score}
        assert set(lost) >= twin_lost, name
        extra = {check: message for check, message in lost.items() if check not in twin_lost}
        assert all("the notebook changed the grader's code" in message for message in extra.values()), (name, extra)
        assert graded[name].score == twin.score or extra, name
        caught += bool(extra)
    assert 0 < caught < len(FORGERIES)  # both kinds are in the library


def test_fitted_tensors_are_the_submitted_ones_under_the_reference_names(grader, graded, built):
    """What reports drawn from the weights use: every model's submitted tensors, renamed and reordered onto the
    reference's keys, nothing of a file that does not fit."""
    variant = graded["correct_other_names_and_order"]
    assert set(variant.fitted) == {m.name for m in HW2.settings.models}
    for model in HW2.settings.models:
        submitted = sorted(t.sum().item() for t in torch.load(built["correct_other_names_and_order"] / model.weight_file,
                                                              weights_only=True).values())
        assert sorted(t.sum().item() for t in variant.fitted[model.name].values()) == pytest.approx(submitted)
        reference = grader.trusted.model(model.name, variant.fitted[model.name])
        assert list(reference.state_dict()) == list(variant.fitted[model.name])
    assert "lenet" not in graded["lenet_weights_of_another_architecture"].fitted
