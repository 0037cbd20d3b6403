"""The zip Gradescope builds its autograder image from: setup.sh and run_autograder at its root, beside the
repository files grading needs, and nothing else (no environment, data, tests or history)."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.engine.config import Config

SCRIPTS = Path(__file__).resolve().parent
EXECUTABLES = ("setup.sh", "run_autograder")  # Gradescope looks for both at the zip's root
TOP_LEVEL = ("requirements.txt", "Makefile", "nbgrader_config.py", "pyproject.toml")  # what `make install data` reads


def bundled_files(config: Config, assignment: Assignment) -> list[Path]:
    """Repository files grading one assignment needs, relative to the root: the engine, the assignment's folder with
    the one reference seed its checks compare against (no other assignment, no fixtures or tests), the solution
    notebook the reference answers come from, the released notebook (the blank example setup.sh grades), and the
    files `make install data` reads."""
    def kept(path: Path) -> bool:  # no bytecode, hidden files, nor the executed notebooks `make reference` leaves
        return (path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
                and not path.name.endswith("_executed.ipynb"))

    package = config.root / "autograder"
    engine = [p for p in package.rglob("*") if kept(p) and config.assignments_dir not in p.parents]
    left_out = (assignment.reference_dir, assignment.fixtures_dir, assignment.folder / "tests")
    own = [p for p in assignment.folder.rglob("*") if kept(p) and not any(d in p.parents for d in left_out)]
    reference = [p for p in assignment.reference_weights().rglob("*") if kept(p)]
    # pass marks come from every run (passmarks.MIN_RUNS or more): each run's figures, and the reference folder's
    # own files (runs that are not weight files, such as an assignment's runs of a stochastic function)
    reference += [p for p in assignment.reference_dir.glob("seed*/metrics.json") if kept(p)]
    reference += [p for p in assignment.reference_dir.glob("*") if kept(p)]
    others = [config.assignments_dir / "__init__.py", assignment.solution_notebook, assignment.release_notebook,
              *(config.root / name for name in TOP_LEVEL)]
    return sorted({p.relative_to(config.root) for p in engine + own + reference + others})


def build_bundle(*, out: Path, assignment: Assignment, config: Config = Config()) -> Path:
    """Write the zip to ``out``; the same sources give the same bytes (fixed dates and modes). Its scripts grade
    ``assignment``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in EXECUTABLES:
            script = (SCRIPTS / name).read_text().replace("@ASSIGNMENT@", assignment.id)
            _add(bundle, script.encode(), name, mode=0o755)
        for relative in bundled_files(config, assignment):
            _add(bundle, (config.root / relative).read_bytes(), relative.as_posix(), mode=0o644)
    partial.replace(out)
    return out


def _add(bundle: zipfile.ZipFile, content: bytes, name: str, *, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | mode) << 16  # unzip restores these permissions: run_autograder must execute
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, content)
