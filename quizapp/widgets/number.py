"""A one-line number field: type a value, or nudge it with ↑/↓ by a fixed step within bounds.

Decimals show in the interface language's style (1,5 in German) and may be typed with either mark."""
from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import Input

from quizapp.i18n import N_, num

# A decimal number as typed in either language: 0.5 or 0,5 (the engine reads both).
DECIMAL = r"[-+]?\d*[.,]?\d*"


def numbers_text(value: Any) -> str:
    """A value for a lab field in the interface language's style: 1,5 and "2; 1; 0,5" in German (the
    comma is the decimal mark there, so a semicolon separates the numbers; the engine reads both styles)."""
    if isinstance(value, (list, tuple)):
        return ("; " if "," in num(0.5, ".1f") else ", ").join(num(v, "g") for v in value)
    if isinstance(value, float):
        return num(value, "g")
    return str(value)


class NumberInput(Input):
    """An Input for one number; ↑/↓ add or subtract `step` (clamped to lo…hi) and post Changed."""

    BINDINGS = [
        Binding("up", "nudge(1)", N_("More"), show=False),
        Binding("down", "nudge(-1)", N_("Less"), show=False),
    ]

    def __init__(self, value: float | int | str, *, step: float = 1, lo: float | None = None, hi: float | None = None,
                 integer: bool = False, digits: int = 2, id: str | None = None, classes: str | None = None,
                 tooltip: str | None = None) -> None:
        self.step = step
        self.lo, self.hi = lo, hi
        self.integer = integer
        self.digits = digits
        super().__init__(self._format(value), type="integer" if integer else "text",
                         restrict=None if integer else DECIMAL, id=id, classes=classes, select_on_focus=True)
        if tooltip:
            self.tooltip = tooltip

    def _format(self, value: float | str) -> str:
        if isinstance(value, str):
            return value
        if self.integer:
            return str(int(round(value)))
        text = num(value, f".{self.digits}f").rstrip("0")  # 1,5 in German
        return text + "0" if text.endswith((".", ",")) else text

    @property
    def number(self) -> float | None:
        """The value as a number, or None while the text is not one (e.g. half typed)."""
        try:
            return int(self.value) if self.integer else float(self.value.replace(",", "."))
        except ValueError:
            return None

    def action_nudge(self, direction: int) -> None:
        current = self.number
        if current is None:
            current = self.lo if self.lo is not None else 0
        value = current + direction * self.step
        if self.lo is not None:
            value = max(value, self.lo)
        if self.hi is not None:
            value = min(value, self.hi)
        self.value = self._format(value)
        self.cursor_position = len(self.value)
