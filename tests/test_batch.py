"""Grading a class: workers, a Dask cluster, resuming, and surviving SIGKILL."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from autograder.engine.assignment import default
from autograder.engine.examples import build_class
from autograder.engine.fixtures import expected
from autograder.engine.grade import grade_submissions

# The default assignment's class mix, by fixture name, with the scores its fixtures expect.
EXPECTED = {name: expected(default(), name)["score"] for name in default().settings.class_mix}


def scores(out_dir) -> dict:
    return {row["submission"]: float(row["score"]) for row in csv.DictReader(open(out_dir / "grades.csv"))}


@pytest.fixture(scope="module")
def small_class(config, assignment, tmp_path_factory) -> dict:
    return build_class(out_dir=tmp_path_factory.mktemp("class"), size=4, assignment=assignment, config=config)


@pytest.fixture(scope="module")
def graded_by_two_workers(config, assignment, small_class, tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    return out, grade_submissions(submissions=small_class, out_dir=out, assignment=assignment, config=config, workers=2)


def test_two_workers_give_each_kind_its_score(graded_by_two_workers):
    out, results = graded_by_two_workers
    assert {r.submission.split("_", 1)[1]: r.score for r in results} == EXPECTED
    assert all(r.graded for r in results)
    assert scores(out) == {r.submission: r.score for r in results}


def test_the_class_report_shows_pass_rates_least_passed_first_and_a_histogram(graded_by_two_workers):
    out, _ = graded_by_two_workers
    report = (out / "class_report.md").read_text()
    assert "Graded: 4 of 4 submissions." in report
    rows = [line for line in report.splitlines() if line.startswith("| ") and "/4 (" in line]
    rates = [int(row.split("/4 (")[0].rsplit("| ", 1)[1]) for row in rows]
    assert len(rows) == 21 and rates == sorted(rates) and rates[0] == 2  # untrained weights and the wrong LeNet
    assert "| LeNet-5: every convolution and linear layer | 1.5 | 4/4 (100%) |" in report  # its layers are right
    assert (out / "score_histogram.svg").read_text().count("class='score-bar'") >= 1


def test_a_rerun_skips_what_is_graded_and_force_regrades(config, assignment, small_class, graded_by_two_workers):
    out, first = graded_by_two_workers
    stamps = {name: (out / name / "result.json").stat().st_mtime_ns for name in small_class}
    started = time.perf_counter()
    again = grade_submissions(submissions=small_class, out_dir=out, assignment=assignment, config=config)
    assert time.perf_counter() - started < 5  # nothing regraded: no worker, no student process
    assert [(r.submission, r.score) for r in again] == [(r.submission, r.score) for r in first]
    assert stamps == {name: (out / name / "result.json").stat().st_mtime_ns for name in small_class}

    name = next(iter(small_class))
    forced = grade_submissions(submissions={name: small_class[name]}, out_dir=out, assignment=assignment, config=config, force=True)
    assert forced[0].score == first[0].score
    assert (out / name / "result.json").stat().st_mtime_ns > stamps[name]


def test_a_changed_submission_is_regraded(config, assignment, small_class, graded_by_two_workers, tmp_path):
    import shutil

    out, _ = graded_by_two_workers
    name = next(n for n in small_class if n.endswith("_passes_all"))
    copy = tmp_path / name
    shutil.copytree(small_class[name], copy)
    (copy / "mnist_ae_weights.pth").unlink()
    shutil.copytree(out / name, tmp_path / "out" / name)
    result = grade_submissions(submissions={name: copy}, out_dir=tmp_path / "out", assignment=assignment, config=config)[0]
    assert result.score < 12 and "mnist_ae_weights.pth is missing from the submission" in result.notes


def test_workers_forked_after_grading_in_this_process_grade_the_class(config, small_class, tmp_path):
    """The workers are forked from a process that prepared the reference side; one that had graded before holds a
    Grader whose submissions went through a thread, which a fork does not inherit: its workers must make their own
    (they waited for ever), and the class gets as many workers as asked for."""
    chosen = dict(list(small_class.items())[:2])
    code = ("import json, os, sys\n"
            "from pathlib import Path\n"
            "from autograder.engine.assignment import default\n"
            "from autograder.engine.grade import grade_submissions\n"
            "from autograder.engine.grade import batch\n"
            "subs, out = {k: Path(v) for k, v in json.loads(sys.argv[1]).items()}, Path(sys.argv[2])\n"
            "one = grade_submissions(submissions=dict(list(subs.items())[:1]), out_dir=out / 'one', assignment=default())\n"
            "made = batch.ProcessPoolExecutor\n"
            "sizes = []\n"
            "batch.ProcessPoolExecutor = lambda **kw: sizes.append(kw['max_workers']) or made(**kw)\n"
            "two = grade_submissions(submissions=subs, out_dir=out / 'two', assignment=default(), workers=2)\n"
            "print(json.dumps([[r.score for r in one], [r.score for r in two], sizes]))\n")
    ran = subprocess.run([sys.executable, "-c", code, json.dumps({k: str(v) for k, v in chosen.items()}), str(tmp_path)],
                         cwd=config.root, capture_output=True, text=True, timeout=400)
    assert ran.returncode == 0, ran.stderr[-2000:]
    one, two, sizes = json.loads(ran.stdout.splitlines()[-1])
    assert two == [EXPECTED[name.split("_", 1)[1]] for name in chosen] and one == two[:1]
    assert sizes == [2]


def test_where_a_fork_would_not_do_the_workers_are_spawned(config, small_class, tmp_path, monkeypatch):
    """More than one torch thread (or CUDA) in the coordinator does not survive a fork: there each worker is spawned
    and starts its own server, and grades as the forked ones do."""
    from dataclasses import replace

    from autograder.engine.grade import batch

    contexts = []
    made = batch.ProcessPoolExecutor
    monkeypatch.setattr(batch, "ProcessPoolExecutor",
                        lambda **kw: contexts.append(kw["mp_context"].get_start_method()) or made(**kw))
    chosen = dict(list(small_class.items())[:2])
    results = grade_submissions(submissions=chosen, out_dir=tmp_path, assignment=default(),
                                config=replace(config, threads=2), workers=2)
    assert contexts == ["spawn"]
    assert [r.score for r in results] == [EXPECTED[name.split("_", 1)[1]] for name in chosen]


def test_dask_cluster_grades_like_local_workers(config, assignment, small_class, graded_by_two_workers, tmp_path):
    from distributed import LocalCluster

    _, local = graded_by_two_workers
    chosen = dict(list(small_class.items())[:2])
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = grade_submissions(submissions=chosen, out_dir=tmp_path, assignment=assignment, config=config, scheduler=cluster.scheduler_address)
    expected = {r.submission: [(c.name, c.score, c.message) for c in r.checks] for r in local}
    assert {r.submission: [(c.name, c.score, c.message) for c in r.checks] for r in on_dask} == \
        {name: expected[name] for name in chosen}


def test_a_batch_killed_with_sigkill_loses_nothing_and_grades_each_once(config, small_class, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade", *map(str, small_class.values()), "--out", str(out),
               "--workers", "2", "--no-progress"]
    run = subprocess.Popen(command, cwd=config.root, start_new_session=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list(out.glob("*/result.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    survivors = {p.parent.name: p.read_bytes() for p in out.glob("*/result.json")}
    assert 1 <= len(survivors) < len(small_class)
    assert subprocess.run(command, cwd=config.root, capture_output=True).returncode == 0
    assert {name: (out / name / "result.json").read_bytes() for name in survivors} == survivors  # not regraded
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert sorted(row["submission"] for row in rows) == sorted(small_class)
    assert {name: json.loads((out / name / "result.json").read_text())["graded"] for name in small_class} == \
        dict.fromkeys(small_class, True)
