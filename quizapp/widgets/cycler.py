"""A one-line choice: ◂ current ▸; ←/→, space or a click move through the options."""
from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from quizapp.i18n import N_


class Cycler(Widget, can_focus=True):
    DEFAULT_CSS = """
    Cycler {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    Cycler:focus {
        background: $primary 30%;
        text-style: bold;
    }
    """
    BINDINGS = [
        Binding("left", "step(-1)", N_("Previous"), show=False),
        Binding("right,space", "step(1)", N_("Next"), show=False),
    ]

    class Changed(Message):
        def __init__(self, cycler: "Cycler", value: str) -> None:
            super().__init__()
            self.cycler = cycler
            self.value = value

        @property
        def control(self) -> "Cycler":
            return self.cycler

    def __init__(self, options: Sequence[tuple[str, str]], value: str | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        """options: (value, label) pairs."""
        super().__init__(id=id, classes=classes)
        self.options = list(options)
        values = [v for v, _ in self.options]
        self.index = values.index(value) if value in values else 0

    @property
    def value(self) -> str:
        return self.options[self.index][0]

    @value.setter
    def value(self, value: str) -> None:
        values = [v for v, _ in self.options]
        if value in values:
            self.index = values.index(value)
            self.refresh(layout=True)

    def render(self) -> Text:
        return Text(f"◂ {self.options[self.index][1]} ▸", no_wrap=True)

    def get_content_width(self, container, viewport) -> int:
        return max(len(label) for _, label in self.options) + 4

    def action_step(self, step: int) -> None:
        self.index = (self.index + step) % len(self.options)
        self.refresh(layout=True)
        self.post_message(self.Changed(self, self.value))

    def on_click(self) -> None:
        self.action_step(1)
