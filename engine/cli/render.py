"""Draw a probe result with rich when `--json` is not given.

The generic drawing shows scalars as a key/value table, lists of numbers as a
row and matrices as a shaded grid; the probes with a drawing of their own are
drawn by render_transformer and render_rl.
"""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from engine.texts import _, num


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _fmt(x: Any) -> str:
    if isinstance(x, bool):
        return _("yes") if x else _("no")
    if isinstance(x, float):
        return num(x, ".4g")
    if isinstance(x, str):
        return _(x)  # labels a probe returns as data ("previous token", a clip branch) are in the catalogue
    return str(x)


def matrix_table(title: str, rows: list[list[Any]], row_labels: list[str] | None = None,
                 col_labels: list[str] | None = None) -> Table:
    """A grid of numbers, each cell shaded by its value relative to the matrix's range."""
    numbers = [v for row in rows for v in row if _is_number(v)]
    lo, hi = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    span = (hi - lo) or 1.0
    table = Table(title=title, show_lines=False, pad_edge=False)
    table.add_column("")
    for j in range(len(rows[0]) if rows else 0):
        table.add_column(col_labels[j] if col_labels else str(j), justify="right")
    for i, row in enumerate(rows):
        cells = []
        for v in row:
            if _is_number(v):
                level = int(40 + 160 * (v - lo) / span)
                cells.append(Text(_fmt(v), style=f"on rgb({level // 3},{level // 2},{level})"))
            else:
                cells.append(Text(_fmt(v), style="dim"))
        table.add_row(row_labels[i] if row_labels else str(i), *cells)
    return table


def generic(name: str, result: dict[str, Any]) -> Group:
    scalars = Table(title=name, show_header=False)
    scalars.add_column(_("quantity"), style="bold")
    scalars.add_column(_("value"))
    parts: list[Any] = [scalars]
    for key, value in result.items():
        if isinstance(value, list) and value and all(isinstance(r, list) for r in value) \
                and all(_is_number(v) or isinstance(v, bool) for r in value for v in r):
            parts.append(matrix_table(key, [[float(v) for v in r] for r in value]))
        elif isinstance(value, list) and value and all(_is_number(v) for v in value):
            scalars.add_row(key, Text("  ".join(_fmt(v) for v in value)))
        elif isinstance(value, (list, dict)):
            scalars.add_row(key, Text(str(value)[:400]))
        else:
            scalars.add_row(key, Text(_fmt(value)))  # Text: "PE[pos, 2i]" is not rich markup
    return Group(*parts)

