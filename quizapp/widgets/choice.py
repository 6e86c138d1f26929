"""One answer option: a letter and its text; clicking it picks it."""
from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static


class ChoiceRow(Static):
    DEFAULT_CSS = """
    ChoiceRow {
        padding: 0 1;
        margin: 0 0 1 0;
        height: auto;
        border-left: wide $panel-lighten-2;
    }
    ChoiceRow:hover { background: $boost; }
    ChoiceRow.-toggled { border-left: wide $accent; background: $accent 15%; }
    ChoiceRow.-correct { border-left: wide $success; background: $success 20%; }
    ChoiceRow.-wrong { border-left: wide $error; background: $error 20%; }
    """

    class Picked(Message):
        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(self, position: int, letter: str, text: str, multiple: bool) -> None:
        super().__init__()
        self.position = position
        self.letter = letter
        self.multiple = multiple
        self.set_text(text)

    def set_text(self, text: str, marker: str = "") -> None:
        self.text = text
        box = ("[x] " if self.has_class("-toggled") else "[ ] ") if self.multiple else ""
        label = Text.assemble((f"{self.letter}  ", "bold"), box, text)
        if marker:
            label.append(f"  {marker}", style="bold")
        self.update(label)

    def on_click(self) -> None:
        self.post_message(self.Picked(self.position))
