"""Filling a DataTable so that every column is as wide as its widest cell from the first frame on."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text


def set_rows(table: DataTable, rows: Iterable[Sequence[Cell]]) -> None:
    """Replace the table's rows and size each column to its header and its widest cell, here and now.

    DataTable measures new rows only when it next goes idle, and lines it drew before that stay
    cached at the old widths: on a busy machine a column could stay cut to its header's width
    ('maskier' for 'maskiert'). Widths fixed in the same call as the rows leave nothing to catch up.
    Plain strings are shown as they are (a token like '[b]' is not markup).
    """
    cells = [[cell if isinstance(cell, Text) else Text(cell) for cell in row] for row in rows]
    table.clear()
    for index, column in enumerate(table.ordered_columns):
        column.auto_width = False
        column.width = max([column.label.cell_len, *(row[index].cell_len for row in cells if index < len(row))])
    for row in cells:
        table.add_row(*row)
