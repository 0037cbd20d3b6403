"""Import what a notebook's cells import before the cells run, leaving ``torch._dynamo`` until it is used.

torchvision's ``ops.roi_align`` imports ``torch._dynamo.utils`` when torchvision is imported, for one function it calls
only when its boxes are pooled; that package is over 800 modules (1.3 s idle, in every grader's and student-code
server's start). While these modules load, ``torch._dynamo.utils`` is a stand-in whose function loads the real one
when called; afterwards ``import torch._dynamo`` (``torch.compile``) loads the real package as ever. torch's functions
decorated with ``torch._disable_dynamo`` (creating an optimizer calls one) import it too, only to run with compilation
off: they are left to run plain while it is not loaded (``defer_disables``). Copied into the student's runner
(``student_server.py`` uses it): imports only the standard library and torch.
"""

from __future__ import annotations

import gc
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
    reports its error. Then ``defer_disables``."""
    with dynamo_deferred():
        for module in modules:
            try:
                __import__(module)
            except Exception:
                pass
    defer_disables()


def _disabled_when_loaded(fn, recursive: bool):
    """``fn`` with torch.compile's tracing off, as ``torch._dynamo.disable(fn, recursive)`` would make it: while that
    package is not loaded nothing is being compiled, so ``fn`` itself runs; once it is, the real one is made and
    kept where the decorator keeps it."""
    def disabled(*args, **kwargs):
        if DYNAMO not in sys.modules:
            return fn(*args, **kwargs)
        import torch._dynamo

        real = torch._dynamo.disable(fn, recursive, wrapping=False)
        setattr(fn, "__dynamo_disable", real)
        return real(*args, **kwargs)

    return disabled


def defer_disables() -> None:
    """Give every function decorated with ``torch._disable_dynamo`` loaded so far (about 300 with torchvision and
    scikit-learn; found in 0.06 s) its disabled form from ``_disabled_when_loaded``, where the decorator's first call
    would import ``torch._dynamo`` to make it: creating an optimizer (``Optimizer.add_param_group``) then costs no
    1.3 s import. Functions loaded later keep the decorator's own behaviour."""
    if DYNAMO in sys.modules:
        return
    import torch._compile

    inner = torch._compile._disable_dynamo(len).__code__  # the decorator's wrapper, shared by every decorated function
    for found in gc.get_objects():
        if type(found) is types.FunctionType and found.__code__ is inner:
            free = dict(zip(inner.co_freevars, (cell.cell_contents for cell in found.__closure__)))
            fn = free["fn"]
            if getattr(fn, "__dynamo_disable", None) is None:
                try:
                    setattr(fn, "__dynamo_disable", _disabled_when_loaded(fn, free["recursive"]))
                except AttributeError:  # not a Python function: the decorator's way
                    pass


def wrap_manual_seed() -> None:
    """Do now what importing ``torch._dynamo`` does to ``torch.manual_seed`` (wrap it with ``torch._disable_dynamo``),
    in a process that defers that package and whose functions are then watched for changes (the student-code server,
    before its forks' guards capture them): a cell that imports it later (``torch.compile``) finds the function
    wrapped already and leaves it, so the guards see no change. Like the other decorated functions, it runs plain
    until that package is loaded (``_disabled_when_loaded``)."""
    import torch

    if torch.manual_seed is torch.random.manual_seed:  # the very test torch/_dynamo/__init__.py makes
        plain = torch.random.manual_seed
        torch.manual_seed = torch._disable_dynamo(plain)
        setattr(plain, "__dynamo_disable", _disabled_when_loaded(plain, True))  # the wrapper's cache (torch/_compile.py)
        torch.jit._builtins._register_builtin(torch.manual_seed, "aten::manual_seed")
