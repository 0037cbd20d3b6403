"""The integrity report over a small graded class of hw2 whose every pair is known, and over the reference runs.

The class (graded once, by ``grade_submissions``, which writes the report itself):

* alice: the solution's code, reference run seed1's weights for all three models;
* bob: every graded cell written differently (the cells of hw2 fixtures correct_sequential and
  correct_positional_and_v2 together), runs seed2 (LeNet-5) and seed3 (AE, VAE);
* carol: hw2 fixture correct_other_names_and_order: the reference seed0 tensors saved from classes with other
  attribute names (other bytes, the same tensors);
* dave: hw2 fixture correct_functional_pooling with the reference seed0 files as they are;
* erin: the solution's code; LeNet-5 = alice's trained 300 more batches with another seed and 3 times the learning
  rate (``tests/integrity_class/erin/lenet5_weights.pth``: ``integrity.finetune.train_further(assignment=hw2,
  model="lenet", start=<reference/seed1/lenet5_weights.pth>, seed=7, batches=300, lr_factor=3)``); seed1's
  VAE file as its AE (it does not fit the AE); a VAE file cut short;
* frank: bob's cells with names changed and statements reordered (``tests/integrity_class/frank``); run seed4's
  LeNet-5, bob's AE file, an untrained VAE.
"""

from __future__ import annotations

import copy
import csv
import itertools
import shutil
from pathlib import Path

import pytest
import torch

from autograder.cli import main
from autograder.engine.assignment import assignment_ids, load
from autograder.engine.fixtures import build_submission
from autograder.engine.grade import grade_submissions
from autograder.engine.grade.probing import reset_weighted
from autograder.engine.integrity.records import reference_records
from autograder.engine.integrity.weights import similarity, threshold, upper
from autograder.engine.reference import solution_namespace

HERE = Path(__file__).parent / "integrity_class"
FILES = {"lenet": "lenet5_weights.pth", "ae": "mnist_ae_weights.pth", "vae": "mnist_vae_weights.pth"}
CLASS = {  # name: (code spec, a hw2 fixture or several fixtures' cells together; weights by model: a reference
    # run, a file, untrained, another's)
    "alice": ("passes_all", {"lenet": ("run", 1), "ae": ("run", 1), "vae": ("run", 1)}),
    "bob": (("correct_sequential", "correct_positional_and_v2"), {"lenet": ("run", 2), "ae": ("run", 3), "vae": ("run", 3)}),
    "carol": ("correct_other_names_and_order", {}),
    "dave": ("correct_functional_pooling", {}),
    "erin": ("passes_all", {"lenet": ("file", HERE / "erin" / FILES["lenet"]), "ae": ("other", (1, "vae")),
                            "vae": ("cut", 5000)}),
    "frank": (HERE / "frank", {"lenet": ("run", 4), "ae": ("student", "bob"), "vae": ("untrained", 31)}),
}


def put_weights(folder: Path, weights: dict, *, built: dict, config, assignment) -> None:
    for model, (rule, value) in weights.items():
        target = folder / FILES[model]
        if rule == "run":
            shutil.copy(assignment.reference_weights(value) / FILES[model], target)
        elif rule == "other":  # another model's file of a run under this model's name
            shutil.copy(assignment.reference_weights(value[0]) / FILES[value[1]], target)
        elif rule == "file":
            shutil.copy(value, target)
        elif rule == "student":
            shutil.copy(built[value] / FILES[model], target)
        elif rule == "cut":
            target.write_bytes(target.read_bytes()[:value])
        else:
            module = copy.deepcopy(solution_namespace(assignment=assignment, config=config)[assignment.model(model).attribute])
            torch.save(reset_weighted(module.cpu(), seed=value).state_dict(), target)


def spec_folder(spec, *, fixtures: Path, scratch: Path) -> Path:
    """The folder ``build_submission`` reads: a path as it is, a fixture by name, or the cells of several fixtures
    (different cells each) copied together into ``scratch``."""
    if isinstance(spec, Path):
        return spec
    if isinstance(spec, str):
        return fixtures / spec
    (scratch / "cells").mkdir(parents=True)
    for name in spec:
        for cell in (fixtures / name / "cells").glob("*.py"):
            if (scratch / "cells" / cell.name).exists():
                raise ValueError(f"{cell.name} is in two of {spec}: which one the submission holds is unclear")
            shutil.copy(cell, scratch / "cells")
    return scratch


@pytest.fixture(scope="module")
def hw2():
    return load("hw2")


@pytest.fixture(scope="module")
def graded(config, hw2, tmp_path_factory):
    root = tmp_path_factory.mktemp("integrity")
    built = {}
    for name, (spec, weights) in CLASS.items():
        spec = spec_folder(spec, fixtures=hw2.fixtures_dir, scratch=root / "specs" / name)
        built[name] = build_submission(spec, root / "class" / name, config=config, assignment=hw2)
        put_weights(built[name], weights, built=built, config=config, assignment=hw2)
    out = root / "out"
    results = grade_submissions(submissions=built, out_dir=out, assignment=hw2, config=config)
    return out, built, results


def flags(out: Path) -> dict[tuple, dict]:
    rows = csv.DictReader(open(out / "integrity" / "integrity.csv"))
    return {(r["model"], r["kind"], *sorted((r["student_a"], r["student_b"]))): r for r in rows}


def kinds(out: Path, a: str, b: str) -> dict[str, str]:
    """What was flagged for the pair (a, b), by model."""
    return {model: kind for (model, kind, x, y) in flags(out) if {x, y} == {a, b}}


def test_the_same_tensors_under_other_names_are_the_same_weights_and_the_same_bytes_the_same_file(graded):
    out, _, _ = graded
    # LeNet-5 saved from classes with other attribute names; its AE and VAE classes name them as the reference does
    assert kinds(out, "carol", "dave") == {"lenet": "same-weights", "ae": "same-file", "vae": "same-file"}


def test_a_copy_trained_300_batches_more_with_another_seed_and_learning_rate_stands_out(graded):
    out, _, _ = graded
    assert kinds(out, "alice", "erin") == {"lenet": "related-weights", "": "code"}  # both the solution's code
    row = flags(out)[("lenet", "related-weights", "alice", "erin")]
    assert float(row["score"]) > 0.9 > float(row["threshold"])
    assert "above the most similar pair of independent reference runs" in row["evidence"]


def test_one_model_copied_of_three_is_flagged_for_that_model_alone(graded):
    out, _, _ = graded
    assert kinds(out, "bob", "frank") == {"ae": "same-file", "": "code"}


def test_code_copied_with_other_names_and_order_is_flagged_and_independent_code_is_not(graded):
    out, _, _ = graded
    row = flags(out)[("", "code", "bob", "frank")]
    assert float(row["score"]) >= float(row["threshold"])
    assert "" not in kinds(out, "alice", "bob") and "" not in kinds(out, "bob", "dave")
    pages = list((out / "integrity" / "code").glob("pair*.html"))
    assert pages and all("<mark>" in page.read_text() for page in pages)


def test_the_reference_weights_are_flagged_as_such(graded):
    found = {(model, a, b) for (model, kind, a, b) in flags(graded[0]) if kind == "reference"}
    for model in FILES:
        assert (model, "dave", "reference run seed0") in found and (model, "carol", "reference run seed0") in found
        assert (model, "alice", "reference run seed1") in found
    assert ("lenet", "erin", "reference run seed1") in found  # trained further from seed1
    assert not any(a == "erin" and model != "lenet" for model, a, _ in found)


def test_bad_weights_are_listed_as_not_compared_and_scores_are_untouched(graded):
    out, _, results = graded
    page = (out / "integrity" / "index.html").read_text()
    assert "<li>erin, vae: unreadable: mnist_vae_weights.pth is not a readable PyTorch weight file" in page
    assert "<li>erin, ae: mnist_ae_weights.pth does not fit the reference&#x27;s architecture</li>" in page
    assert not {"ae", "vae"} & {model for a, b in itertools.permutations(CLASS, 2) if "erin" in (a, b)
                                for model in kinds(out, a, b)}
    assert "data:image/png;base64," in page and "not a finding" in page
    assert {r.submission: r.graded for r in results} == dict.fromkeys(CLASS, True)


def test_a_rerun_that_skips_every_submission_reports_from_what_grading_kept_as_the_command_does(config, hw2, graded):
    out, built, _ = graded
    first = (out / "integrity" / "integrity.csv").read_text()
    stamp = (out / "integrity" / "integrity.csv").stat().st_mtime_ns
    grade_submissions(submissions=built, out_dir=out, assignment=hw2, config=config)
    assert (out / "integrity" / "integrity.csv").stat().st_mtime_ns == stamp  # nothing graded: the report stays
    shutil.rmtree(out / "integrity")
    grade_submissions(submissions=built, out_dir=out, assignment=hw2, config=config)  # every one skipped
    assert (out / "integrity" / "integrity.csv").read_text() == first
    shutil.rmtree(out / "integrity")
    assert main(["integrity", str(out)]) == 0  # the assignment: the folder's name, else the default (hw2)
    assert (out / "integrity" / "integrity.csv").read_text() == first


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_no_reference_run_is_flagged_against_the_threshold_the_others_give(config, assignment_id):
    """Leave one out: each committed run against the threshold set by the other runs alone (no class)."""
    assignment = load(assignment_id)
    runs = reference_records(assignment)
    for model in assignment.settings.models:
        states = [r.states[model.name] for r in runs if model.name in r.states]
        assert len(states) >= 3, f"{assignment_id} {model.name}: {len(states)} runs"
        score = similarity(states).score
        for left_out in range(len(states)):
            others = [i for i in range(len(states)) if i != left_out]
            cut, _ = threshold(independent=upper(score[others][:, others], range(len(others))),
                               class_pairs=torch.zeros(0), margin=config.integrity_weights_margin,
                               ceiling=config.integrity_weights_ceiling)
            assert all(float(score[left_out, i]) < cut for i in others), (assignment_id, model.name, left_out)
    if not assignment.settings.models:  # nothing submitted to compare: only code (bending)
        assert not any(model for r in runs for model in r.states)


def test_independent_runs_lie_far_below_the_threshold():
    """What the margin rests on: every pair of independent runs of every model under 0.1 (README's table)."""
    for assignment_id in assignment_ids():
        assignment = load(assignment_id)
        for model in assignment.settings.models:
            states = [r.states[model.name] for r in reference_records(assignment) if model.name in r.states]
            pairs = upper(similarity(states).score, range(len(states)))
            assert float(pairs.max()) < 0.1, (assignment_id, model.name, pairs.tolist())
            assert len(list(itertools.combinations(states, 2))) == pairs.numel()


def test_a_diverged_submission_cannot_turn_the_class_scores_into_nan():
    from autograder.engine.integrity.records import compact

    good = [{"w": torch.randn(50, generator=torch.Generator().manual_seed(i))} for i in range(3)]
    diverged = {"w": torch.full((50,), float("nan")), "b": torch.tensor([1e30, -float("inf")])}
    score = similarity([compact(s) for s in good + [{**diverged, "w": diverged["w"]}]]).score
    assert not score.isnan().any() and float(score[0, 1]) == pytest.approx(float(similarity(good).score[0, 1]), abs=1e-2)


def test_the_class_page_shows_the_flags_as_groups_each_name_linked_and_every_threshold_able_to_trigger(graded):
    from autograder.engine.integrity import FLAGS_FILE, REPORT_DIR
    from autograder.engine.integrity.report import read_json

    out, _, results = graded
    page = (out / "index.html").read_text()
    for name in CLASS:
        assert f"<a href='{name}/feedback.html'>{name}</a>" in page and (out / name / "feedback.html").is_file()
    for check in results[0].checks:
        assert f"<tr class='check' id='check-{check.name}'>" in page
    data = read_json(out / REPORT_DIR / FLAGS_FILE)
    assert all(section["threshold"] < 1 for section in data["sections"])  # the most similarity possible is 1
    pairs = sum(len(section["flags"]) for section in data["sections"])
    # one row per group, its pairs behind one <details>: alice and erin (the solution's code, seed1's LeNet-5), bob
    # and frank (code, an AE file), carol and dave (seed0's files), each with the reference runs they hold
    assert page.count("<details><summary>") == 3 < pairs
    assert "carol</a>, <a href='dave/feedback.html'>dave</a>" in page and "<i>reference run seed0</i>" in page


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_independently_written_correct_cells_calibrate_the_code_threshold_far_below_a_copy(config, assignment_id):
    """What the code threshold rests on: each correct fixture's own rewrite of cells against the solution's (README)."""
    from autograder.engine.integrity.code import independent_versions

    scores = independent_versions(load(assignment_id), config)
    assert scores and max(scores) + config.integrity_code_margin < config.integrity_code_ceiling < 0.69, scores
