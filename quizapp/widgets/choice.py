"""One answer option: a letter and its text; clicking it picks it. After the answer it shows its verdict and why."""
from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from quizapp.i18n import _


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
        self.text = text
        self.multiple = multiple
        self.marker = ""
        self.why = ""
        self.refresh_label()

    def toggle(self, on: bool) -> None:
        self.set_class(on, "-toggled")
        self.refresh_label()

    def show_verdict(self, correct: bool, picked: bool, why: str | None) -> None:
        """Mark the row after the answer; the why shows for the picked and the correct choices."""
        self.set_class(correct, "-correct")
        self.set_class(picked and not correct, "-wrong")
        self.marker = _("✓ correct") if correct else (_("✗ your answer") if picked else "")
        self.why = (why or "").strip() if (correct or picked) else ""
        self.refresh_label()

    def refresh_label(self) -> None:
        # Text, not markup: choice texts may contain brackets such as [1−ε, 1+ε].
        box = ("[x] " if self.has_class("-toggled") else "[ ] ") if self.multiple else ""
        label = Text.assemble((f"{self.letter}  ", "bold"), box, self.text)
        if self.marker:
            label.append(f"  {self.marker}", style="bold")
        if self.why:
            label.append(f"\n{self.why}", style="italic")
        self.update(label)

    def on_click(self) -> None:
        self.post_message(self.Picked(self.position))
