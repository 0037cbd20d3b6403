"""The grader's code in the student's process kept out of reach, watched for changes, and forbidden calls disabled.

Defence in depth only: a student's cell runs arbitrary code in this process before any probe, so it can forge
anything answered here, including these guards (it can also write an answers file of its own). What makes a score
safe is that forging it needs the work itself: answers are compared with the reference's on inputs the student never
saw, and weights are measured in the grader's process. These guards make the cheap forgeries fail loudly instead:

* ``hide``: the runner's modules (the assignment's probes, the engine's probing tools, this file) leave
  ``sys.modules`` and their folder leaves ``sys.path`` before the first cell, so ``import assignment_probes`` fails;
* ``Watch``: the functions the probes run on (their modules' globals, torch's functions, ``torch.Tensor``'s and
  ``torch.nn.Module``'s methods, the builtins), captured before the first cell and compared by identity (code,
  defaults and closure contents too) before the probes and again before the answers are written;
* ``forbid``: each library call an assignment's ``forbidden_calls`` names is replaced by a function raising
  ``ForbiddenCall`` with the notebook's own words, from before the first cell until the answers are written, so an
  alias a cell takes (``from torch.distributions import ContinuousBernoulli``) is the disabled one too.

Copied into the student's runner: imports only the standard library and torch.
"""

from __future__ import annotations

import builtins
import importlib
import os
import sys
from inspect import getattr_static
from types import FunctionType, ModuleType

import torch

_MISSING = object()


def hide(folder: str) -> list[ModuleType]:
    """Take every module loaded from ``folder`` out of ``sys.modules`` and ``folder`` out of ``sys.path``; returns
    the modules (the caller keeps its own references: their functions keep working)."""
    folder = os.path.realpath(folder)
    leading = [entry for entry in sys.path if os.path.realpath(entry or ".") == folder]
    # a module's file name starts with the path entry it was found through: strings compared, not a realpath per
    # loaded module (2,400 of them after torch: 0.14 s of every submission's process)
    prefixes = tuple({os.path.join(path, "") for entry in leading for path in (entry, os.path.abspath(entry or "."))}
                     | {os.path.join(folder, "")})
    hidden = [name for name, module in list(sys.modules.items())
              if isinstance(getattr(module, "__file__", None), str) and module.__file__.startswith(prefixes)]
    sys.path[:] = [entry for entry in sys.path if entry not in leading]
    return [sys.modules.pop(name) for name in hidden]


def _fingerprint(value) -> tuple:
    """What a function is made of beyond its identity: a cell can swap a function's code or closure in place."""
    if not isinstance(value, FunctionType):
        return ()
    closure = value.__closure__ or ()
    contents = []
    for cell in closure:
        try:
            contents.append(cell.cell_contents)
        except ValueError:  # an empty cell
            contents.append(_MISSING)
    return (value.__code__, value.__defaults__, value.__kwdefaults__, *contents)


class Watch:
    """Named namespaces captured now; ``changed`` lists the names rebound (or changed in place) since.

    A module or dict is watched name by name; a class by every attribute it has, inherited ones included (read
    with ``inspect.getattr_static``, so ``torch.Tensor.__eq__ = ...`` is caught though ``__eq__`` lives on the C base).
    """

    def __init__(self, namespaces: dict[str, object], functions: dict[str, object] | None = None,
                 attributes: dict[str, tuple[object, str]] | None = None):
        """``namespaces``: every name in each; ``functions``: functions held by the caller alone (probe closures),
        watched for changes in place; ``attributes``: single attributes, as (owner, name) by dotted name."""
        self.entries = []  # (name, read the current value, value captured, its fingerprint)
        for prefix, owner in namespaces.items():
            if isinstance(owner, type):
                for key in dir(owner):
                    self._add(f"{prefix}.{key}", lambda owner=owner, key=key: getattr_static(owner, key, _MISSING))
            else:
                mapping = owner if isinstance(owner, dict) else vars(owner)
                for key in list(mapping):
                    self._add(f"{prefix}.{key}", lambda mapping=mapping, key=key: mapping.get(key, _MISSING))
        for name, function in (functions or {}).items():
            self._add(name, lambda function=function: function)
        for name, (owner, key) in (attributes or {}).items():
            self._add(name, lambda owner=owner, key=key: getattr_static(owner, key, _MISSING))

    def _add(self, name: str, read) -> None:
        value = read()
        self.entries.append((name, read, value, _fingerprint(value)))

    def changed(self) -> list[str]:
        found = []
        for name, read, value, fingerprint in self.entries:
            now = read()
            if now is not value or any(a is not b for a, b in zip(_fingerprint(now), fingerprint)):
                found.append(name)
        return found


def torch_namespaces() -> dict[str, object]:
    """The torch functions and methods probes (and the classes they run) rely on, and the builtins."""
    return {"torch": torch, "torch.nn.functional": torch.nn.functional, "torch.Tensor": torch.Tensor,
            "torch.nn.Module": torch.nn.Module, "builtins": builtins}


def changed_message(names: list[str]) -> str:
    """The error every probe answers with once the notebook changed the grader's code."""
    return (f"the notebook changed the grader's code: {', '.join(names[:3])}"
            + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            + "; a notebook must not rebind torch's or the grader's functions")


class ForbiddenCall(RuntimeError):
    """A call the notebook forbids in an answer was made while grading."""


def resolve(dotted: str) -> tuple[object, str]:
    """The object holding the last part of ``dotted`` (an importable module, then attributes) and that part's name;
    LookupError when it does not name an existing attribute."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:-1]:
            owner = getattr(owner, part, _MISSING)
        if owner is not _MISSING and hasattr(owner, parts[-1]):
            return owner, parts[-1]
        break
    raise LookupError(f"forbidden_calls names {dotted!r}, which is not an importable module's attribute: "
                      "write it as the notebook imports it, e.g. torch.distributions.ContinuousBernoulli")


def _refusal(name: str, message: str):
    def refuse(*args, **kwargs):
        raise ForbiddenCall(message)

    refuse.__name__ = refuse.__qualname__ = name
    return refuse


def forbid(calls) -> dict[str, tuple[object, str]]:
    """Replace each (dotted name, message) of ``calls`` by a function raising ``ForbiddenCall(message)``; returns
    where each was replaced, (owner, name) by dotted name, for ``Watch``: a cell restoring the original is caught."""
    replaced = {}
    for dotted, message in calls:
        owner, name = resolve(dotted)
        setattr(owner, name, _refusal(name, message))
        replaced[dotted] = (owner, name)
    return replaced
