"""Run the hidden pytest checks on one notebook's answers and collect each check's points and message."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.checks.support import CheckFailed

CHECKS_DIR = Path(__file__).resolve().parents[1] / "checks"


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
    def config(self):
        return self.fixtures["config"]

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
                score, message = 0.0, str(call.excinfo.value)
            else:  # a malformed answer the check did not foresee: no points, and no check source in the message
                score = 0.0
                message = f"this check could not be evaluated on your answers ({type(call.excinfo.value).__name__})"
            self.results.append(CheckResult(item.name, mark["title"], mark["cell"], mark["value"], score, message,
                                            report.duration))
        return report


def run_checks(**fixtures) -> list[CheckResult]:
    """Every hidden check, in the notebook's cell order; fixtures: student, reference, thresholds, config, probe_inputs."""
    plugin = _Checks(fixtures)
    args = [str(CHECKS_DIR), "-qq", "--tb=no", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(CHECKS_DIR)]
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(args, plugins=[plugin])
    order = fixtures["config"].definition_cells
    return sorted(plugin.results, key=lambda check: order.index(check.cell))
