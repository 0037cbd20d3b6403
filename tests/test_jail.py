"""jail.confine in a forked child: what the student's process can still see and do, as root and as a plain user."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.engine.config import Config

sys.path.insert(0, str(Config().root / "autograder" / "engine" / "grade"))
import encodings.idna  # noqa: E402, F401 (the socket call needs it; as nobody, this interpreter's files are unreadable)

import jail  # noqa: E402 (runs beside the runner, imported the same way)

LIMITS = {"memory_mb": 500, "processes": 16, "file_mb": 1, "scratch_mb": 8, "cpu_seconds": 30}


def entries(folder: Path) -> int:
    """How many entries the process sees in ``folder``; -1 where it may not look (a checkout in a folder closed
    to other users, seen as a plain user)."""
    try:
        return len(os.listdir(folder))
    except OSError:
        return -1


def confined(config, *, as_user: int | None = None, data_root: Path | None = None) -> dict:
    """Fork, (drop to ``as_user``,) confine with ``data_root`` (default: the repository's), and report what the
    child observes."""
    data_root = data_root or config.data_root
    tmp_path = Path(tempfile.mkdtemp(dir="/tmp"))  # pytest's own folder is closed to other users
    weights = tmp_path / "weights.pth"
    weights.write_bytes(b"w" * 100)
    job = tmp_path / "job"
    (job / "jail").mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(job, 0o777)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            if as_user is not None:
                os.setresgid(as_user, as_user, as_user)
                os.setresuid(as_user, as_user, as_user)
            applied = jail.confine(jail=job / "jail", data_root=str(data_root), weights={"w.pth": str(weights)},
                                   uid=123_456 if as_user is None else as_user, limits=LIMITS)
            try:
                socket.create_connection(("1.1.1.1", 53), timeout=2).close()
                network = True
            except OSError:
                network = False
            try:
                open("big", "wb").write(b"x" * (2 << 20))
                big_file = True
            except OSError:
                big_file = False
            seen = {"applied": applied, "uid": os.getuid(), "network": network, "big_file": big_file,
                    "repository": os.path.exists(str(config.assignments_dir)),
                    "mnist": entries(data_root / "MNIST" / "raw") == 4,
                    "weights": open("w.pth", "rb").read() == b"w" * 100,
                    "memory": resource.getrlimit(resource.RLIMIT_AS)[0]}
            os.write(write, json.dumps(seen).encode())
        except BaseException as error:  # reported to the test rather than lost with the child
            os.write(write, json.dumps({"error": repr(error)}).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        seen = json.loads(pipe.read() or "{}")
    os.waitpid(pid, 0)
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert "error" not in seen, seen["error"]
    return seen


@pytest.mark.skipif(os.geteuid() != 0, reason="the jail needs root")
def test_as_root_the_student_sees_no_repository_no_network_and_has_its_own_user(config):
    seen = confined(config)
    assert seen["uid"] == 123_456 and not seen["repository"] and not seen["network"]
    assert seen["mnist"] and seen["weights"] and not seen["big_file"]
    assert any("no network" in line for line in seen["applied"])


@pytest.mark.skipif(os.geteuid() != 0, reason="the jail needs root")
def test_data_reached_through_a_symbolic_link_is_seen_in_the_jail(config):
    """Instructors share one copy of MNIST: data/MNIST may be a link to it."""
    shared = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        shutil.copytree(config.data_root / "MNIST" / "raw", shared / "MNIST" / "raw")
        (shared / "course_data").mkdir()
        (shared / "course_data" / "MNIST").symlink_to(shared / "MNIST")
        os.chmod(shared, 0o755)
        assert confined(config, data_root=shared / "course_data")["mnist"]
    finally:
        shutil.rmtree(shared)


def test_without_data_the_grader_refuses_to_start(config, assignment, tmp_path):
    from dataclasses import replace

    from autograder.engine.grade import Grader

    with pytest.raises(RuntimeError, match="MNIST is not readable under .*run `make data`"):
        Grader(config=replace(config, data_root=tmp_path), assignment=assignment)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become a plain user first")
def test_without_root_the_limits_still_apply_and_the_report_says_what_is_missing(config):
    seen = confined(config, as_user=65534)
    assert seen["uid"] == 65534 and seen["weights"] and not seen["big_file"]
    assert seen["memory"] < 1 << 40
    assert "no jail and no separate user" in " ".join(seen["applied"])
    assert "no process limit" in " ".join(seen["applied"])
