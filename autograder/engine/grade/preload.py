"""Import what a notebook's cells import before the cells run, leaving ``torch._dynamo`` until it is used.

torchvision's ``ops.roi_align`` imports ``torch._dynamo.utils`` when torchvision is imported, for one function it calls
only when its boxes are pooled; that package is over 800 modules (1.3 s idle, in every grader's and student-code
server's start). While these modules load, ``torch._dynamo.utils`` is a stand-in whose function loads the real one
when called; afterwards ``import torch._dynamo`` (``torch.compile``, creating an optimizer) loads the real package as
ever. Copied into the student's runner (``student_server.py`` uses it): imports only the standard library and torch.
"""

from __future__ import annotations

import json
import sys
import types
from contextlib import contextmanager

DEFERRED = "torch._dynamo.utils"
DYNAMO = "torch._dynamo"  # the student-code server loads it once a submission's process has needed it


def dynamo_needed_line() -> bytes:
    """What a submission's process writes to its progress log when it imported ``DYNAMO``; the server looks for it."""
    return (json.dumps({"imported": DYNAMO}) + "\n").encode()


def _is_compile_supported(device_type):
    from torch._dynamo.utils import is_compile_supported

    return is_compile_supported(device_type)


@contextmanager
def dynamo_deferred():
    """``torch._dynamo.utils`` as a stand-in in ``sys.modules`` for the block, unless torch._dynamo is loaded."""
    if DYNAMO in sys.modules or DEFERRED in sys.modules:
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


def wrap_manual_seed() -> None:
    """Do now what importing ``torch._dynamo`` does to ``torch.manual_seed`` (wrap it with ``torch._disable_dynamo``),
    in a process that defers that package and whose functions are then watched for changes (the student-code server,
    before its forks' guards capture them): a cell that imports it later (creating an optimizer does) finds the
    function wrapped already and leaves it, so the guards see no change. The wrapper imports ``torch._dynamo`` at its
    first call to build the function it runs; it is handed the plain one instead, which is what a call outside
    ``torch.compile`` runs."""
    import torch

    if torch.manual_seed is torch.random.manual_seed:  # the very test torch/_dynamo/__init__.py makes
        plain = torch.random.manual_seed
        torch.manual_seed = torch._disable_dynamo(plain)
        setattr(plain, "__dynamo_disable", plain)  # the wrapper's cache of what to call (torch/_compile.py)
        torch.jit._builtins._register_builtin(torch.manual_seed, "aten::manual_seed")
