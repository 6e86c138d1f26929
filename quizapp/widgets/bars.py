"""Horizontal bars: one labelled row per value, the bar length proportional to it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(fraction: float, width: int) -> str:
    """A bar of `width` cells filled to `fraction` (0…1), in eighths of a cell."""
    eighths = round(min(max(fraction, 0.0), 1.0) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)


@dataclass(frozen=True)
class BarRow:
    label: str
    value: float  # drawn relative to the widget's scale maximum
    text: str  # the number shown after the bar, already formatted
    highlight: bool = False


class Bars(Widget):
    """Rows of `label ████▍   text`; the longest bar is the scale maximum unless one is given."""

    DEFAULT_CSS = """
    Bars {
        height: auto;
        width: 1fr;
    }
    Bars > .bars--bar {
        color: $accent;
    }
    Bars > .bars--highlight {
        color: $success;
        text-style: bold;
    }
    Bars > .bars--label {
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {"bars--bar", "bars--highlight", "bars--label"}

    def __init__(self, rows: Sequence[BarRow] = (), *, scale_max: float | None = None, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows = list(rows)
        self.scale_max = scale_max

    def set_rows(self, rows: Sequence[BarRow], scale_max: float | None = None) -> None:
        self.rows = list(rows)
        self.scale_max = scale_max
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(len(self.rows), 1)

    def render(self) -> Text:
        if not self.rows:
            return Text("")
        width = self.content_region.width or self.size.width
        label_w = max(len(r.label) for r in self.rows)
        text_w = max(len(r.text) for r in self.rows)
        bar_w = max(width - label_w - text_w - 2, 1)
        top = self.scale_max if self.scale_max else max((r.value for r in self.rows), default=1.0) or 1.0
        bar_style = self.get_component_rich_style("bars--bar")
        hi_style = self.get_component_rich_style("bars--highlight")
        label_style = self.get_component_rich_style("bars--label")
        out = Text(no_wrap=True, overflow="crop")
        for i, row in enumerate(self.rows):
            if i:
                out.append("\n")
            out.append(row.label.rjust(label_w), label_style)
            out.append(" ")
            out.append(bar(row.value / top, bar_w), hi_style if row.highlight else bar_style)
            out.append(" ")
            out.append(row.text.rjust(text_w), Style(bold=row.highlight))
        return out
