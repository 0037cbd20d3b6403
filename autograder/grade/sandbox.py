"""Run a submission's code in a separate process, in a scratch folder, and bring back its validated answers."""

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


def run_student(submission: Submission, *, inputs_file: Path, test_set_file: Path, config: Config) -> dict:
    """Answers of ``submission`` to every probe. Only the definition cells run; weights stay the student's own."""
    with tempfile.TemporaryDirectory(prefix="hw2-job-") as tmp:
        job_dir = Path(tmp)
        for name, path in submission.weights.items():
            if path is not None:
                shutil.copyfile(path, job_dir / name)
        shutil.copyfile(inputs_file, job_dir / "inputs.pt")
        (job_dir / "runner").mkdir()
        for runner_file in RUNNER_FILES:
            shutil.copyfile(runner_file, job_dir / "runner" / runner_file.name)
        job = {
            "sources": {k: v for k, v in submission.sources.items() if k in config.definition_cells},
            "cells": list(config.definition_cells),
            "data_root": str(config.data_root),
            "test_set": str(test_set_file),
            "with_weights": True,
            "seed": config.seed,
            "threads": config.threads,
        }
        job["spawned_at"] = time.time()
        (job_dir / "job.json").write_text(json.dumps(job))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "MPLBACKEND": "Agg",
            "CUDA_VISIBLE_DEVICES": "",
            "OMP_NUM_THREADS": str(config.threads),
            "HOME": str(job_dir),
        }
        log = job_dir / "output.log"
        with open(log, "wb") as output:
            try:
                process = subprocess.run(
                    [sys.executable, "-I", str(job_dir / "runner" / "student_process.py"), str(job_dir)],
                    cwd=job_dir, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                    timeout=config.submission_timeout,
                )
            except subprocess.TimeoutExpired:
                raise SandboxError(
                    f"your notebook's definition cells did not finish within {config.submission_timeout} s; "
                    "look for a loop that never ends or training code outside the training cells"
                ) from None
        answers_file = job_dir / "answers.pt"
        if not answers_file.is_file():
            tail = log.read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()[-3:]
            raise SandboxError(f"the process running your code stopped early (exit status {process.returncode})"
                               + (": " + " | ".join(tail) if tail else ""))
        try:
            return torch.load(answers_file, map_location="cpu", weights_only=True)
        except Exception as error:
            raise SandboxError(f"the answers of the process running your code could not be read ({error})") from None
