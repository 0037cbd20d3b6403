"""Cells a student added (code cells without an nbgrader grade_id): grading runs what they define, never their work.

A helper function in a cell of its own, used by a graded function, is ordinary notebook style; grading must define
it. What such a cell *does* (training, plotting, printing) is not graded and could take minutes, so each top-level
statement is kept or dropped by itself, from its syntax alone (``ast``):

* kept: ``def``, ``async def``, ``class`` (with their decorators), ``import`` and ``from ... import``;
* kept: an assignment (``=``, annotated, augmented) whose targets and right side are *cheap*: literals, names,
  attribute access, subscripts, arithmetic, comparisons, boolean and conditional expressions, f-strings, lambdas,
  tuples, lists, sets and dicts of those, and calls only of ``CHEAP_CALLS`` (constructors of plain values and
  ``torch.device``), themselves with cheap arguments;
* dropped: everything else (calls such as ``train(...)`` or ``plt.plot(...)``, loops, ``if``, ``with``, ``try``),
  and a kept statement that shares a line with a dropped one.

Dropped statements become blank lines, so an error in a kept one names its line in the cell as written. This is
not a security boundary (a graded cell runs anything); it keeps grading fast and quiet.
"""

from __future__ import annotations

import ast

from autograder.engine.notebook import with_parameters

# Calls an added cell's assignment may make: plain values and a device, all instant.
CHEAP_CALLS = frozenset({"tuple", "list", "dict", "set", "frozenset", "int", "float", "str", "bool", "range",
                         "torch.device"})
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
CHEAP_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred, ast.BinOp, ast.UnaryOp,
               ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.JoinedStr,
               ast.FormattedValue, ast.Lambda, ast.keyword, ast.arguments, ast.arg, ast.expr_context, ast.operator,
               ast.unaryop, ast.boolop, ast.cmpop)


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := dotted(node.value)) is not None:
        return f"{base}.{node.attr}"
    return None


def cheap(node: ast.AST) -> bool:
    """Whether evaluating expression ``node`` calls nothing but ``CHEAP_CALLS`` (a lambda's body never runs here)."""
    if isinstance(node, ast.Lambda):
        return all(cheap(default) for default in [*node.args.defaults, *node.args.kw_defaults] if default)
    if isinstance(node, ast.Call):
        return dotted(node.func) in CHEAP_CALLS and all(cheap(arg) for arg in [*node.args, *node.keywords])
    return isinstance(node, CHEAP_NODES) and all(cheap(child) for child in ast.iter_child_nodes(node))


def kept(statement: ast.stmt) -> bool:
    """Whether an added cell's top-level ``statement`` runs in grading (the rule in this module's docstring)."""
    if isinstance(statement, DEFINITIONS):
        return True
    if isinstance(statement, (ast.Assign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return all(map(cheap, targets)) and cheap(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return cheap(statement.target) and (statement.value is None or cheap(statement.value))
    return False


def definitions(source: str) -> str:
    """``source`` with every statement the rule drops blanked out, line numbers unchanged ("" when it does not
    parse: a cell grading cannot read defines nothing)."""
    lines = source.splitlines()
    try:
        tree = ast.parse("\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in lines))
    except (SyntaxError, ValueError):
        return ""

    def span(statement: ast.stmt) -> set[int]:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
        return set(range(first, statement.end_lineno + 1))

    drop = set().union(*(span(s) for s in tree.body if not kept(s)))
    keep = set().union(*(span(s) for s in tree.body if kept(s) and not span(s) & drop))
    return "\n".join(line if number in keep else "" for number, line in enumerate(lines, 1)).rstrip() + "\n"


def run_order(cells: list[tuple[str | None, str]], definition_cells: tuple) -> tuple[list[str], dict[str, str]]:
    """The cells grading runs, in order (the definition cells, the parameters cell among them: ``with_parameters``),
    and the added cells' kept code by their name (``added-<n>``: the notebook's n-th code cell). ``cells``: the notebook's code cells as ``notebook.code_cells`` lists them. Each added cell
    runs after the definition cell it follows in the notebook (before the first one when none precedes it), so a
    helper is defined before a later graded cell calls it, as when the notebook runs top to bottom."""
    definition_cells = with_parameters(cells, definition_cells)
    after: dict[str | None, list[str]] = {}
    added, anchor = {}, None
    for number, (grade_id, source) in enumerate(cells, 1):
        if grade_id in definition_cells:
            anchor = grade_id
        elif grade_id is None and (code := definitions(source)).strip():
            added[f"added-{number}"] = code
            after.setdefault(anchor, []).append(f"added-{number}")
    order = after.get(None, [])
    for grade_id in definition_cells:
        order = [*order, grade_id, *after.get(grade_id, [])]
    return order, added
