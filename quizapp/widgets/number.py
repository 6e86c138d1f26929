"""A one-line number field: type a value, or nudge it with ↑/↓ by a fixed step within bounds."""
from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from quizapp.i18n import N_


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
        super().__init__(self._format(value), type="integer" if integer else "number", id=id, classes=classes,
                         select_on_focus=True)
        if tooltip:
            self.tooltip = tooltip

    def _format(self, value: float | str) -> str:
        if isinstance(value, str):
            return value
        if self.integer:
            return str(int(round(value)))
        text = f"{value:.{self.digits}f}".rstrip("0")
        return text + "0" if text.endswith(".") else text

    @property
    def number(self) -> float | None:
        """The value as a number, or None while the text is not one (e.g. half typed)."""
        try:
            return int(self.value) if self.integer else float(self.value)
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
