"""Grade submissions: collect, run the student's code in its own process, check its answers, report.

The names below load on first use (PEP 562), so that importing ``sandbox`` stays light: a command line starts
the student-code server before this process imports torch, and a cold grading pays for the two at once.
"""

from __future__ import annotations

import importlib

_WHERE = {"Grader": "grader", "GradeResult": "grader", "measure": "grader", "thresholds": "grader",
          "grade_submissions": "batch", "CheckResult": "run_checks"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
