"""How alike two submissions' graded cells are: copydetect's winnowed fingerprints of the tokenised code (names
replaced by placeholders, so renamed variables change nothing; k-grams, so reordered statements keep most of
their matches), with the released notebook's code as boilerplate so the starter code never counts.
"""

from __future__ import annotations

import html
import io
import json
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config
from autograder.engine.notebook import cells_by_grade_id

NOISE_TOKENS = 25   # copydetect's default noise threshold: matches shorter than this many characters are ignored
WINDOW = 1          # keep every k-gram (copydetect's guarantee threshold = noise): small cells lose nothing


def graded_code(cells: dict[str, str], assignment: Assignment) -> str:
    """The definition cells' code in the assignment's order, each under a header line."""
    return "\n\n".join(f"# cell {cell}\n{cells[cell]}" for cell in assignment.settings.definition_cells if cell in cells)


@cache
def boilerplate(assignment: Assignment) -> np.ndarray:
    """The fingerprints of the released notebook's graded cells: what every student starts from."""
    from copydetect import CodeFingerprint

    text = graded_code(cells_by_grade_id(assignment.release_notebook), assignment)
    return np.array(sorted(CodeFingerprint("release.py", NOISE_TOKENS, WINDOW, fp=io.StringIO(text)).hashes))


@lru_cache(maxsize=4096)
def fingerprint(name: str, text: str, assignment: Assignment):
    """copydetect's fingerprint of one submission's graded code, the release's left out. Kept by this process:
    grading a class makes each one as its result arrives (``grade.batch``), while the workers still run, rather
    than all of them in the report after the last (25 to 35 ms each)."""
    from copydetect import CodeFingerprint

    return CodeFingerprint(f"{name}.py", NOISE_TOKENS, WINDOW, boilerplate=boilerplate(assignment), fp=io.StringIO(text))


def fingerprints(codes: dict[str, str], *, assignment: Assignment) -> tuple[dict, dict[str, str]]:
    """Each submission's fingerprint (by name), and the submissions left out with the reason: no code of their
    own beyond the release."""
    prints, skipped = {}, {}
    for name, text in codes.items():
        if (made := fingerprint(name, text, assignment)).token_coverage < NOISE_TOKENS:
            skipped[name] = "no code of its own beyond the released notebook"
        else:
            prints[name] = made
    return prints, skipped


def independent_versions(assignment: Assignment, config: Config) -> list[float]:
    """What independently written correct code scores: for each correct fixture (``fixtures/correct*``, no point
    lost), the similarity of its rewritten cells to the solution's same cells. Only the rewritten cells are
    compared: the rest of a fixture is the solution's own code. A fixture marked ``edits_the_solution`` in its
    expected.json (the solution with a demo line or a helper added, to test how grading treats that) is as close to
    the solution as a copy, not independent work, and is left out.

    Kept in the cache folder, named by everything it is computed from: building the fixtures' notebooks loads
    nbformat's validator (about 1 s) and fingerprints ten cells, for each class's report."""
    from importlib.metadata import version

    from autograder.engine.grade.cache_key import cached_tensors, content_key

    names = sorted(p.name for p in assignment.fixtures_dir.glob("correct*") if p.is_dir())
    files = sorted(p for name in names for p in (assignment.fixtures_dir / name).rglob("*") if p.is_file())
    builder = Path(__file__).parents[1] / "fixtures.py"  # how a fixture's notebook is built
    key = content_key([assignment.solution_notebook, assignment.release_notebook, Path(__file__), builder, *files],
                      repr(names), repr(assignment.settings.definition_cells), version("copydetect"))
    return cached_tensors(Path(config.cache_dir) / f"independent_code-{assignment.id}-{key}.pt",
                          lambda: _independent_versions(assignment, config, names))


def _independent_versions(assignment: Assignment, config: Config, names: list[str]) -> list[float]:
    from autograder.engine.fixtures import build_notebook, expected

    solution = cells_by_grade_id(assignment.solution_notebook)
    scores = []
    for name in names:
        spec = assignment.fixtures_dir / name
        wanted = expected(assignment, name)
        if wanted.get("lost") != {} or wanted.get("edits_the_solution"):
            continue
        recipe = json.loads((spec / "recipe.json").read_text()) if (spec / "recipe.json").is_file() else {}
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
                 for c in build_notebook(spec, recipe, config=config, assignment=assignment).cells}
        rewritten = [c for c in assignment.settings.definition_cells if c in cells and cells[c] != solution.get(c)]
        prints, _ = fingerprints({"solution": graded_code({c: solution.get(c, "") for c in rewritten}, assignment),
                                  name: graded_code({c: cells[c] for c in rewritten}, assignment)},
                                 assignment=assignment)
        if len(prints) == 2:  # both have code of their own beyond the release
            scores.append(float(pair_scores(prints)[0, 1]))
    return scores


def pair_scores(prints: dict) -> np.ndarray:
    """For every pair, the mean of the two shares of each one's fingerprints found in the other's, from one sparse
    matrix product (fingerprints by submission) rather than a comparison per pair."""
    from scipy import sparse

    vocabulary: dict[int, int] = {}
    rows, columns = [], []
    for row, fingerprint in enumerate(prints.values()):
        for value in fingerprint.hashes:
            rows.append(row)
            columns.append(vocabulary.setdefault(value, len(vocabulary)))
    members = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(prints), len(vocabulary)))
    overlap = (members @ members.T).toarray()
    share = overlap / np.maximum(np.diag(overlap), 1)[:, None]
    return (share + share.T) / 2


def side_by_side(first, second, *, names: tuple[str, str], score: float, path: Path) -> Path:
    """An HTML page with both submissions' code, the passages found in both highlighted (copydetect's matching)."""
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    _, _, slices = compare_files(first, second)
    columns = []
    for name, text, found in zip(names, (first.raw_code, second.raw_code), slices):
        marked = (highlight_overlap(text, found, "<mark>", "</mark>", escape_html=True)[0]
                  if np.size(found) else html.escape(text))
        columns.append(f"<div><h2>{html.escape(name)}</h2><pre>{marked}</pre></div>")
    path.write_text("<!doctype html><meta charset='utf-8'><title>graded cells compared</title><style>body{font-family:"
                    "sans-serif}main{display:flex;gap:1em}main>div{flex:1;overflow:auto}pre{font-size:12px}mark{"
                    "background:#ffe08a}</style>"
                    f"<p>Highlighted: passages found in both (tokens compared, names ignored; the released notebook's "
                    f"code left out). Similarity {score:.2f}.</p><main>{''.join(columns)}</main>\n")
    return path
