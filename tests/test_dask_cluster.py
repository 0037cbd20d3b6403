"""A real Dask cluster, started as its users start one: `dask scheduler` and `dask worker` processes from the
environment's command line, a class graded through `grade --scheduler`, a worker killed mid-class, and machines that
cannot grade refused with one message."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.engine.assignment import default
from autograder.engine.examples import build_class
from autograder.engine.fixtures import expected

DASK = Path(sys.executable).with_name("dask")  # the environment's own command line, as `make dask-worker` runs it
EXPECTED = {name: expected(default(), name)["score"] for name in default().settings.class_mix}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """A process in a session of its own (killing it takes its children: a worker's nanny, its student servers),
    started outside the repository, so that nothing is imported from the current folder."""
    return subprocess.Popen(command, cwd=log.parent, env=env, start_new_session=True, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def grades_this_checkout(env: dict, config) -> bool:
    """Whether the environment's processes import this checkout's grader from any folder."""
    found = subprocess.run([sys.executable, "-P", "-c", "import autograder; print(autograder.__file__)"], cwd="/",
                           env=env, capture_output=True, text=True)
    return found.returncode == 0 and Path(found.stdout.strip()).resolve().parent == (config.root / "autograder").resolve()


@pytest.fixture(scope="module")
def cluster_env(config) -> dict:
    """The cluster's environment: .venv's as it is where `make install` installed this checkout into it (a fresh
    clone, CI); a checkout sharing another's .venv (a second worktree) adds itself to PYTHONPATH instead."""
    env = {**os.environ}
    env.pop("PYTHONPATH", None)
    if not grades_this_checkout(env, config):
        env["PYTHONPATH"] = str(config.root)
    return env


@pytest.mark.skipif(not os.environ.get("CI"), reason="a checkout sharing another's .venv imports that one's grader; "
                                                      "CI's fresh clone ran `make install`")
def test_make_install_makes_the_grader_importable_from_any_folder(config):
    assert grades_this_checkout({k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, config)


@pytest.fixture(scope="module")
def cluster(cluster_env, tmp_path_factory):
    """A scheduler and two one-thread workers named a and b, each its own `dask` process; all stopped afterwards."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                        "--no-dashboard"], env=cluster_env, log=folder / "scheduler.log")]
    workers = {}
    try:
        for name in "ab":
            workers[name] = start([str(DASK), "worker", address, "--name", name, "--nthreads", "1", "--host",
                                   "127.0.0.1", "--no-dashboard"], env=cluster_env, log=folder / f"worker-{name}.log")
            processes.append(workers[name])
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=180)
            yield address, client, workers, folder
    finally:
        for process in reversed(processes):
            stop(process)


def names(client) -> dict:
    return {info["name"]: address for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}


def test_a_class_graded_on_the_cluster_survives_a_killed_worker(config, assignment, cluster, tmp_path):
    address, client, workers, _ = cluster
    submissions = build_class(out_dir=tmp_path / "class", size=4, assignment=assignment, config=config)
    out = tmp_path / "grades"
    grading = subprocess.Popen([sys.executable, "-m", "autograder", "grade", *map(str, submissions.values()), "--out",
                                str(out), "--scheduler", address, "--no-progress"], cwd=config.root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker_b = names(client)["b"]
    deadline = time.monotonic() + 300
    while not (on_b := client.processing(workers=[worker_b]).get(worker_b)) and time.monotonic() < deadline:
        assert grading.poll() is None, grading.communicate()
        time.sleep(0.1)
    assert on_b, "worker b was never given a submission"
    killed = {key.split(" ")[1] for key in on_b}  # the tasks are named "grade <submission> <run>"
    stop(workers["b"], signal.SIGKILL)  # the worker's machine goes down: nanny, worker and student server at once
    stdout, stderr = grading.communicate(timeout=600)

    assert grading.returncode == 0, stderr
    assert killed <= set(submissions)
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert sorted(row["submission"] for row in rows) == sorted(submissions)  # each once: none lost, none twice
    assert {row["submission"]: float(row["score"]) for row in rows} == \
        {name: EXPECTED[name.split("_", 1)[1]] for name in submissions}
    results = {name: json.loads((out / name / "result.json").read_text()) for name in submissions}
    assert all(result["graded"] for result in results.values())
    assert list(names(client)) == ["a"]  # what b held was graded by a


def one_error(capsys) -> str:
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "not graded" not in captured.out, captured
    return errors[0]


def test_a_scheduler_that_cannot_be_reached_is_one_clear_error(assignment, tmp_path, capsys):
    import dask

    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        status = main(["grade", str(tmp_path), "--assignment", assignment.id, "--scheduler", address, "--out",
                       str(tmp_path / "out"), "--no-progress"])
    error = one_error(capsys)
    assert status == 1 and f"no Dask scheduler answers at {address}" in error and "make dask-scheduler" in error


def test_workers_that_cannot_read_mnist_are_one_clear_error(config, assignment, cluster, tmp_path, capsys):
    address, client, _, _ = cluster
    submissions = build_class(out_dir=tmp_path / "class", size=2, assignment=assignment, config=config)
    no_data = tmp_path / "no-data"
    status = main(["grade", *map(str, submissions.values()), "--scheduler", address, "--out", str(tmp_path / "out"),
                   "--no-progress"], config=replace(config, data_root=no_data))
    error = one_error(capsys)
    assert status == 1 and f"cannot read MNIST under {no_data}" in error and "make data" in error
    assert all(worker in error for worker in names(client).values())
    assert not list((tmp_path / "out").glob("*/result.json"))


def test_a_worker_that_cannot_import_the_grader_is_named_with_the_fix(config, assignment, cluster, cluster_env,
                                                                        tmp_path, capsys):
    address, client, _, folder = cluster
    broken = tmp_path / "broken" / "autograder"  # an environment without the grader: its import fails
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'autograder'\")\n")
    before = set(names(client))
    worker = start([str(DASK), "worker", address, "--name", "c", "--nthreads", "1", "--host", "127.0.0.1",
                    "--no-dashboard"], env={**cluster_env, "PYTHONPATH": str(broken.parent)}, log=folder / "worker-c.log")
    try:
        client.wait_for_workers(len(before) + 1, timeout=120)
        submissions = build_class(out_dir=tmp_path / "class", size=2, assignment=assignment, config=config)
        status = main(["grade", *map(str, submissions.values()), "--scheduler", address, "--out",
                       str(tmp_path / "out"), "--no-progress"])
        error = one_error(capsys)
        assert status == 1 and "cannot import the grader" in error and "make install" in error
        assert names(client)["c"] in error and not any(names(client)[name] in error for name in before)
    finally:
        stop(worker)
