"""A small line plot drawn with braille dots: one curve, a marked point, a shaded band, axes with ticks.

Each character cell holds 2×4 braille dots, so an 40×12 cell plot has an
80×48 dot canvas: enough for the kinked line of the PPO paper's Figure 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field


from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from quizapp.i18n import num

# Bit of each dot in a braille cell, by (column, row) within the 2×4 cell.
DOT_BITS = {(0, 0): 0x01, (0, 1): 0x02, (0, 2): 0x04, (1, 0): 0x08,
            (1, 1): 0x10, (1, 2): 0x20, (0, 3): 0x40, (1, 3): 0x80}


@dataclass
class PlotData:
    xs: list[float]
    ys: list[float]
    point: tuple[float, float] | None = None
    band: tuple[float, float] | None = None  # an x interval drawn shaded
    vlines: list[float] = field(default_factory=list)  # dashed vertical guides
    x_label: str = "x"
    y_label: str = "y"


def nice_ticks(lo: float, hi: float, most: int = 5) -> list[float]:
    """Round tick values covering lo…hi, at most about `most` of them."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / max(most - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    t = first
    while t <= hi + 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks


def tick_text(v: float) -> str:
    return num(v, "g") if abs(v) >= 0.01 or v == 0 else num(v, ".1e")


class BraillePlot(Widget):
    """y over x as a braille curve; the point of interest drawn as ●."""

    DEFAULT_CSS = """
    BraillePlot {
        width: 1fr;
        height: 1fr;
        min-height: 8;
    }
    BraillePlot > .plot--curve { color: $accent; }
    BraillePlot > .plot--point { color: $warning; text-style: bold; }
    BraillePlot > .plot--axis { color: $text-muted; }
    BraillePlot > .plot--band { background: $success 20%; }
    BraillePlot > .plot--guide { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"plot--curve", "plot--point", "plot--axis", "plot--band", "plot--guide"}

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.data: PlotData | None = None

    def set_plot(self, data: PlotData) -> None:
        self.data = data
        self.refresh()

    def render(self) -> Text:
        data = self.data
        width, height = self.content_region.width or self.size.width, self.content_region.height or self.size.height
        if data is None or not data.xs or width < 12 or height < 4:
            return Text("")
        x0, x1 = min(data.xs), max(data.xs)
        ys = list(data.ys) + ([data.point[1]] if data.point else []) + [0.0]
        y0, y1 = min(ys), max(ys)
        pad = (y1 - y0) * 0.08 or 0.5
        y0, y1 = y0 - pad, y1 + pad
        y_ticks = nice_ticks(y0, y1, max(min(height // 3, 5), 2))
        y_label_w = max(len(tick_text(t)) for t in y_ticks) + 1
        cols, rows = width - y_label_w - 1, height - 2  # canvas cells: minus y labels, axis; minus x axis + labels
        if cols < 4 or rows < 2:
            return Text("")
        px, py = cols * 2, rows * 4

        def to_px(x: float) -> int:
            return round((x - x0) / (x1 - x0) * (px - 1)) if x1 > x0 else 0

        def to_py(y: float) -> int:
            return round((y1 - y) / (y1 - y0) * (py - 1))

        dots = [[0] * cols for _ in range(rows)]

        def plot_dot(x: int, y: int) -> None:
            if 0 <= x < px and 0 <= y < py:
                dots[y // 4][x // 2] |= DOT_BITS[(x % 2, y % 4)]

        points = [(to_px(x), to_py(y)) for x, y in zip(data.xs, data.ys)]
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            steps = max(abs(bx - ax), abs(by - ay), 1)
            for s in range(steps + 1):
                plot_dot(round(ax + (bx - ax) * s / steps), round(ay + (by - ay) * s / steps))
        if len(points) == 1:
            plot_dot(*points[0])

        curve = self.get_component_rich_style("plot--curve", partial=True)
        point_style = self.get_component_rich_style("plot--point", partial=True)
        axis = self.get_component_rich_style("plot--axis", partial=True)
        band_style = self.get_component_rich_style("plot--band", partial=True)
        guide = self.get_component_rich_style("plot--guide", partial=True)

        def cell_x(x: float) -> int:
            return to_px(x) // 2

        band_cols = set()
        if data.band:
            band_cols = set(range(max(cell_x(data.band[0]), 0), min(cell_x(data.band[1]), cols - 1) + 1))
        guide_cols = {cell_x(v) for v in data.vlines if x0 <= v <= x1}
        zero_row = to_py(0.0) // 4 if y0 <= 0 <= y1 else None
        point_cell = None
        if data.point and x0 <= data.point[0] <= x1:
            point_cell = (to_py(data.point[1]) // 4, cell_x(data.point[0]))
        tick_rows = {to_py(t) // 4: t for t in y_ticks}

        out = Text(no_wrap=True, overflow="crop")
        for r in range(rows):
            label = tick_text(tick_rows[r]) if r in tick_rows else ""
            out.append(label.rjust(y_label_w - 1) + " ", axis)
            out.append("┤" if r in tick_rows else "│", axis)
            for c in range(cols):
                bg = band_style if c in band_cols else Style()
                if point_cell == (r, c):
                    out.append("●", point_style + bg)
                elif dots[r][c]:
                    out.append(chr(0x2800 + dots[r][c]), curve + bg)
                elif r == zero_row:
                    out.append("┈", guide + bg)
                elif c in guide_cols:
                    out.append("┊", guide + bg)
                else:
                    out.append(" ", bg)
            out.append("\n")
        # x axis with ticks, then tick labels and the axis name
        x_ticks = nice_ticks(x0, x1, max(min(cols // 8, 6), 2))
        tick_cols = {cell_x(t): t for t in x_ticks}
        axis_line = "".join("┬" if c in tick_cols else "─" for c in range(cols))
        out.append(" " * y_label_w + "└" + axis_line + "\n", axis)
        labels = [" "] * (cols + y_label_w + 1)
        for c, t in sorted(tick_cols.items()):
            s = tick_text(t)
            start = y_label_w + 1 + c - len(s) // 2
            if start >= 0 and all(ch == " " for ch in labels[max(start - 1, 0):start + len(s) + 1]):
                labels[start:start + len(s)] = list(s)
        name = f" {data.x_label}"
        line = "".join(labels).rstrip()
        if len(line) + len(name) + 1 <= width:
            line = line.ljust(width - len(name)) + name
        out.append(line[:width], axis)
        return out
