"""Who trained what: a graded class's submissions compared pair by pair, for a person to review.

Per model: the same weight file, the same tensors once fitted onto the reference's keys, weights more similar
than independent training gives, weights equal or close to the course's reference runs; and the graded cells'
code. Reads only OUT_DIR (each submission's ``integrity.pt``, see ``records``) and the assignment's committed
reference runs; writes ``OUT_DIR/integrity/``. Flags never change a score.
"""

from __future__ import annotations

import itertools
import shutil
from collections import defaultdict
from pathlib import Path

import torch

from autograder.engine.assignment import Assignment, WeightedModel
from autograder.engine.config import Config
from autograder.engine.integrity import code as code_similarity
from autograder.engine.integrity.records import RECORD_FILE, Record, read_record, reference_records
from autograder.engine.integrity.report import Flag, Section, write_csv, write_html, write_json
from autograder.engine.integrity.weights import similarity, threshold, upper

REPORT_DIR = "integrity"
FLAGS_FILE = "flags.json"  # what the class page (grade/class_page.py) shows of the report


def graded_folders(out_dir: Path) -> list[Path]:
    """The submissions' result folders under ``out_dir`` (those holding a result or an integrity record)."""
    return sorted(p for p in Path(out_dir).iterdir() if p.is_dir() and p.name != REPORT_DIR
                  and ((p / "result.json").is_file() or (p / RECORD_FILE).is_file()))


def identical_pairs(records: list[Record], key) -> list[tuple[int, int]]:
    """Pairs (i < j) whose ``key(record)`` is equal and not None."""
    groups = defaultdict(list)
    for i, record in enumerate(records):
        if (value := key(record)) is not None:
            groups[value].append(i)
    return [pair for members in groups.values() for pair in itertools.combinations(members, 2)]


def above(matrix: torch.Tensor, cut: float) -> list[tuple[int, int]]:
    """The pairs (i < j) of a square similarity matrix at or above ``cut``, found without a loop over pairs."""
    return [tuple(pair) for pair in torch.nonzero(torch.triu(matrix >= cut, diagonal=1)).tolist()]


def evidence(sim, i: int, j: int, *, independent_top: float) -> str:
    """Which tensors agree most, and how far the pair lies above the independent runs."""
    values = sim.per_tensor[:, i, j]
    top = sorted(zip(sim.keys, values.tolist(), sim.sizes.tolist()), key=lambda t: -t[2])[:4]
    layers = ", ".join(f"{key} {value:.2f}" for key, value, _ in top)
    beyond = (f"; {float(sim.score[i, j]) - independent_top:+.2f} above the most similar pair of independent "
              "reference runs" if independent_top > float("-inf") else "")
    return f"largest tensors: {layers}{beyond}"


def compare_model(model: WeightedModel, students: list[Record], runs: list[Record], *, margin: float,
                  ceiling: float) -> Section:
    """One model's flags: identical files and tensors, related weights, the reference's weights."""
    name, file = model.name, model.weight_file
    section = Section(f"{name}: weights", [], [], ceiling, "fewer than two sets of weights: nothing to compare")
    flags = section.flags
    exact = set()
    for kind, key in (("same-file", lambda r: r.files.get(file) if name in r.states else None),
                      ("same-weights", lambda r: r.digests.get(name))):
        for i, j in identical_pairs(students, key):
            if (i, j) not in exact:
                exact.add((i, j))
                flags.append(Flag(name, kind, students[i].name, students[j].name, 1.0, 1.0,
                                  "identical bytes" if kind == "same-file" else "identical tensors once loaded"))
    seen, unique_runs = set(), []
    for run in runs:  # the release may ship a run's own file: compare each set of weights once
        if run.digests[name] not in seen:
            seen.add(run.digests[name])
            unique_runs.append(run)
    everyone = students + unique_runs
    if len(everyone) < 2:
        return section
    sim = similarity([r.states[name] for r in everyone])
    score, ours, theirs = sim.score, range(len(students)), range(len(students), len(everyone))
    independent = upper(score, theirs)
    section.pairs, section.independent = upper(score, ours).tolist(), independent.tolist()
    section.threshold, section.rule = threshold(independent=independent, class_pairs=upper(score, ours), margin=margin,
                                                ceiling=ceiling)
    top = float(independent.max()) if independent.numel() else float("-inf")
    for i, j in above(score[: len(students), : len(students)], section.threshold):
        if (i, j) not in exact:
            flags.append(Flag(name, "related-weights", students[i].name, students[j].name, float(score[i, j]),
                              section.threshold, evidence(sim, i, j, independent_top=top)))
    for i in ours:
        if not unique_runs:
            break
        best = max(theirs, key=lambda r: float(score[i, r]))
        same = students[i].digests[name] == everyone[best].digests[name]
        if same or float(score[i, best]) >= section.threshold:
            flags.append(Flag(name, "reference", students[i].name, everyone[best].name,
                              1.0 if same else float(score[i, best]), section.threshold,
                              "identical tensors" if same else evidence(sim, i, best, independent_top=top)))
    return section


def compare_code(students: list[Record], *, assignment: Assignment, folder: Path, config: Config
                 ) -> tuple[Section, dict[str, str]]:
    """The graded cells' flags, each with its side-by-side page; and the submissions left out, with the reason.
    The threshold is calibrated on independently written correct code (``code.independent_versions``)."""
    codes = {r.name: code_similarity.graded_code(r.code, assignment) for r in students if r.code}
    prints, skipped = code_similarity.fingerprints(codes, assignment=assignment)
    names = list(prints)
    matrix = torch.from_numpy(code_similarity.pair_scores(prints)) if names else torch.zeros(0, 0)
    scores = upper(matrix, range(len(names)))
    independent = code_similarity.independent_versions(assignment, config)
    cut, rule = threshold(independent=torch.tensor(independent), class_pairs=scores,
                          margin=config.integrity_code_margin, floor=config.integrity_code_floor,
                          ceiling=config.integrity_code_ceiling,
                          independent_what="pairs of independently written correct cells (the solution's against "
                                           "each correct fixture's rewrite of them)")
    bulk = float(scores.median()) if scores.numel() else 0.0
    section = Section("graded cells' code", scores.tolist(), independent, cut, rule)
    ranked = sorted(((float(matrix[i, j]), i, j) for i, j in above(matrix, cut)), reverse=True)
    shutil.rmtree(folder / "code", ignore_errors=True)  # an earlier report's pages would name other pairs
    if ranked:
        (folder / "code").mkdir()
    for number, (score, i, j) in enumerate(ranked):
        a, b = names[i], names[j]
        page = code_similarity.side_by_side(prints[a], prints[b], names=(a, b), score=score,
                                            path=folder / "code" / f"pair{number + 1}.html")
        section.flags.append(Flag("", "code", a, b, score, cut,
                                  f"{score:.0%} of their own code's fingerprints found in each other's (mean of the "
                                  f"two); the class's median pair {bulk:.0%}", link=f"code/{page.name}"))
    return section, skipped


def integrity_report(*, out_dir: Path, assignment: Assignment, config: Config = Config()) -> Path:
    """Compare every pair of the submissions graded into ``out_dir``; returns ``out_dir/integrity/index.html``."""
    out_dir = Path(out_dir)
    folder = out_dir / REPORT_DIR
    folder.mkdir(exist_ok=True)
    records = [read_record(p) for p in graded_folders(out_dir)]
    not_compared = [(r.name, "everything", r.not_compared["all"]) for r in records if "all" in r.not_compared]
    records = [r for r in records if "all" not in r.not_compared]
    runs = reference_records(assignment)
    sections = []
    for model in assignment.settings.models:
        students = [r for r in records if model.name in r.states]
        not_compared += [(r.name, model.name, r.not_compared.get(model.name, "no fitted tensors"))
                         for r in records if model.name not in r.states]
        sections.append(compare_model(model, students, [r for r in runs if model.name in r.states],
                                      margin=config.integrity_weights_margin, ceiling=config.integrity_weights_ceiling))
    section, skipped = compare_code(records, assignment=assignment, folder=folder, config=config)
    sections.append(section)
    not_compared += [(r.name, "code", r.not_compared["code"]) for r in records if "code" in r.not_compared]
    not_compared += [(name, "code", reason) for name, reason in skipped.items()]
    flags = [f for s in sections for f in s.flags]
    write_csv(sorted(flags, key=lambda f: (f.model, f.kind, -f.score)), assignment_id=assignment.id,
              path=folder / "integrity.csv")
    submissions = len(records) + len([n for n in not_compared if n[1] == "everything"])
    write_json(sections, not_compared, submissions=submissions, path=folder / FLAGS_FILE)
    return write_html(sections, not_compared, title=assignment.settings.title, submissions=submissions,
                      path=folder / "index.html")
