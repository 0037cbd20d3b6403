"""Import what a trusted notebook's cells import before the cells run, leaving ``torch._dynamo`` until it is used.

torchvision's ``ops.roi_align`` imports ``torch._dynamo.utils`` when torchvision is imported, for one function it calls
only when its boxes are pooled; that package is over 800 modules (1.4 s idle, in every grader's start). While these
modules load, ``torch._dynamo.utils`` is a stand-in whose function loads the real one when called; afterwards
``import torch._dynamo`` (``torch.compile``, creating an optimizer) loads the real package as ever. The grader's
side only: the student-code server imports it up front (see ``student_server.py``).
"""

from __future__ import annotations

import sys
import types
from contextlib import contextmanager

DEFERRED = "torch._dynamo.utils"


def _is_compile_supported(device_type):
    from torch._dynamo.utils import is_compile_supported

    return is_compile_supported(device_type)


@contextmanager
def dynamo_deferred():
    """``torch._dynamo.utils`` as a stand-in in ``sys.modules`` for the block, unless torch._dynamo is loaded."""
    if "torch._dynamo" in sys.modules or DEFERRED in sys.modules:
        yield
        return
    stand_in = types.ModuleType(DEFERRED, "stands in while a notebook's imports load (autograder preload.py)")
    stand_in.is_compile_supported = _is_compile_supported
    sys.modules[DEFERRED] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(DEFERRED) is stand_in:
            del sys.modules[DEFERRED]


def preload(modules: list[str]) -> None:
    """Import ``modules`` in order: only a head start, so one that fails is left to the cell importing it, which
    reports its error."""
    with dynamo_deferred():
        for module in modules:
            try:
                __import__(module)
            except Exception:
                pass
