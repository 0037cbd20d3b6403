"""`make bench`: one submission's grading broken down, a class graded with 1 and 2 workers, and nbgrader's time.

Prints figures only; nothing here passes or fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.examples import build_class, build_examples

# The targets `make bench` reports against (issue 10), on the project's 2-core CPU machine.
TARGET_PER_MINUTE_2_WORKERS = 50.0   # full submissions graded per minute with --workers 2
TARGET_COLD_SECONDS = 10.0           # one `python -m autograder grade DIR`, start to end
TARGET_TIMES_NBGRADER = 10.0         # nbgrader autograde's time per submission over ours


def _line(label: str, value: float, unit: str = "s", detail: str = "", indent: int = 2) -> str:
    return f"{' ' * indent}{label:<{48 - indent}} {value:8.2f} {unit}" + (f"   {detail}" if detail else "")


def _top(timings: dict, n: int = 3) -> str:
    ranked = sorted(timings.items(), key=lambda item: -item[1])[:n]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in ranked)


def breakdown(*, tmp: Path, config: Config, assignment: Assignment) -> list[str]:
    from autograder.engine.grade import Grader

    reference, _ = build_examples(out_dir=tmp / "examples", assignment=assignment)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", "--assignment", assignment.id, str(reference),
                    "--out", str(tmp / "cold"), "--no-progress"], check=True, capture_output=True, cwd=config.root)
    cold = time.perf_counter() - started
    images = ", ".join(f"{name} {value:,}" for name, value in vars(assignment.settings).items() if name.endswith("_images"))
    lines = [f"{assignment.id}: one submission (the reference solution); weights measured by the grader on the CPU"
             + (f"; test images per figure: {images}" if images else ""),
             _line("cold command line, start to end", cold)]
    started = time.perf_counter()
    grader = Grader(config=config, assignment=assignment)
    grader.grade(reference)  # the first one starts the student-code server and prepares the reference side
    lines.append(_line("first submission in a fresh worker", time.perf_counter() - started,
                       detail=f"student-code server start {grader.server.startup:.2f} s (torch, imports, test set)"))
    result = grader.grade(reference)
    inside = result.timings["inside student process"]
    lines += [_line("each later submission: its process, wall", result.timings["student process"]),
              _line("definition cells", sum(inside["cells"].values()), detail=_top(inside["cells"]), indent=4),
              _line("probes", sum(inside["probes"].values()), detail=_top(inside["probes"]), indent=4),
              _line("submitted weights measured by the grader", result.timings["trusted weights"]),
              _line("figures from the answers", result.timings["figures"]),
              _line("hidden checks (pytest)", result.timings["checks"]),
              _line("feedback.html's pictures (at most 0.3 s)", result.timings.get("feedback figures", 0.0),
                    detail=f"{len(result.pictures)} pictures")]
    lines += [_line(f"memory: {name} (peak resident)", mb, "MB") for name, mb in result.timings["memory MB"].items()]
    lines.append(f"  confinement: {'; '.join(result.confinement)}")
    return lines, cold


def class_throughput(*, tmp: Path, config: Config, assignment: Assignment, size: int) -> tuple[list[str], float]:
    from autograder.engine.grade import grade_submissions

    submissions = build_class(out_dir=tmp / "class", size=size, assignment=assignment, config=config)
    lines, rates = [f"a class of {size} generated submissions ({', '.join(assignment.settings.class_mix)}, "
                    "in turn), graded from scratch:"], {}
    for workers in (1, 2):
        started = time.perf_counter()
        results = grade_submissions(submissions=submissions, out_dir=tmp / f"grades{workers}", assignment=assignment,
                                    config=config, workers=workers, force=True)
        seconds = time.perf_counter() - started
        rates[workers] = size / seconds * 60
        scores = sorted({r.score for r in results})
        memory = max((r.timings.get("memory MB", {}) for r in results), key=lambda m: m.get("grader", 0), default={})
        lines.append(_line(f"--workers {workers}: {size / seconds * 60:.1f} submissions per minute", seconds,
                           detail=f"scores {scores}; not graded {sum(not r.graded for r in results)}; per worker "
                           + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items())))
    return lines, rates


def nbgrader_autograde(*, tmp: Path, config: Config, assignment: Assignment, size: int) -> tuple[list[str], float]:
    """nbgrader's own autograde on the same kind of submissions, training replaced by loading the weights."""
    name = assignment.id
    course = tmp / "course"
    (course / "source" / name).mkdir(parents=True)
    shutil.copy(assignment.solution_notebook, course / "source" / name)
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.root = %r\n"
                                               "c.ExecutePreprocessor.timeout = 600\n" % str(course))
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run(nbgrader + ["generate_assignment", name, "--log-level=ERROR"], cwd=course, env=env,
                   check=True, capture_output=True)
    submissions = build_class(out_dir=tmp / "nbgrader_class", size=size, assignment=assignment, config=config)
    for student, folder in submissions.items():
        target = course / "submitted" / student / name
        shutil.copytree(folder, target)
        notebook_path = target / f"{name}.ipynb"
        notebook = json.loads(notebook_path.read_text())
        notebook["cells"] = [skip_training(cell, config=config, assignment=assignment) for cell in notebook["cells"]]
        notebook_path.write_text(json.dumps(notebook))
    started = time.perf_counter()
    subprocess.run(nbgrader + ["autograde", name, "--log-level=ERROR"], cwd=course, env=env, capture_output=True)
    seconds = time.perf_counter() - started
    return [f"nbgrader autograde, the same kinds of submissions ({size}), epochs set to 0 and the submitted weights "
            "loaded in their place:", _line(f"{size / seconds * 60:.1f} submissions per minute", seconds)], seconds / size


def skip_training(cell: dict, *, config: Config, assignment: Assignment) -> dict:
    """The cell as an nbgrader course would run it: no epochs, then the submitted weights loaded."""
    settings = assignment.settings
    grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
    source = "".join(cell["source"])
    loads = {cell_id: assignment.model(model) for cell_id, model in settings.training_cells}
    if grade_id == "parameters":
        no_training = "".join(f"{parameter} = 0\n" for _, parameter in settings.epoch_parameters)
        source += f"\ndata_root = {str(config.data_root)!r}\n{no_training}"
    elif grade_id in loads:
        model = loads[grade_id]
        source += f"\n{model.attribute}.load_state_dict(torch.load({model.weight_file!r}, map_location=device))\n"
    return {**cell, "source": source}


def bench(*, assignment: Assignment, config: Config = Config(), size: int = 40, nbgrader_size: int = 4) -> str:
    with tempfile.TemporaryDirectory(prefix=f"{assignment.id}-bench-") as folder:
        tmp = Path(folder)
        lines, cold = breakdown(tmp=tmp, config=config, assignment=assignment)
        throughput, rates = class_throughput(tmp=tmp, config=config, assignment=assignment, size=size)
        comparison, theirs = nbgrader_autograde(tmp=tmp, config=config, assignment=assignment, size=nbgrader_size)
        lines += [""] + throughput + [""] + comparison
        times = {workers: theirs / (60 / rate) for workers, rate in rates.items()}
        lines.append(f"  nbgrader per submission / ours: {theirs:.1f} s / {60 / rates[1]:.1f} s = {times[1]:.1f} times "
                     f"with --workers 1, {times[2]:.1f} times with --workers 2")

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    lines += ["", "targets:",
              f"  --workers 2: {rates[2]:.1f} submissions per minute (at least {TARGET_PER_MINUTE_2_WORKERS:g}): "
              f"{verdict(rates[2] >= TARGET_PER_MINUTE_2_WORKERS)}",
              f"  cold command line: {cold:.1f} s (at most {TARGET_COLD_SECONDS:g} s): {verdict(cold <= TARGET_COLD_SECONDS)}",
              f"  nbgrader autograde / ours with --workers 2: {times[2]:.1f} times (at least {TARGET_TIMES_NBGRADER:g}): "
              f"{verdict(times[2] >= TARGET_TIMES_NBGRADER)}"]
    return "\n".join(lines)
