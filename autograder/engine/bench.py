"""`make bench`: one submission's grading broken down, a class graded with 1 and 2 workers, nbgrader's time, and the
integrity report's comparisons of a synthetic class of 300; for every assignment, one table against each one's targets.

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
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.examples import build_class, build_examples

# Each assignment's own targets are its settings' ``speed_targets`` (autograder/engine/assignment.py: SpeedTargets).
COLD_RUNS = 3                        # cold command lines timed (their median is reported)
CLASS_SIZE = 40                      # a generated class's submissions, by default (`make bench BENCH_CLASS=n`)
NBGRADER_SIZE = 4                    # submissions nbgrader autogrades for the comparison (at most the class's size)


def _line(label: str, value: float, unit: str = "s", detail: str = "", indent: int = 2) -> str:
    return f"{' ' * indent}{label:<{48 - indent}} {value:8.2f} {unit}" + (f"   {detail}" if detail else "")


def _top(timings: dict, n: int = 3) -> str:
    ranked = sorted(timings.items(), key=lambda item: -item[1])[:n]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in ranked)


def breakdown(*, tmp: Path, config: Config, assignment: Assignment) -> tuple[list[str], float]:
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
    first = grader.grade(reference)  # the first one starts the student-code server and prepares the reference side
    lines.append(_line("first submission in a fresh worker", time.perf_counter() - started,
                       detail=f"student-code server start {grader.server.startup:.2f} s (torch, imports, test set) "
                              f"beside the grader's preparation {first.timings.get('grader preparation', 0.0):.2f} s "
                              "(the solution's cells, reference answers, pass marks)"))
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


def class_throughput(*, tmp: Path, config: Config, assignment: Assignment, size: int
                     ) -> tuple[list[str], dict[int, float], dict[str, float]]:
    from autograder.engine.grade import grade_submissions
    from autograder.engine.integrity import integrity_report

    submissions = build_class(out_dir=tmp / "class", size=size, assignment=assignment, config=config)
    complete = sum(all((folder / name).is_file() for name in assignment.settings.weight_files)
                   for folder in submissions.values())
    lines = [f"a class of {size} generated submissions ({', '.join(assignment.settings.class_mix)}, in turn; "
             f"{complete} of them hold every weight file), graded from scratch:"]
    rates, memory = {}, {}
    for workers in (1, 2):
        started = time.perf_counter()
        results = grade_submissions(submissions=submissions, out_dir=tmp / f"grades{workers}", assignment=assignment,
                                    config=config, workers=workers, force=True)
        seconds = time.perf_counter() - started
        rates[workers] = size / seconds * 60
        scores = sorted({r.score for r in results})
        peaks = [r.timings.get("memory MB", {}) for r in results]
        memory = {k: max(m.get(k, 0.0) for m in peaks) for k in dict.fromkeys(k for m in peaks for k in m)}
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
    return lines, rates, memory


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


@dataclass
class Row:
    """One assignment's figures in `make bench`'s table."""

    assignment: Assignment
    per_minute: dict[int, float]       # by number of workers
    cold: float                        # seconds, median of COLD_RUNS
    times_nbgrader: float              # nbgrader's seconds per submission over ours with --workers 2
    memory: dict[str, float]           # peak MB per worker, by process
    integrity: float                   # seconds, the weight comparison of a synthetic class of 300
    checks: list[tuple[str, bool]] = field(default_factory=list)  # each target: what it says, met

    def __post_init__(self):
        targets = self.assignment.settings.speed_targets
        self.checks = [
            (f"--workers 2: {self.per_minute[2]:.1f} submissions per minute (at least {targets.per_minute_2_workers:g})",
             self.per_minute[2] >= targets.per_minute_2_workers),
            (f"cold command line: {self.cold:.1f} s (at most {targets.cold_seconds:g} s)", self.cold <= targets.cold_seconds),
            (f"integrity report's weight comparison of 300 submissions: {self.integrity:.1f} s (at most "
             f"{TARGET_INTEGRITY_SECONDS:g} s)", self.integrity <= TARGET_INTEGRITY_SECONDS)]
        if targets.times_nbgrader:
            self.checks.insert(2, (f"nbgrader autograde / ours with --workers 2: {self.times_nbgrader:.1f} times (at "
                                   f"least {targets.times_nbgrader:g})", self.times_nbgrader >= targets.times_nbgrader))


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def machine() -> str:
    """The load and cores the figures were taken under: a busy machine's figures are not its idle ones."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min) on {os.cpu_count()} CPUs"


def bench_one(*, assignment: Assignment, config: Config = Config(), size: int = CLASS_SIZE) -> tuple[str, Row]:
    """One assignment's figures, in words, and its row of the table."""
    with tempfile.TemporaryDirectory(prefix=f"{assignment.id}-bench-") as folder:
        tmp = Path(folder)
        lines, cold = breakdown(tmp=tmp, config=config, assignment=assignment)
        throughput, rates, memory = class_throughput(tmp=tmp, config=config, assignment=assignment, size=size)
        comparison, theirs = nbgrader_autograde(tmp=tmp, config=config, assignment=assignment,
                                                size=min(NBGRADER_SIZE, size))
        lines += [""] + throughput + [""] + comparison
        times = {workers: theirs / (60 / rate) for workers, rate in rates.items()}
        lines.append(f"  nbgrader per submission / ours: {theirs:.1f} s / {60 / rates[1]:.1f} s = {times[1]:.1f} times "
                     f"with --workers 1, {times[2]:.1f} times with --workers 2")
        integrity, weights_seconds = integrity_speed(tmp=tmp, config=config, assignment=assignment)
        lines += [""] + integrity
    row = Row(assignment, rates, cold, times[2], memory, weights_seconds)
    lines += ["", "targets:"] + [f"  {what}: {_verdict(met)}" for what, met in row.checks]
    return "\n".join(lines), row


def table(rows: list[Row]) -> str:
    """One line per assignment, each figure beside its target ("ok" met, "NO" not)."""
    def mark(value: float, target: float, at_least: bool = True) -> str:
        if not target:
            return f"{value:.1f}"
        met = value >= target if at_least else value <= target
        return f"{value:.1f} {'>=' if at_least else '<='} {target:g} {'ok' if met else 'NO'}"

    header = ("assignment", "per min, 1 worker", "per min, 2 workers", "cold s", "x nbgrader", "MB per worker",
              "all targets")
    body = [(r.assignment.id, f"{r.per_minute[1]:.1f}",
             mark(r.per_minute[2], r.assignment.settings.speed_targets.per_minute_2_workers),
             mark(r.cold, r.assignment.settings.speed_targets.cold_seconds, at_least=False),
             mark(r.times_nbgrader, r.assignment.settings.speed_targets.times_nbgrader),
             " + ".join(f"{r.memory.get(k, 0):.0f}" for k in ("grader", "server")),
             _verdict(all(met for _, met in r.checks))) for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(cell).ljust(w) for cell, w in zip(line, widths)) + " |" for line in [header, *body]]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def bench(*, assignments: list[Assignment], config: Config = Config(), size: int = CLASS_SIZE) -> str:
    """Every assignment's figures, then the table of all of them with the machine's load before and after."""
    before, rows = machine(), []
    for assignment in assignments:
        text, row = bench_one(assignment=assignment, config=config, size=size)
        rows.append(row)
        print(text + "\n", flush=True)  # each assignment's detail as soon as it is known: `all` takes a while
    return "\n".join([f"a class of {size} per assignment; memory per worker: grader + student-code server, peak MB",
                      f"machine before: {before}", f"machine after:  {machine()}", "", table(rows)])
