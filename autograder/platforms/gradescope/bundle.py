"""The zip Gradescope builds its autograder image from: setup.sh and run_autograder at its root, beside the
repository files grading needs, and nothing else (no environment, data, tests or history)."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from autograder.config import Config

SCRIPTS = Path(__file__).resolve().parent
EXECUTABLES = ("setup.sh", "run_autograder")  # Gradescope looks for both at the zip's root
TOP_LEVEL = ("requirements.txt", "Makefile", "nbgrader_config.py", "pyproject.toml")  # what `make install data` reads


def bundled_files(config: Config) -> list[Path]:
    """Repository files grading needs, relative to the root: the autograder package with the one reference seed the
    checks compare against, the solution notebook the reference answers come from, the released notebook (the
    blank example setup.sh grades), and the files `make install data` reads."""
    def kept(path: Path) -> bool:  # no bytecode, hidden files, nor the executed notebooks `make reference` leaves
        return (path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
                and not path.name.endswith("_executed.ipynb"))

    package = [p for p in (config.root / "autograder").rglob("*") if kept(p) and config.reference_dir not in p.parents]
    reference = [p for p in config.reference_weights().rglob("*") if kept(p)]
    others = [config.solution_notebook, config.release_notebook, *(config.root / name for name in TOP_LEVEL)]
    return sorted(p.relative_to(config.root) for p in package + reference + others)


def build_bundle(*, out: Path, config: Config = Config()) -> Path:
    """Write the zip to ``out``; the same sources give the same bytes (fixed dates and modes)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in EXECUTABLES:
            _add(bundle, SCRIPTS / name, name, mode=0o755)
        for relative in bundled_files(config):
            _add(bundle, config.root / relative, relative.as_posix(), mode=0o644)
    partial.replace(out)
    return out


def _add(bundle: zipfile.ZipFile, source: Path, name: str, *, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | mode) << 16  # unzip restores these permissions: run_autograder must execute
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, source.read_bytes())
