"""Run a submission's code in a separate process, in a scratch folder, and bring back its answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from autograder.config import Config
from autograder.grade.collect import Submission

RUNNER_FILES = [Path(__file__).with_name(name) for name in ("student_process.py", "probes.py")]


class SandboxError(RuntimeError):
    """The student's process gave no usable answers; the message says what happened."""


class StudentProcess:
    """The submission's code running in its own process; ``answers()`` waits for it.

    Started before the grader prepares anything else, so the two overlap.
    """

    def __init__(self, submission: Submission, *, inputs_file: Path, test_set_file: Path, config: Config):
        self.config = config
        self._tmp = tempfile.TemporaryDirectory(prefix="hw2-job-")
        self.job_dir = Path(self._tmp.name)
        for name, path in submission.weights.items():
            if path is not None:
                shutil.copyfile(path, self.job_dir / name)
        shutil.copyfile(inputs_file, self.job_dir / "inputs.pt")
        (self.job_dir / "runner").mkdir()
        for runner_file in RUNNER_FILES:
            shutil.copyfile(runner_file, self.job_dir / "runner" / runner_file.name)
        job = {
            "sources": {k: v for k, v in submission.sources.items() if k in config.definition_cells},
            "cells": list(config.definition_cells),
            "data_root": str(config.data_root),
            "test_set": str(test_set_file),
            "seed": config.seed,
            "threads": config.threads,
            "cell_timeout": config.cell_timeout,
            "probe_timeout": config.probe_timeout,
            "spawned_at": time.time(),
        }
        (self.job_dir / "job.json").write_text(json.dumps(job))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "MPLBACKEND": "Agg",
            "CUDA_VISIBLE_DEVICES": "",
            "OMP_NUM_THREADS": str(config.threads),
            "HOME": str(self.job_dir),
        }
        self.log = self.job_dir / "output.log"
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-I", str(self.job_dir / "runner" / "student_process.py"), str(self.job_dir)],
                cwd=self.job_dir, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            )

    def answers(self) -> dict:
        """The validated-to-load answers; raises SandboxError when there are none to read."""
        try:
            try:
                self.process.wait(timeout=self.config.submission_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise SandboxError(
                    f"your notebook's definition cells did not finish within {self.config.submission_timeout} s; "
                    "look for a loop that never ends or training code outside the training cells"
                ) from None
            answers_file = self.job_dir / "answers.pt"
            if not answers_file.is_file():
                tail = self.log.read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()[-3:]
                raise SandboxError(f"the process running your code stopped early (exit status {self.process.returncode})"
                                   + (": " + " | ".join(tail) if tail else ""))
            try:
                return torch.load(answers_file, map_location="cpu", weights_only=True)
            except Exception as error:
                raise SandboxError(f"the answers of the process running your code could not be read ({error})") from None
        finally:
            self._tmp.cleanup()
