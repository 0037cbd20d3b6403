"""The grader's side of running student code: one server process per grader, one confined process per submission.

``StudentServer`` starts ``student_server.py`` from a copy of the runner files (so the repository is not
on its path) and hands it one job per submission. What comes back (an answers file, the student's output,
the steps it reached) is size-checked and validated here before anything uses it.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO
from pathlib import Path

from autograder.engine.assignment import Assignment, WeightedModel
from autograder.engine.config import Config
from autograder.engine.grade.collect import Submission
from autograder.engine.grade.inputs import probe_inputs_path, student_inputs_file, student_inputs_path
from autograder.engine.notebook import imported_modules, unused_imports

HERE = Path(__file__).resolve().parent
RUNNER_FILES = [HERE / name for name in ("student_server.py", "student_process.py", "jail.py")]
# The engine's probing tools and guards, at the import path an assignment's probes.py uses, in an otherwise empty package.
PACKAGE_FILES = {"autograder/__init__.py": None, "autograder/engine/__init__.py": None,
                 "autograder/engine/grade/__init__.py": None, "autograder/engine/grade/probing.py": HERE / "probing.py",
                 "autograder/engine/grade/guard.py": HERE / "guard.py", "autograder/engine/grade/preload.py": HERE / "preload.py"}


def write_runner(runner: Path, assignment: Assignment) -> None:
    """The files the student-code server runs from: nothing of the repository but the runtime and the probes."""
    for runner_file in RUNNER_FILES:
        shutil.copyfile(runner_file, runner / runner_file.name)
    for place, source in PACKAGE_FILES.items():
        (runner / place).parent.mkdir(parents=True, exist_ok=True)
        (runner / place).write_bytes(source.read_bytes() if source else b"")
    shutil.copyfile(assignment.probes_file, runner / "assignment_probes.py")


def layout_name(model: WeightedModel) -> str:
    """The answer key of the student's ``layout_probe`` for ``model``."""
    return f"layout:{model.name}"


class SandboxError(RuntimeError):
    """The student's process gave no usable answers; the message says what happened."""


def validate(value, *, budget: list[int], depth: int = 0) -> None:
    """Answers hold only tensors, numbers, strings, lists and dicts, nested a little, of bounded total size."""
    import torch  # here, not at the top: this module is imported before torch (see ``start_early``)

    if depth > 8:
        raise SandboxError("the answers of the process running your code are nested too deeply")
    if isinstance(value, torch.Tensor):
        budget[0] -= value.numel()
    elif isinstance(value, str):
        budget[0] -= len(value)
    elif isinstance(value, dict):
        budget[0] -= len(value)
        for key, item in value.items():
            if not isinstance(key, str):
                raise SandboxError("the answers of the process running your code have a key that is not a string")
            validate(item, budget=budget, depth=depth + 1)
    elif isinstance(value, list):
        budget[0] -= len(value)
        for item in value:
            validate(item, budget=budget, depth=depth + 1)
    elif not (isinstance(value, (bool, int, float)) or value is None):
        raise SandboxError(f"the answers of the process running your code hold a {type(value).__name__}")
    if budget[0] < 0:
        raise SandboxError("the answers of the process running your code are larger than any real answer")


class Job:
    """One submission's run; ``answers()`` waits for it and returns the validated answers."""

    def __init__(self, server: StudentServer, job_dir: tempfile.TemporaryDirectory, timeout: float):
        self.server, self._tmp, self.dir, self.timeout = server, job_dir, Path(job_dir.name), timeout
        self.peak_rss_mb = 0.0

    def _steps(self) -> tuple[list[str], list]:
        confinement, steps = [], []
        for line in (self.dir / "progress.log").read_bytes()[-100_000:].decode("utf-8", "replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and not confinement:
                confinement = [str(x) for x in item.get("confinement", [])]
            elif isinstance(item, str):
                steps.append(item)
        return confinement, steps

    def _output_tail(self) -> str:
        with open(self.dir / "output.log", "rb") as output:
            output.seek(max(0, output.seek(0, os.SEEK_END) - self.server.config.output_kept_bytes))
            lines = output.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        return " | ".join(line[:300] for line in lines)

    def answers(self) -> dict:
        try:
            reply = self.server.reply(self.timeout + 60)
            self.peak_rss_mb = reply.get("peak_rss_mb", 0.0)
            confinement, steps = self._steps()
            where = f" while running {_step_name(steps[-1])}" if steps else ""
            if reply["timed_out"]:
                raise SandboxError(f"your code did not finish within {self.server.config.submission_timeout} s{where} "
                                   "and was stopped; look for a loop that never ends or training outside the training cells")
            answers_file = self.dir / "answers.pt"
            size = answers_file.stat().st_size
            if reply["exit"] != 0 or size == 0:
                how = (f"killed by signal {-reply['exit']}" if reply["exit"] < 0 else f"exit status {reply['exit']}")
                tail = self._output_tail()
                raise SandboxError(f"the process running your code ended early{where} ({how}; sys.exit, os._exit, "
                                   f"a crash or a limit)" + (f": {tail}" if tail else ""))
            if size > self.server.config.answers_max_mb << 20:
                raise SandboxError(f"the answers of the process running your code are {size >> 20} MB; real ones are "
                                   f"under {self.server.config.answers_max_mb} MB")
            import torch

            try:
                answers = torch.load(answers_file, map_location="cpu", weights_only=True)
            except Exception as error:
                raise SandboxError(f"the answers of the process running your code could not be read ({error})") from None
            if not isinstance(answers, dict):
                raise SandboxError("the answers of the process running your code are not a dictionary")
            validate(answers, budget=[self.server.config.answers_max_mb << 18])  # float32 elements
            answers["confinement"] = confinement
            return answers
        finally:
            self._tmp.cleanup()


def process_peak_rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM"))


def _step_name(step: str) -> str:
    return {"probes": "the grader's probes of your classes", "answers": "the saving of its answers"}.get(
        step, f"the cell `{step}`")


@dataclass
class Forked:
    """A server forked by another (``StudentServer.clone``): what the grader needs of it, as of a ``Popen``."""

    pid: int
    stdin: BinaryIO
    stdout: BinaryIO


class StudentServer:
    """The long-lived process that forks each submission's confined process (see ``student_server.py``)."""

    def __init__(self, *, inputs_file: Path, config: Config, assignment: Assignment):
        self.config, self.inputs_file, self.assignment = config, inputs_file, assignment
        self.process: subprocess.Popen | None = None
        self.startup = 0.0
        self._ready = False
        self._submitter: ThreadPoolExecutor | None = None
        self._submitter_pid = 0
        self._launcher = os.getpid()  # the server's parent: only that process can wait for it

    def alive(self) -> bool:
        """Whether the server runs: asked of its parent through ``Popen.poll``, of a process it was forked into
        (a grading worker that adopted it) through /proc, where a server that died is gone or a zombie."""
        if self.process is None:
            return False
        if os.getpid() == self._launcher:
            return self.process.poll() is None
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as stat:
                return stat.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
        except OSError:
            return False

    def start(self) -> None:
        """Launch the server without waiting for it: it loads torch while the grader prepares (a cold grading pays
        the two at once); the first ``submit`` waits for it."""
        if self.alive():
            return
        self._launcher = os.getpid()
        self._runner = tempfile.TemporaryDirectory(prefix=f"{self.assignment.id}-runner-")
        runner = Path(self._runner.name)
        write_runner(runner, self.assignment)
        env = {"PATH": os.environ.get("PATH", ""), "MPLBACKEND": "Agg", "CUDA_VISIBLE_DEVICES": "",
               "OMP_NUM_THREADS": str(self.config.threads), "HOME": str(runner)}
        self._log = open(runner / "server.log", "wb")
        started = time.perf_counter()
        self._control, theirs = socket.socketpair()  # where ``clone`` sends a further server its pipes
        with theirs:
            control = theirs.fileno()  # the same number in the server (pass_fds)
            self.process = subprocess.Popen([sys.executable, "-I", str(runner / "student_server.py")], cwd=runner,
                                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                            pass_fds=[control])
        self._started, self._ready = started, False
        definitions = self.assignment.settings.definition_cells
        # what the definition cells only import loads in the submission that uses it; the solution's cells say
        # what a released cell left for the student uses
        notebooks = (self.assignment.release_notebook, self.assignment.solution_notebook)
        self._send({"threads": self.config.threads, "inputs": str(self.inputs_file), "data_root": str(self.config.data_root),
                    "preload": imported_modules(self.assignment.release_notebook, definitions),
                    "lazily": unused_imports(notebooks, definitions), "control": control})

    def clone(self) -> StudentServer:
        """A further server, forked from this one once it is ready: torch, the notebook's modules and the test set
        already loaded (milliseconds instead of the seconds of a start), with pipes and a user id of its own. For
        another grading worker; it goes on should this one stop."""
        if not self.alive():
            self.start()
        self._wait_ready()
        down, up = os.pipe(), os.pipe()
        socket.send_fds(self._control, [b"f"], [down[0], up[1]])
        os.close(down[0])
        os.close(up[1])
        self._send({"fork": True})
        clone = StudentServer(inputs_file=self.inputs_file, config=self.config, assignment=self.assignment)
        clone.process = Forked(self.reply(60)["forked"], os.fdopen(down[1], "wb"), os.fdopen(up[0], "rb"))
        clone._launcher, clone._log, clone._started = -1, self._log, time.perf_counter()  # -1: no process waits for it
        return clone

    @property
    def starting(self) -> bool:
        """Launched but not yet known to be ready: a submit now would wait for torch to load."""
        return self.alive() and not self._ready

    def _wait_ready(self) -> None:
        if not self._ready:
            self.reply(300)
            self.startup, self._ready = time.perf_counter() - self._started, True

    def _send(self, message: dict) -> None:
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()

    def reply(self, timeout: float) -> dict:
        """The server's next line; a server that died or hung is an internal error, and is restarted next time."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            log = Path(self._log.name).read_bytes()[-1000:].decode("utf-8", "replace").strip()
            self.close()
            raise RuntimeError(f"the student-code server stopped answering; its log ends: {log}")
        return json.loads(line)

    def submit(self, submission: Submission) -> Job:
        """Start running ``submission``; returns at once, so the grader can prepare while it runs."""
        if not self.alive():
            self.start()
        self._wait_ready()
        job_dir = tempfile.TemporaryDirectory(prefix=f"{self.assignment.id}-job-")
        config, cells = self.config, submission.order
        self._send({
            "job_dir": job_dir.name,
            "sources": {k: v for k, v in submission.sources.items() if k in cells},
            "cells": cells,
            "forbidden": [list(pair) for pair in self.assignment.settings.forbidden_calls],
            "layouts": [[layout_name(m), m.attribute, m.input_key] for m in self.assignment.settings.models],
            "weights": {name: os.path.abspath(path) for name, path in submission.weights.items() if path is not None},
            "data_root": str(config.data_root),
            "seed": config.seed,
            "cell_timeout": config.cell_timeout,
            "cells_timeout": config.cells_timeout,
            "probe_timeout": config.probe_timeout,
            "timeout": config.submission_timeout,
            "limits": {"memory_mb": config.memory_mb, "processes": config.max_processes, "file_mb": config.file_mb,
                       "scratch_mb": config.scratch_mb, "cpu_seconds": config.submission_timeout + 30},
        })
        return Job(self, job_dir, config.submission_timeout)

    def submit_soon(self, submission: Submission) -> Future:
        """``submit`` in a thread of its own, whose result is the ``Job``: a server still booting takes the submission
        the moment it is ready, while the caller goes on preparing (neither waits for the other)."""
        if not self.alive():
            self.start()  # from this thread: the server's parent-death signal follows the thread that launched it
        if self._submitter is None or self._submitter_pid != os.getpid():  # a fork inherits no thread to run it
            self._submitter, self._submitter_pid = ThreadPoolExecutor(1, thread_name_prefix="submit"), os.getpid()
        return self._submitter.submit(self.submit, submission)

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory (its preloaded torch and test set, shared with each fork)."""
        if self.process is None:
            return 0.0
        return process_peak_rss_mb(self.process.pid)

    def close(self) -> None:
        if self.process is None:
            return
        if os.getpid() == self._launcher:
            self.process.kill()
            self.process.wait()
            self._control.close()
            self._runner.cleanup()
        else:  # its parent waits for it and removes its files
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.forget()
        self.process = None

    def forget(self) -> None:
        """Close this process's ends of the server's pipes (a forked worker's copies of a server it does not use)."""
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()


_EARLY: dict = {}  # servers launched by ``start_early``, by (config, assignment), until a Grader takes one


def start_early(*, config: Config, assignment: Assignment) -> None:
    """Launch the student-code server for ``assignment`` now, before this process imports torch: the first Grader
    made for them takes it, so a cold grading loads torch in the two processes at once. Does nothing when the
    cached inputs or the data are not there yet (the Grader then builds them, or says what is missing)."""
    from autograder.engine.data import missing_mnist

    inputs = student_inputs_path(probe_inputs_path(config=config, assignment=assignment))
    if (config, assignment) in _EARLY or not inputs.is_file() or missing_mnist(root=config.data_root):
        return
    server = StudentServer(inputs_file=inputs, config=config, assignment=assignment)
    server.start()
    _EARLY[(config, assignment)] = server


def started_server(*, config: Config, assignment: Assignment) -> StudentServer:
    """The server ``start_early`` launched for them, else one launched now (it boots while the caller prepares)."""
    server = _EARLY.pop((config, assignment), None)
    if server is None:
        server = StudentServer(inputs_file=student_inputs_file(config=config, assignment=assignment), config=config,
                               assignment=assignment)
        server.start()
    return server
