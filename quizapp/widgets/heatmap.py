"""Matrices drawn as coloured cells: a scrolling heatmap with labels, cursor and legend, and a tiny one.

`Heatmap` shows one matrix: a row label column and a column header that stay
in place while the cells scroll, masked cells drawn as a distinct glyph, a
cursor row the learner moves, and a legend of the colour scale with its
minimum and maximum. `MiniHeatmap` packs two matrix rows into one line with
half blocks, for overviews of many small matrices.

The widgets only draw the numbers they are given; colour is a display
choice (a linear scale between vmin and vmax) and never changes a number.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from quizapp.i18n import N_, num

# Colour scales as a few RGB stops, interpolated linearly: a viridis-like sequential one for
# values from 0 up, a blue-white-red diverging one for values around 0.
SEQUENTIAL = ((48, 18, 59), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
DIVERGING = ((33, 102, 172), (103, 169, 207), (240, 240, 240), (239, 138, 98), (178, 24, 43))
MASK_GLYPH = "░"
MASK_STYLE = Style(color="grey42")

# Tokens whose own glyph would be invisible or ambiguous in a one-character cell label.
VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥", "<unk>": "�", "<eot>": "⏹"}


def visible_token(token: str) -> str:
    """The token as the learner should see it in a label: spaces as ␣, specials as one glyph."""
    if token in VISIBLE:
        return VISIBLE[token]
    return "".join(VISIBLE.get(ch, ch) for ch in token)


def scale_colour(t: float, stops: Sequence[tuple[int, int, int]] = SEQUENTIAL) -> Color:
    """The colour at position t (clipped to 0…1) of a scale given by evenly spaced stops."""
    t = 0.0 if t != t else min(max(t, 0.0), 1.0)  # NaN → the low end
    x = t * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    f = x - i
    a, b = stops[i], stops[i + 1]
    return Color.from_rgb(*(round(a[k] + (b[k] - a[k]) * f) for k in range(3)))


@lru_cache(maxsize=2048)
def cell_style(level: int, diverging: bool) -> Style:
    """Background style of a cell at `level` of 256 steps of a scale (cached: a matrix reuses them)."""
    return Style(bgcolor=scale_colour(level / 255, DIVERGING if diverging else SEQUENTIAL))


def value_range(values: Sequence[Sequence[float | None]], masked=None, diverging: bool = False) -> tuple[float, float]:
    """(vmin, vmax) of the unmasked values; symmetric around 0 for a diverging scale."""
    seen = [v for r, row in enumerate(values) for c, v in enumerate(row)
            if v is not None and not (masked and masked[r][c])]
    if not seen:
        return 0.0, 1.0
    lo, hi = min(seen), max(seen)
    if diverging:
        m = max(abs(lo), abs(hi)) or 1.0
        return -m, m
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def fmt(value: float) -> str:
    """A compact number for legends: 3 significant digits."""
    return num(value, ".3g") if abs(value) < 1000 else num(value, ".0f")


class Heatmap(ScrollView, can_focus=True):
    """A matrix as background colours; row labels and column header stay put, the cells scroll."""

    DEFAULT_CSS = """
    Heatmap {
        width: auto;
        height: auto;
        max-width: 100%;
        max-height: 100%;
        scrollbar-size: 1 1;
        background: $surface;
    }
    Heatmap:focus {
        background-tint: $foreground 4%;
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", N_("Row up"), show=False),
        Binding("down", "cursor(1)", N_("Row down"), show=False),
        Binding("pageup", "cursor(-10)", N_("Page up"), show=False),
        Binding("pagedown", "cursor(10)", N_("Page down"), show=False),
        Binding("home", "cursor_to(0)", N_("First row"), show=False),
        Binding("end", "cursor_to(-1)", N_("Last row"), show=False),
    ]

    class CursorMoved(Message):
        """The cursor row changed (by key, click or code)."""

        def __init__(self, heatmap: "Heatmap", row: int) -> None:
            super().__init__()
            self.heatmap = heatmap
            self.row = row

        @property
        def control(self) -> "Heatmap":
            return self.heatmap

    def __init__(self, *, cell_width: int = 2, diverging: bool = False, legend_label: str = "",
                 mask_label: str = "masked", cursor: bool = True, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.cell_width = cell_width
        self.diverging = diverging
        self.legend_label = legend_label
        self.mask_label = mask_label
        self.show_cursor = cursor
        self.values: list[list[float | None]] = []
        self.masked: list[list[bool]] | None = None
        self.row_labels: list[str] = []
        self.col_labels: list[str] = []
        self.vmin, self.vmax = 0.0, 1.0
        self.cursor_row: int | None = None
        self._rows: list[Strip] = []
        self._header = Strip([])
        self._label_width = 1

    # --- data ---

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return len(self.values[0]) if self.values else 0

    def set_data(self, values: Sequence[Sequence[float | None]], row_labels: Sequence[str],
                 col_labels: Sequence[str], *, masked: Sequence[Sequence[bool]] | None = None,
                 vmin: float | None = None, vmax: float | None = None, cursor_row: int | None = None) -> None:
        """Show a new matrix; masked[r][c] True draws that cell as masked."""
        self.values = [list(row) for row in values]
        self.masked = [list(row) for row in masked] if masked is not None else None
        self.row_labels = [visible_token(t) for t in row_labels]
        self.col_labels = [visible_token(t) for t in col_labels]
        lo, hi = value_range(self.values, self.masked, self.diverging)
        self.vmin = lo if vmin is None else vmin
        self.vmax = hi if vmax is None else vmax
        self._label_width = max((len(label) for label in self.row_labels), default=1) + 2  # marker + space
        self._build()
        self.virtual_size = Size(self._label_width + self.n_cols * self.cell_width, self.n_rows + 2)
        if self.show_cursor and self.n_rows:
            row = self.cursor_row if cursor_row is None else cursor_row
            self.cursor_row = min(max(row if row is not None else 0, 0), self.n_rows - 1)
        else:
            self.cursor_row = None
        self.refresh(layout=True)
        self.call_after_refresh(self._scroll_to_cursor)

    def clear(self) -> None:
        self.set_data([], [], [])

    def colour(self, value: float) -> Color:
        span = self.vmax - self.vmin
        t = (value - self.vmin) / span if span else 0.5
        return scale_colour(t, DIVERGING if self.diverging else SEQUENTIAL)

    def _cell(self, r: int, c: int) -> Segment:
        value = self.values[r][c]
        if value is None or (self.masked is not None and self.masked[r][c]):
            return Segment(MASK_GLYPH * self.cell_width, MASK_STYLE)
        span = self.vmax - self.vmin
        t = min(max((value - self.vmin) / span, 0.0), 1.0) if span else 0.5
        return Segment(" " * self.cell_width, cell_style(round(t * 255), self.diverging))

    def _build(self) -> None:
        self._rows = [Strip([self._cell(r, c) for c in range(self.n_cols)], self.n_cols * self.cell_width)
                      for r in range(self.n_rows)]
        # Column labels: all of them when they fit their cells with a gap, else every k-th one.
        longest = max((len(label) for label in self.col_labels), default=1)
        every = 1 if longest < self.cell_width or longest == 1 else -(-(longest + 1) // self.cell_width)
        header = "".join(label[: every * self.cell_width].ljust(every * self.cell_width)
                         for label in self.col_labels[::every])
        header = header[: self.n_cols * self.cell_width].ljust(self.n_cols * self.cell_width)
        self._header = Strip([Segment(header, Style(bold=True))], len(header))

    # --- drawing ---

    def _legend(self, width: int) -> Strip:
        base = self.rich_style
        text = Text(no_wrap=True, overflow="crop")
        text.append(f" {fmt(self.vmin)} ", base)
        for i in range(12):
            text.append(" ", Style(bgcolor=scale_colour(i / 11, DIVERGING if self.diverging else SEQUENTIAL)))
        text.append(f" {fmt(self.vmax)}", base)
        if self.legend_label:
            text.append(f"  {self.legend_label}", base + Style(dim=True))
        if self.masked is not None and any(any(row) for row in self.masked):
            text.append(f"  {MASK_GLYPH} {self.mask_label}", base + Style(dim=True))
        segments = [seg for seg in text.render(self.app.console) if seg.text != "\n"]
        return Strip(segments).crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        region = self.scrollable_content_region
        width, height = region.width, region.height
        base = self.rich_style
        if not self.values:
            return Strip.blank(width, base)
        scroll_x, scroll_y = round(self.scroll_offset.x), round(self.scroll_offset.y)
        label_w = self._label_width
        cells_w = max(width - label_w, 0)
        legend_y = min(height - 1, self.n_rows + 1)
        if y == 0:
            left = Strip.blank(label_w, base)
            cells = self._header.crop_extend(scroll_x, scroll_x + cells_w, base)
        elif y == legend_y:
            return self._legend(width)
        elif y > legend_y:
            return Strip.blank(width, base)
        else:
            r = scroll_y + y - 1
            if r >= self.n_rows:
                return Strip.blank(width, base)
            current = r == self.cursor_row
            label = self.row_labels[r].rjust(label_w - 2)
            style = base + (Style(reverse=True, bold=True) if current else Style())
            left = Strip([Segment("▶" if current else " ", base + Style(bold=True)), Segment(label, style),
                          Segment(" ", base)], label_w)
            row = self._cursor_strip(r) if current else self._rows[r]
            cells = row.crop_extend(scroll_x, scroll_x + cells_w, base)
        return Strip.join([left, cells]).crop_extend(0, width, base)

    def _cursor_strip(self, r: int) -> Strip:
        """The cursor row: the same colours, underlined by a thin line so the row stands out."""
        segments = []
        for c in range(self.n_cols):
            cell = self._cell(r, c)
            if cell.text.strip():  # masked: keep the glyph
                segments.append(cell)
            else:
                segments.append(Segment("▁" * self.cell_width, cell.style + Style(color="white")))
        return Strip(segments, self.n_cols * self.cell_width)

    # --- cursor ---

    def move_cursor(self, row: int, notify: bool = True) -> None:
        """Put the cursor on `row` (clamped), keep it in view, and post CursorMoved if it moved."""
        if not self.show_cursor or not self.n_rows:
            return
        row = min(max(row, 0), self.n_rows - 1)
        if row != self.cursor_row:
            self.cursor_row = row
            self.refresh()
            if notify:
                self.post_message(self.CursorMoved(self, row))
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        if self.cursor_row is None:
            return
        # Data row r sits on virtual line r + 1 (the header is line 0); the query's own column
        # (its diagonal cell) is kept in view too, which matters on narrow screens.
        col_x = self._label_width + self.cursor_row * self.cell_width
        self.scroll_to_region(Region(0, self.cursor_row + 1, 1, 1), animate=False, force=True, immediate=True)
        view_w = max(self.scrollable_content_region.width - self._label_width, 1)
        cell_x = col_x - self._label_width
        if cell_x < self.scroll_x or cell_x + self.cell_width > self.scroll_x + view_w:
            self.scroll_to(x=max(cell_x + self.cell_width - view_w // 2, 0), animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.move_cursor((self.cursor_row or 0) + step)

    def action_cursor_to(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else self.n_rows - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.n_rows:
            return
        r = round(self.scroll_offset.y) + offset.y - 1
        if 0 <= offset.y - 1 and r < self.n_rows and offset.y <= min(self.scrollable_content_region.height - 2,
                                                                   self.n_rows):
            self.move_cursor(r)


class MiniHeatmap(Widget, can_focus=False):
    """A small matrix, two rows per line with half blocks, under a title (one line, or more split by newlines)."""

    DEFAULT_CSS = """
    MiniHeatmap {
        width: auto;
        height: auto;
        margin: 0 2 1 0;
    }
    MiniHeatmap.-selected {
        background: $accent 25%;
    }
    """

    class Picked(Message):
        def __init__(self, mini: "MiniHeatmap") -> None:
            super().__init__()
            self.mini = mini

    def __init__(self, title: str, values: Sequence[Sequence[float | None]], *,
                 masked: Sequence[Sequence[bool]] | None = None, vmin: float = 0.0, vmax: float = 1.0,
                 key: object = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.title = title
        self.values = [list(row) for row in values]
        self.masked = masked
        self.vmin, self.vmax = vmin, vmax
        self.key = key

    def _colour(self, r: int, c: int) -> Color | None:
        if r >= len(self.values):
            return None
        value = self.values[r][c]
        if value is None or (self.masked is not None and self.masked[r][c]):
            return Color.from_rgb(70, 70, 70)
        span = self.vmax - self.vmin
        return scale_colour((value - self.vmin) / span if span else 0.5)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(len(self.values[0]) if self.values else 0, *(len(line) for line in self.title.split("\n")))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.title.count("\n") + 1 + (len(self.values) + 1) // 2

    def render(self) -> Text:
        text = Text(self.title + "\n", style="bold", no_wrap=True, overflow="crop")
        cols = len(self.values[0]) if self.values else 0
        for r in range(0, len(self.values), 2):
            for c in range(cols):
                top, bottom = self._colour(r, c), self._colour(r + 1, c)
                text.append("▀", Style(color=top, bgcolor=bottom))
            if r + 2 < len(self.values):
                text.append("\n")
        return text

    def on_click(self) -> None:
        self.post_message(self.Picked(self))
