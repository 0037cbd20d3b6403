"""The Gradescope bundle, tried the way Gradescope uses it: unzipped into ROOT/source, its run_autograder run on
ROOT/submission, and the ROOT/results/results.json it writes checked against Gradescope's documented format."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.examples import build_examples
from autograder.engine.grade import GradeResult
from autograder.engine.grade import inputs
from autograder.engine.grade.report import results_json
from autograder.engine.grade.run_checks import CheckResult
from autograder.engine.platforms.gradescope.bundle import build_bundle
from autograder.engine.platforms.gradescope.run import run, submission_folder

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
# results.json as Gradescope's "Autograder Specifications" page documents it
# (gradescope-autograders.readthedocs.io/en/latest/specs/); a key it does not document is refused.
RESULTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    # "score: optional, but required if not on each test case"
    "anyOf": [{"required": ["score"]}, {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}}],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
            "score": {"type": "number"},
            "max_score": {"type": "number"},
            "status": {"enum": ["passed", "failed"]},
            "name": {"type": "string"},
            "name_format": FORMAT,
            "number": {"type": "string"},
            "output": {"type": "string"},
            "output_format": FORMAT,
            "tags": {"type": "array", "items": {"type": "string"}},
            "visibility": VISIBILITY,
            "extra_data": {"type": "object"},
        }}},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"], "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}},
        }},
    },
}
def graded_files(assignment) -> list[str]:
    """What the zip for the default assignment must hold: the engine, that assignment's checks, probes and
    reference seed, its notebooks, and the files `make install data` reads."""
    folder = f"autograder/assignments/{assignment.id}"
    seed = assignment.reference_weights().name
    return [f"{folder}/__init__.py", f"{folder}/probes.py", f"{folder}/checks/__init__.py",
            f"{folder}/reference/{seed}/metrics.json", "autograder/engine/platforms/gradescope/run.py",
            "autograder/engine/grade/probing.py", "autograder/assignments/__init__.py",
            *(f"{folder}/reference/{seed}/{name}" for name in assignment.settings.weight_files),
            f"solutions/{assignment.id}/{assignment.id}.ipynb", f"assignments/{assignment.id}/{assignment.id}.ipynb",
            "requirements.txt", "Makefile", "nbgrader_config.py", "pyproject.toml"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, config, assignment) -> Path:
    return build_bundle(out=tmp_path_factory.mktemp("bundle") / "autograder.zip", assignment=assignment, config=config)


@pytest.fixture(scope="module")
def source(bundle, tmp_path_factory, config) -> Path:
    """The bundle unzipped as Gradescope does, with the repository's environment, MNIST and cached probe inputs
    standing in for what setup.sh builds (running it would install the 5 GB environment again)."""
    source = tmp_path_factory.mktemp("gradescope") / "source"
    unpack(bundle, source)
    config.cache_dir.mkdir(exist_ok=True)
    for name, target in ((".venv", config.root / ".venv"), ("data", config.data_root), (".cache", config.cache_dir)):
        (source / name).symlink_to(target)
    return source


def unpack(bundle: Path, source: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(source)
        for info in archive.infolist():  # zipfile leaves permissions out; unzip, as Gradescope uses, restores them
            os.chmod(source / info.filename, info.external_attr >> 16 & 0o777)


def run_autograder(source: Path, root: Path) -> dict:
    """Gradescope's steps: run_autograder copied to ROOT, the submission in ROOT/submission, then the script run."""
    (root / "source").symlink_to(source)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    done = subprocess.run([root / "run_autograder"], env={**os.environ, "AUTOGRADER_ROOT": str(root)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results


def test_the_zip_holds_what_grading_needs_and_nothing_else(bundle, config, assignment):
    with zipfile.ZipFile(bundle) as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        scripts = archive.read("run_autograder").decode() + archive.read("setup.sh").decode()
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111, "both scripts must be executable"
    assert set(graded_files(assignment)) <= set(modes)
    assert "@ASSIGNMENT@" not in scripts and scripts.count(assignment.id) >= 2
    others = [i for i in assignment_ids(config) if i != assignment.id]
    own_seed = assignment.reference_weights().name
    for name in modes:
        assert not re.match(r"(\.venv|data|tests|\.git|out|\.cache)/", name), name
        assert "/fixtures/" not in name and "/tests/" not in name and "__pycache__" not in name, name
        # other runs contribute their figures (pass marks come from every run), never their weights
        assert (not re.search(r"/reference/seed\d+/", name) or f"/reference/{own_seed}/" in name
                or name.endswith("/metrics.json")), name
        assert not any(name.startswith(f"autograder/assignments/{other}/") for other in others), name
    assert build_bundle(out=bundle.with_name("again.zip"), assignment=assignment,
                        config=config).read_bytes() == bundle.read_bytes()


def test_setup_installs_the_environment_and_data(source):
    script = source / "setup.sh"
    assert subprocess.run(["bash", "-n", script]).returncode == 0
    assert re.search(r"^make\b.*\binstall data\b", script.read_text(), flags=re.M)


def test_the_reference_uploaded_in_a_folder_scores_12(source, assignment, tmp_path):
    root = tmp_path / "autograder"
    upload = root / "submission"
    (upload / "__MACOSX").mkdir(parents=True)
    reference, _ = build_examples(out_dir=tmp_path / "examples", assignment=assignment)
    shutil.copytree(reference, upload / "my homework")
    results = run_autograder(source, root)
    assert results["score"] == 12 and results["extra_data"]["max_score"] == 12
    assert [t["status"] for t in results["tests"]] == ["passed"] * len(results["tests"])
    delayed = [t["name"] for t in results["tests"] if t["visibility"] != "visible"]
    assert len(delayed) == 3 and all("same outputs as the reference" in name for name in delayed)
    assert {t["visibility"] for t in results["tests"] if t["name"] in delayed} == {"after_due_date"}
    assert "3 checks (2 points) are shown after the due date" in results["output"]
    # each check's pictures (the reference's beside the student's) in its own test's output, as the per-test HTML
    # Gradescope renders (sanitised); the summary and the tests without pictures stay plain text
    assert results["output_format"] == "text" and "<img" not in results["output"]
    pictured = [t for t in results["tests"] if t.get("output_format") == "html"]
    assert pictured and sum(t["output"].count('<img src="data:image/png;base64,') for t in pictured) >= 8
    assert all("<img" not in t["output"] for t in results["tests"] if t not in pictured)


def test_a_submission_without_notebook_gets_0_and_is_told_why(source, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "hw2.py").write_text("print('my homework')\n")
    results = run_autograder(source, root)
    assert results["score"] == 0
    assert "no notebook found" in results["output"]
    assert all("no notebook found" in t["output"] for t in results["tests"])


def test_a_grader_failure_still_writes_results(tmp_path, monkeypatch, config, assignment):
    def broken(**_):
        raise OSError("No space left on device")

    monkeypatch.setattr("autograder.engine.grade.grade_submissions", broken)
    (tmp_path / "submission").mkdir()
    run(root=tmp_path, assignment=assignment, config=config)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0 and "OSError: No space left on device" in results["output"]


def test_the_notebook_is_found_in_nested_uploads(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "hw2 (1).ipynb").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    assert submission_folder(tmp_path) == tmp_path / "a" / "b"
    (tmp_path / "c").mkdir()  # two folders: which one is meant cannot be told, so grading reports what is missing
    assert submission_folder(tmp_path) == tmp_path
    (tmp_path / "hw2.ipynb").write_text("{}")
    assert submission_folder(tmp_path / "a") == tmp_path / "a" / "b"
    assert submission_folder(tmp_path) == tmp_path


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_delayed_checks_are_real_checks(assignment_id):
    assignment = load(assignment_id)
    checks = "".join(p.read_text() for p in assignment.checks_dir.glob("test_*.py"))
    for name in assignment.settings.delayed_checks:
        assert f"def {name}(" in checks, f"{assignment_id}'s delayed_checks names {name}, which is no check"


def test_a_wrong_visibility_is_refused(config, assignment):
    result = GradeResult("alice", [CheckResult(assignment.settings.delayed_checks[0], "same outputs", "lenet", 1.0,
                                               1.0, "")])
    with pytest.raises(ValueError, match="delayed_visibility is 'later'; set it to one of visible, hidden"):
        results_json(result, config=replace(config, delayed_visibility="later"), assignment=assignment)
    assert results_json(result, config=replace(config, delayed_visibility="visible"),
                        assignment=assignment)["tests"][0]["visibility"] == "visible"


# What the student's process may read in the built image (setup.sh's allow-list): the Python environment and MNIST.
OPEN_TO_STUDENTS = (".venv", "data")


def readable_as_another_user(paths: list[Path], uid: int) -> list[str]:
    """Which of ``paths`` a process of user ``uid`` (no groups) can open, as the jail's student process would be
    where namespaces are refused: a forked child drops to that user and tries each one."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(reading)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            opened = []
            for path in paths:
                try:
                    if path.is_dir():
                        os.listdir(path)
                    else:
                        path.open("rb").close()
                    opened.append(str(path))
                except OSError:
                    pass
            os.write(writing, json.dumps(opened).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        opened = json.loads(pipe.read())
    assert os.waitpid(pid, 0)[1] == 0
    return opened


@pytest.mark.skipif(os.geteuid() != 0, reason="trying another user's view needs root (as in CI)")
@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_the_students_process_reads_only_the_environment_and_mnist(assignment_id, config, tmp_path):
    """setup.sh's steps after its installs, replayed in the unpacked zip: what a process of another user id can
    read afterwards is the allow-list, and none of the solution, reference weights, hidden checks or probe cache."""
    assignment = load(assignment_id, config)
    bundle = build_bundle(out=tmp_path / "autograder.zip", assignment=assignment, config=config)
    # /tmp/pytest-of-root is closed to others: the tree stands for /autograder in a folder others may pass through
    autograder = Path(tempfile.mkdtemp(prefix="gradescope-image-"))
    try:
        os.chmod(autograder, 0o755)
        source = autograder / "source"
        unpack(bundle, source)
        # what `make install data grade` leaves, with the modes it writes (umask 022): small stand-ins for the
        # environment and MNIST, the example grading's reports (the solution and the reference weights) and the
        # probe cache at the path the grader reads it from
        for name in (".venv/bin/python", ".venv/lib/python3.11/site-packages/torch/__init__.py",
                     "data/MNIST/raw/t10k-images-idx3-ubyte"):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(b"stand-in")
        grades = source / "out" / "grades"
        build_examples(out_dir=grades / f"{assignment.id}-examples", assignment=assignment)
        assert (grades / f"{assignment.id}-examples").stat().st_mode & 0o077 == 0  # closed already as written
        (grades / assignment.id / "reference").mkdir(parents=True)
        (grades / assignment.id / "reference" / "result.json").write_text("{}")
        probe_cache = inputs.probe_inputs_path(config=replace(config, cache_dir=source / ".cache"), assignment=assignment)
        probe_cache.parent.mkdir()
        probe_cache.write_bytes(b"probe inputs")
        script = (source / "setup.sh").read_text()
        steps = script[re.search(r"^make\b.*\binstall data grade\b.*\n", script, flags=re.M).end():]
        subprocess.run(["bash", "-euo", "pipefail", "-c", steps], cwd=source, check=True)
        (probe_cache.parent / "written-while-grading.json").write_text("{}")  # the grader's later writes, umask 022

        everything = [Path(parent) / name for parent, folders, files in os.walk(autograder)
                      for name in folders + files]
        readable = readable_as_another_user(everything, uid=200_000 + os.getpid())
        allowed = [str(p) for p in everything
                   if any(p.relative_to(source).parts[:1] == (name,) for name in OPEN_TO_STUDENTS)
                   if p.is_relative_to(source)]
        assert sorted(readable) == sorted(allowed)
        assert str(source / ".venv" / "bin" / "python") in readable
        assert not (source / "out").exists()
        secrets = [source / "solutions" / assignment.id / f"{assignment.id}.ipynb",
                   *(source / assignment.reference_weights().relative_to(config.root) / name
                     for name in assignment.settings.weight_files),
                   *(source / p.relative_to(config.root) for p in assignment.checks_dir.glob("test_*.py")),
                   probe_cache, probe_cache.parent / "written-while-grading.json"]
        assert all(p.is_file() for p in secrets) and len(secrets) >= 5
        assert readable_as_another_user(secrets, uid=200_000 + os.getpid()) == []
    finally:
        shutil.rmtree(autograder)


def test_what_grading_writes_is_closed_to_others(tmp_path, config, assignment):
    """The folders the grader creates at grading time (reports, the examples with the solution, the cache of probe
    inputs and reference pictures) are its own: where the jail's namespaces are refused, the student's process of
    any later grading reads what others may read."""
    from autograder.engine.grade import grade_submissions
    from autograder.engine.grade.feedback_page import cached_pictures

    grade_submissions(submissions={}, out_dir=tmp_path / "out" / "grades", assignment=assignment, config=config)
    build_examples(out_dir=tmp_path / "out" / "examples", assignment=assignment)
    cached_pictures(tmp_path / "cache" / "reference_pictures.json", lambda: [])
    for folder in ("out/grades", "out/examples", "cache"):
        assert (tmp_path / folder).stat().st_mode & 0o777 == 0o700, folder
