"""nbgrader's ClearSolutions, extended to leave the student the parts of a solution worth keeping.

Two additions to the stock behaviour, both driven by markers in the solution notebook:

* inside a ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region, every plain assignment keeps its
  target: ``transform = transforms.Compose(...)`` becomes ``transform = ### YOUR CODE HERE ###``;
  any other statement becomes the bare stub;
* a line ending in ``### BLANKS`` keeps its code but every literal argument becomes ``_``, except
  the keyword arguments named in ``keep_keywords``: ``nn.Conv2d(1, 6, kernel_size=5, stride=1)``
  becomes ``nn.Conv2d(_, _, kernel_size=_, stride=1)``.
"""

from __future__ import annotations

import ast
import re
import textwrap

from nbgrader.preprocessors import ClearSolutions
from traitlets import List, Unicode


class ClearSolutionsInPlace(ClearSolutions):
    blanks_marker = Unicode("### BLANKS", help="Trailing comment that marks a line whose literal arguments are blanked.").tag(config=True)
    blank = Unicode("_", help="What each blanked literal becomes.").tag(config=True)
    keep_keywords = List(["stride"], help="Keyword arguments whose values stay visible on a blanked line.").tag(config=True)

    def _replace_solution_region(self, cell, language):
        stub = (self.code_stub[language] if cell.cell_type == "code" else self.text_stub).split("\n")
        out, region, replaced = [], None, False
        for line in cell.source.split("\n"):
            if self.begin_solution_delimeter in line:
                if region is not None:
                    raise RuntimeError("encountered nested begin solution statements")
                region, indent, replaced = [], re.match(r"\s*", line).group(0), True
            elif self.end_solution_delimeter in line:
                if region is None:
                    raise RuntimeError("END SOLUTION without BEGIN SOLUTION")
                out += self._stub_region(region, indent, stub, cell.cell_type == "code")
                region = None
            elif region is not None:
                region.append(line)
            elif line.rstrip().endswith(self.blanks_marker):
                out.append(self._blank_literals(line))
                replaced = True
            else:
                out.append(line)
        if region is not None:
            raise RuntimeError("no end solution statement found")
        cell.source = "\n".join(out)
        return replaced

    def _stub_region(self, region: list[str], indent: str, stub: list[str], is_code: bool) -> list[str]:
        """One stub per statement of the region, behind the statement's target when it is an assignment."""
        if not is_code:
            return [indent + s for s in stub]
        lines = []
        for statement in ast.parse(textwrap.dedent("\n".join(region))).body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                lines.append(f"{indent}{ast.unparse(statement.targets[0])} = {stub[0]}")
                lines += [indent + s for s in stub[1:]]
            elif not lines or lines[-1] != indent + stub[-1]:  # one stub for a run of other statements
                lines += [indent + s for s in stub]
        return lines

    def _blank_literals(self, line: str) -> str:
        code = line.rstrip()[: -len(self.blanks_marker)].rstrip()
        indent = re.match(r"\s*", code).group(0)
        tree = ast.parse(code.strip())
        spans = []
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            values = call.args + [k.value for k in call.keywords if k.arg not in self.keep_keywords]
            spans += [(v.col_offset, v.end_col_offset) for v in values if isinstance(v, ast.Constant)]
        body = code.strip()
        for start, end in sorted(spans, reverse=True):
            body = body[:start] + self.blank + body[end:]
        return indent + body
