"""Self-checks (locked ``check_`` cells): one after every graded cell and one at the end of every notebook, never run
by the grader, stating no number and no solution line the notebook does not already show; they pass on the
solution with its reference weights and fail, each with its own message, on the unfilled release."""

import ast
import json
import re
import shutil

import nbformat
import pytest
import torch

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.grade.locked_cells import released_locked_cells, restore_locked
from autograder.engine.selfcheck import CHECK_PREFIX, check_ids, run_selfchecks, selfcheck_report

IDS = assignment_ids()
TRIVIAL = {0, 1, 2}  # 2: the batch of the tiny probes every check uses
GENERIC = {"try:", "finally:", "else:"}  # lines any Python cell may hold: they reveal nothing


def grade_id(cell) -> str:
    return cell.metadata.nbgrader.get("grade_id", "")


def is_check(cell) -> bool:
    return grade_id(cell).startswith(CHECK_PREFIX)


def notebooks(assignment_id):
    assignment = load(assignment_id)
    return [nbformat.read(path, as_version=4) for path in (assignment.solution_notebook, assignment.release_notebook)]


@pytest.mark.parametrize("assignment_id", IDS)
def test_a_locked_check_follows_every_graded_cell_and_ends_the_notebook(assignment_id):
    for notebook in notebooks(assignment_id):
        cells = notebook.cells
        for cell, after in zip(cells, cells[1:]):
            if cell.cell_type == "code" and cell.metadata.nbgrader.get("points"):
                assert is_check(after), f"no self-check right after the graded cell {grade_id(cell)}"
        assert grade_id(cells[-1]) == "check_before_you_submit"
        for cell in filter(is_check, cells):
            meta = cell.metadata.nbgrader
            assert cell.cell_type == "code" and meta["locked"] and not meta["solution"] and not meta["grade"], meta
            assert "points" not in meta


@pytest.mark.parametrize("assignment_id", IDS)
def test_the_grader_never_runs_a_check(assignment_id):
    assignment = load(assignment_id)
    assert not [cell for cell in assignment.settings.definition_cells if cell.startswith(CHECK_PREFIX)]
    # a submission whose checks are edited: locked cells are restored only among the definition cells
    definitions = released_locked_cells(assignment.release_notebook)
    edited = {**definitions, **{check: "raise RuntimeError('edited')" for check in check_ids(assignment.release_notebook)}}
    restored, notes = restore_locked(edited, assignment=assignment)
    assert restored == edited and notes == []


def numbers(source: str) -> set:
    """Every number a cell states: its numeric literals and the numbers written in its strings (format specs aside)."""
    tree = ast.parse(source)
    specs = {id(node) for value in ast.walk(tree) if isinstance(value, ast.FormattedValue) and value.format_spec
             for node in ast.walk(value.format_spec)}
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in specs or isinstance(node.value, bool):
            continue
        if isinstance(node.value, (int, float)):
            found.add(node.value)
        elif isinstance(node.value, str):
            found |= {float(t) if "." in t else int(t.replace(",", ""))
                      for t in re.findall(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?", node.value)}
    return found - TRIVIAL


def stated(value, text: str) -> bool:
    """``value`` written in ``text`` as a whole number (61706 or 61,706), not as part of a longer one."""
    forms = {repr(value)} | ({f"{value:,}", str(value)} if isinstance(value, int) else set())
    if isinstance(value, float) and value.is_integer():
        forms |= {str(int(value))}
    return any(re.search(rf"(?<![\d.]){re.escape(form)}(?![\d]|[.,]\d)", text) for form in forms)


def given_text(notebook) -> str:
    """What the released notebook tells students: its markdown and its locked code, self-checks aside."""
    return "\n".join(cell.source for cell in notebook.cells if not is_check(cell) and
                     (cell.cell_type == "markdown" or cell.metadata.nbgrader.get("locked")))


@pytest.mark.parametrize("assignment_id", IDS)
def test_a_check_states_no_number_the_notebook_does_not(assignment_id):
    released = notebooks(assignment_id)[1]
    text = given_text(released)
    unstated = {grade_id(cell): sorted(n for n in numbers(cell.source) if not stated(n, text))
                for cell in filter(is_check, released.cells)}
    assert not {cell: found for cell, found in unstated.items() if found}


def test_the_number_test_can_fail():
    assert numbers('assert kernel == 5, f"kernel {kernel:.3f} should be 61,706"') == {5, 61706}
    assert not stated(5, "LeNet-55 and 0.5") and stated(61706, "has 61,706 parameters")


@pytest.mark.parametrize("assignment_id", IDS)
def test_no_solution_line_reaches_a_check(assignment_id):
    solution, released = notebooks(assignment_id)
    secret = set()
    for cell in solution.cells:
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
            secret |= {line.strip() for line in region.splitlines() if len(line.strip()) > 3}
        secret |= {line.split("###")[0].strip() for line in cell.source.splitlines() if "### BLANKS" in line}
    text = given_text(released)
    checks = "\n".join(cell.source for cell in filter(is_check, released.cells))
    assert not sorted(line for line in secret - GENERIC if line in checks and line not in text)


@pytest.fixture(scope="session")
def verdicts(config, tmp_path_factory) -> dict:
    """Every assignment's self-checks run once on its solution (its reference weights beside it) and once on its
    unfilled release, in one process."""
    submissions, keys = [], []
    for assignment_id in IDS:
        assignment = load(assignment_id, config)
        for kind, notebook in (("solution", assignment.solution_notebook), ("release", assignment.release_notebook)):
            folder = tmp_path_factory.mktemp(f"{assignment_id}-{kind}")
            shutil.copy(notebook, folder / f"{assignment_id}.ipynb")
            if kind == "solution":
                for name in assignment.settings.weight_files:
                    shutil.copy(assignment.reference_weights() / name, folder)
            submissions.append((folder, assignment))
            keys.append((assignment_id, kind))
    return dict(zip(keys, run_selfchecks(submissions, config=config)))


@pytest.mark.parametrize("assignment_id", IDS)
def test_every_check_passes_on_the_solution(verdicts, assignment_id):
    found = verdicts[assignment_id, "solution"]
    assert list(found) == check_ids(load(assignment_id).solution_notebook)
    assert not {check: message for check, message in found.items() if message}


@pytest.mark.parametrize("assignment_id", IDS)
def test_every_check_fails_with_its_message_on_the_release(verdicts, assignment_id):
    found = verdicts[assignment_id, "release"]
    assert list(found) == check_ids(load(assignment_id).release_notebook)
    # an AssertionError is a message the check wrote; anything else is a Python error the student must decode
    assert not {check: message for check, message in found.items() if not message.startswith("AssertionError: ")}


def before_you_submit(assignment, folder, history, monkeypatch):
    """Run the before-you-submit cell of the notebook in ``folder`` with IPython's history ``history``."""
    notebook = folder / f"{assignment.id}.ipynb"
    source = dict((grade_id(c), c.source) for c in nbformat.read(notebook, as_version=4).cells)["check_before_you_submit"]
    monkeypatch.chdir(folder)
    exec(source, {"torch": torch, "In": ["", *history]})


def test_before_you_submit_tells_an_unsaved_notebook(tmp_path, monkeypatch):
    assignment = load("bending")  # its submission is the notebook alone: no weights to load
    shutil.copy(assignment.solution_notebook, tmp_path)
    code = [c.source for c in nbformat.read(assignment.solution_notebook, as_version=4).cells if c.cell_type == "code"]
    before_you_submit(assignment, tmp_path, code, monkeypatch)  # every cell run as saved: ready
    edited = [source.replace("return vae.decode(z)", "return vae.decode(z) * 1") for source in code]
    with pytest.raises(AssertionError, match="`bend_reconstruct` saved on disk is not the code this kernel ran"):
        before_you_submit(assignment, tmp_path, edited, monkeypatch)
    shutil.copy(assignment.release_notebook, tmp_path)
    with pytest.raises(AssertionError, match="`bend_record` still says ### YOUR CODE HERE ###"):
        before_you_submit(assignment, tmp_path, code, monkeypatch)


def test_selfcheck_report_counts_structural_fixtures_and_what_the_checks_catch(config, tmp_path):
    report = selfcheck_report(assignment=load("hw2", config), config=config, root=tmp_path,
                              names=["lenet_wrong_kernel", "missing_vae_weights", "lenet_relu_instead_of_tanh",
                                     "hostile_fork_bomb_is_capped", "passes_all"])
    assert [verdict.name for verdict in report.structural] == ["lenet_wrong_kernel", "missing_vae_weights"]
    assert list(report.structural[0].failed_checks) == ["check_lenet", "check_before_you_submit"]
    assert "mnist_vae_weights.pth is not next to this notebook" in report.structural[1].failed_checks["check_before_you_submit"]
    assert report.share == 1 and "catches 2 of the 2 fixtures" in str(report)
    assert sorted(report.skipped) == ["hostile_fork_bomb_is_capped", "lenet_relu_instead_of_tanh", "passes_all"]
    assert json.loads((tmp_path / "lenet_wrong_kernel" / "hw2.ipynb").read_text())["cells"]  # built where asked
