"""`make bench`: one submission's grading broken down, a class graded with 1 and 2 workers, nbgrader's time, and the
integrity report's comparisons of a synthetic class of 300.

Prints figures only; nothing here passes or fails.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
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
COLD_RUNS = 3                        # cold command lines timed (their median is reported)


def _line(label: str, value: float, unit: str = "s", detail: str = "", indent: int = 2) -> str:
    return f"{' ' * indent}{label:<{48 - indent}} {value:8.2f} {unit}" + (f"   {detail}" if detail else "")


def _top(timings: dict, n: int = 3) -> str:
    ranked = sorted(timings.items(), key=lambda item: -item[1])[:n]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in ranked)


def breakdown(*, tmp: Path, config: Config, assignment: Assignment) -> list[str]:
    import torch

    from autograder.engine.grade import Grader
    from autograder.engine.grade.trusted import measuring_device

    reference, _ = build_examples(out_dir=tmp / "examples", assignment=assignment)
    colds = []
    for run in range(COLD_RUNS + 1):  # the first fills the cache folder (probe inputs, reference pictures) if empty
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "grade", "--assignment", assignment.id, str(reference),
                        "--out", str(tmp / f"cold{run}"), "--no-progress"], check=True, capture_output=True,
                       cwd=config.root)
        colds.append(time.perf_counter() - started)
    cold = statistics.median(colds[1:])
    images = ", ".join(f"{name} {value:,}" for name, value in vars(assignment.settings).items() if name.endswith("_images"))
    device = measuring_device(config.device)
    lines = [f"{assignment.id}: one submission (the reference solution); weights measured by the grader on {device}"
             + (f" ({torch.cuda.get_device_name(device)})" if device.startswith("cuda") else "")
             + (f"; test images per figure: {images}" if images else ""),
             _line(f"cold command line, start to end (median of {COLD_RUNS})", cold,
                   detail=f"runs {', '.join(f'{c:.1f}' for c in colds[1:])} s; the one before, which fills the cache "
                          f"folder when it is empty, {colds[0]:.1f} s")]
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
    from autograder.engine.integrity import integrity_report

    submissions = build_class(out_dir=tmp / "class", size=size, assignment=assignment, config=config)
    complete = sum(all((folder / name).is_file() for name in assignment.settings.weight_files)
                   for folder in submissions.values())
    lines, rates = [f"a class of {size} generated submissions ({', '.join(assignment.settings.class_mix)}, "
                    f"in turn; {complete} of them hold every weight file), graded from scratch:"], {}
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
    started = time.perf_counter()  # the same work as the report at the end of each run above
    integrity_report(out_dir=tmp / "grades2", assignment=assignment, config=config)
    lines.append(_line("of each: the integrity report on the class", time.perf_counter() - started, indent=4))
    later = [r.timings for r in results[2:]]  # past each worker's first submission
    if later:
        lines.append(_line("of each: a later submission, in its worker", statistics.mean(
            sum(t.get(k, 0.0) for k in ("student process", "figures", "checks", "feedback figures")) for t in later),
            detail=f"weights measured by the grader {statistics.mean(t.get('trusted weights', 0.0) for t in later):.2f}"
                   " s, beside the student's process", indent=4))
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


TARGET_INTEGRITY_SECONDS = 60.0    # the integrity report's weight comparison of a class of 300 (issue 17)


def synthetic_records(*, out_dir: Path, assignment: Assignment, size: int) -> None:
    """``size`` graded-looking folders holding only an integrity record: each model's weights a reference run
    with noise of 3 times the tensor's own spread (two made from one run correlate about 0.1), the code the
    solution's graded cells with a random half of their lines (as varied as a class's)."""
    import random

    import torch

    from autograder.engine.integrity.records import Record, reference_records, state_digest, write_record
    from autograder.engine.notebook import cells_by_grade_id

    runs, solution = reference_records(assignment), cells_by_grade_id(assignment.solution_notebook)
    generator, pick = torch.Generator().manual_seed(0), random.Random(0)
    for i in range(size):
        record = Record(f"student{i:03d}")
        for model in assignment.settings.models:
            trained = [r.states[model.name] for r in runs if model.name in r.states]
            run = trained[i % len(trained)]
            state = {k: (v.float() + 3 * v.float().std() * torch.randn(v.shape, generator=generator)).half()
                     if v.numel() > 1 else v for k, v in run.items()}
            record.states[model.name], record.digests[model.name] = state, state_digest(state)
            record.files[model.weight_file] = record.digests[model.name]
        record.code = {cell: "\n".join(line for line in solution[cell].splitlines() if pick.random() < 0.5)
                       for cell in assignment.settings.definition_cells if cell in solution}
        (out_dir / record.name).mkdir(parents=True)
        write_record(record, out_dir / record.name)


def integrity_speed(*, tmp: Path, config: Config, assignment: Assignment, size: int = 300) -> tuple[list[str], float]:
    """The integrity report's two comparisons timed apart on a synthetic class of ``size``."""
    from autograder.engine.integrity import code as code_similarity
    from autograder.engine.integrity import compare_model, graded_folders
    from autograder.engine.integrity.records import RECORD_FILE, read_record, reference_records

    synthetic_records(out_dir=tmp / "integrity_class", assignment=assignment, size=size)
    started = time.perf_counter()
    records, runs = [read_record(p) for p in graded_folders(tmp / "integrity_class")], reference_records(assignment)
    for model in assignment.settings.models:
        compare_model(model, [r for r in records if model.name in r.states],
                      [r for r in runs if model.name in r.states], margin=config.integrity_weights_margin,
                      ceiling=config.integrity_weights_ceiling)
    weights = time.perf_counter() - started
    started = time.perf_counter()
    prints, _ = code_similarity.fingerprints({r.name: code_similarity.graded_code(r.code, assignment) for r in records},
                                             assignment=assignment)
    code_similarity.pair_scores(prints)
    code = time.perf_counter() - started
    pairs = size * (size - 1) // 2
    record_mb = (tmp / "integrity_class" / records[0].name / RECORD_FILE).stat().st_size / 2**20
    return [f"integrity report, a synthetic class of {size} (reference runs plus noise; {pairs:,} pairs per model):",
            _line(f"weights: records read, {len(assignment.settings.models)} model(s) compared", weights,
                  detail=f"record per submission {record_mb:.2f} MB"),
            _line("graded cells' code: fingerprints, every pair", code,
                  detail="plus one side-by-side page per flagged pair")], weights


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
        integrity, weights_seconds = integrity_speed(tmp=tmp, config=config, assignment=assignment)
        lines += [""] + integrity

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    lines += ["", "targets:",
              f"  --workers 2: {rates[2]:.1f} submissions per minute (at least {TARGET_PER_MINUTE_2_WORKERS:g}): "
              f"{verdict(rates[2] >= TARGET_PER_MINUTE_2_WORKERS)}",
              f"  cold command line: {cold:.1f} s (at most {TARGET_COLD_SECONDS:g} s): {verdict(cold <= TARGET_COLD_SECONDS)}",
              f"  nbgrader autograde / ours with --workers 2: {times[2]:.1f} times (at least {TARGET_TIMES_NBGRADER:g}): "
              f"{verdict(times[2] >= TARGET_TIMES_NBGRADER)}",
              f"  integrity report's weight comparison of 300 submissions: {weights_seconds:.1f} s (at most "
              f"{TARGET_INTEGRITY_SECONDS:g} s): {verdict(weights_seconds <= TARGET_INTEGRITY_SECONDS)}"]
    return "\n".join(lines)
