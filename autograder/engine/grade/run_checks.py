"""Run the hidden pytest checks on one notebook's answers and collect each check's points and message."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.engine.grade.checks import CheckFailed


# pytest's plugins that hidden checks never use, left out because pytest starts anew for every submission:
# unraisableexception and threadexception call gc.collect() twice at exit (a second per submission in a grader
# holding models; the checks start no threads and leave no finalizers); the others, about 0.03 CPU s a submission
# (bending's checks: 0.10 -> 0.07). Kept for a new assignment's checks: skipping, tmpdir, monkeypatch, recwarn,
# warnings.
UNUSED_PLUGINS = ("cacheprovider", "unraisableexception", "threadexception", "doctest", "junitxml", "pastebin",
                  "stepwise", "logging", "legacypath", "faulthandler", "debugging", "setuponly", "setupplan", "capture",
                  "subtests")


@dataclass
class CheckResult:
    name: str
    title: str
    cell: str
    max_score: float
    score: float
    message: str
    seconds: float = 0.0


class _Checks:
    """pytest plugin: hands the checks their fixtures and records every outcome."""

    def __init__(self, fixtures: dict):
        self.fixtures = fixtures
        self.results: list[CheckResult] = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(value, cell, title): points and cell of a hidden check")

    @pytest.fixture
    def student(self):
        return self.fixtures["student"]

    @pytest.fixture
    def reference(self):
        return self.fixtures["reference"]

    @pytest.fixture
    def thresholds(self):
        return self.fixtures["thresholds"]

    @pytest.fixture
    def settings(self):
        return self.fixtures["settings"]

    @pytest.fixture
    def probe_inputs(self):
        return self.fixtures["probe_inputs"]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            mark = item.get_closest_marker("points").kwargs
            if call.excinfo is None:
                score, message = mark["value"], ""
            elif isinstance(call.excinfo.value, CheckFailed):
                failed = call.excinfo.value
                score, message = round(mark["value"] * failed.kept, 2), str(failed)
            else:  # a malformed answer the check did not foresee: no points, and no check source in the message
                score = 0.0
                message = f"this check could not be evaluated on your answers ({type(call.excinfo.value).__name__})"
            self.results.append(CheckResult(item.name, mark["title"], mark["cell"], mark["value"], score, message,
                                            report.duration))
        return report


def run_checks(*, checks_dir: Path, **fixtures) -> list[CheckResult]:
    """Every hidden check in ``checks_dir``, in the notebook's cell order.

    Fixtures the checks may ask for: student, reference, thresholds, settings (the assignment's), probe_inputs.
    """
    # --disable-plugin-autoload: installed third-party plugins (anyio's, ...) neither load nor change the checks
    args = [str(checks_dir), "-qq", "--tb=line", "--disable-plugin-autoload",
            *(arg for plugin in UNUSED_PLUGINS for arg in ("-p", f"no:{plugin}")),
            "-o", "addopts=", "--rootdir", str(checks_dir)]
    for attempt in (1, 2):  # the checks are pure functions of the answers: running them again is safe
        plugin, output = _Checks(fixtures), io.StringIO()
        with contextlib.redirect_stdout(output):
            exit_code = pytest.main(args, plugins=[plugin])
        if exit_code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and plugin.results:
            break
        # the checks themselves did not run: a grader fault, never a score of 0 out of 0
        report = f"the hidden checks in {checks_dir} did not run (pytest exit {exit_code}): {output.getvalue()[-2000:]}"
        if attempt == 2:
            raise RuntimeError(report)
        print(f"warning: {report}; running them again", file=sys.stderr)
    order = fixtures["settings"].definition_cells
    return sorted(plugin.results, key=lambda check: order.index(check.cell) if check.cell in order else len(order))
