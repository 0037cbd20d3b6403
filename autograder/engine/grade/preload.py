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

import importlib.util
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


def preload(modules: list[str], lazily: tuple[str, ...] = ()) -> None:
    """Import ``modules`` in order: only a head start, so one that fails is left to the cell importing it, which
    reports its error. Those also in ``lazily`` (imported by the cells, never used by them: ``notebook.unused_imports``)
    are made ready but load at their first use, if any (scipy.stats 0.7 s, matplotlib.pyplot 0.5 s of a start).
    Then ``defer_disables``."""
    with dynamo_deferred():
        for module in sorted(modules, key=lambda name: name in lazily):  # what is used first: it may load the others
            try:
                __import__(module) if module not in lazily else import_lazily(module)
            except Exception:
                pass
    defer_disables()


# What the import system sets before a module's code runs: reading these loads nothing. An import statement naming a
# module already in sys.modules reads __spec__ (importlib.util.LazyLoader's modules load at it), and inspect.getmodule,
# which torch calls, reads every module's __file__ (and isinstance its __class__).
_DESCRIPTION = frozenset({"__spec__", "__name__", "__file__", "__cached__", "__loader__", "__package__", "__class__"})


class _Deferred(types.ModuleType):
    """A module whose code runs at the first read of an attribute other than its description (``_DESCRIPTION``)."""

    def __getattribute__(self, name: str):
        spec = types.ModuleType.__getattribute__(self, "__spec__")
        if name in _DESCRIPTION:
            return types.ModuleType.__getattribute__(self, name)
        self.__class__ = types.ModuleType
        spec._initializing = True  # as the import system marks a module while its code runs
        try:
            with dynamo_deferred():  # as it would have been preloaded
                spec.loader.exec_module(self)
        except BaseException:
            if sys.modules.get(spec.name) is self:  # as a failed import leaves it: absent
                del sys.modules[spec.name]
            raise
        finally:
            spec._initializing = False
        return getattr(self, name)


def import_lazily(name: str) -> None:
    """Put ``name`` in ``sys.modules`` (and on its parent package, which is imported) as a module that loads at its
    first use; nothing if it is loaded already."""
    parent, _, child = name.rpartition(".")
    if name in sys.modules or type(sys.modules.get(parent)) is _Deferred:  # finding it would load its parent
        return
    spec = importlib.util.find_spec(name)  # imports its parent package, which may import it
    if name in sys.modules or spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)


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
    """Give every function decorated with ``torch._disable_dynamo`` in a loaded torch module or class (about 20:
    the optimizers' methods, some losses; 0.03 s) its disabled form from ``_disabled_when_loaded``, where the
    decorator's first call would import ``torch._dynamo`` to make it: creating an optimizer
    (``Optimizer.add_param_group``) then costs no 1.3 s import. Others (those made inside functions, such as an
    optimizer step's) keep the decorator's own behaviour."""
    if DYNAMO in sys.modules:
        return
    import torch._compile

    inner = torch._compile._disable_dynamo(len).__code__  # the decorator's wrapper, shared by every decorated function

    def give(namespace: dict) -> None:
        for value in list(namespace.values()):
            if type(value) in (classmethod, staticmethod):
                value = value.__func__
            if type(value) is types.FunctionType and value.__code__ is inner:
                free = dict(zip(inner.co_freevars, (cell.cell_contents for cell in value.__closure__)))
                fn = free["fn"]
                if getattr(fn, "__dynamo_disable", None) is None:
                    try:
                        setattr(fn, "__dynamo_disable", _disabled_when_loaded(fn, free["recursive"]))
                    except AttributeError:  # not a Python function: the decorator's way
                        pass

    for name, module in list(sys.modules.items()):
        if (name == "torch" or name.startswith("torch.")) and type(module) is types.ModuleType:
            give(vars(module))
            for value in list(vars(module).values()):
                if issubclass(type(value), type) and value.__module__ == name:  # (no attribute read: no load)
                    give(vars(value))


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
