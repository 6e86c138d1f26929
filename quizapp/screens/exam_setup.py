"""Mock exam settings: how many questions, how long, the pass mark."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from question_bank.models import Pack
from quizapp.i18n import N_, _, ngettext, shown_title
from quizapp.screens.launch import open_exam
from quizapp.screens.translated import TranslatedBindings
from quizapp.study.exam import DEFAULT_EXAM_QUESTIONS, ExamSession


class ExamSetupScreen(TranslatedBindings, ModalScreen[None]):
    CSS_PATH = "exam_setup.tcss"
    BINDINGS = [
        Binding("enter", "start", N_("Start exam"), priority=True),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, pack: Pack, topics: list[str], seed: int | None = None) -> None:
        super().__init__()
        self.pack = pack
        self.topics = topics
        self.seed = seed
        self.available = len(pack.questions_in(topics))

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(_("Mock exam · {pack}").format(pack=shown_title(self.pack)), id="title")
            yield Static(ngettext("{topics} topic, {available} questions to draw from; every topic is represented. "
                                  "No feedback until you submit.",
                                  "{topics} topics, {available} questions to draw from; every topic is represented. "
                                  "No feedback until you submit.", len(self.topics)).format(
                topics=len(self.topics), available=self.available), id="about")
            with Grid(id="fields"):
                yield Label(_("Questions"))
                yield Input(str(min(DEFAULT_EXAM_QUESTIONS, self.available)), id="count", type="integer", max_length=4)
                yield Label(_("Minutes"))
                yield Input("30", id="minutes", type="integer", max_length=4)
                yield Label(_("Pass mark %"))
                yield Input("60", id="pass-mark", type="integer", max_length=3)
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button(_("Start (Enter)"), variant="primary", id="start")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#count", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_start() if event.button.id == "start" else self.action_cancel()

    def _number(self, widget_id: str, low: int, high: int, what: str) -> int | None:
        text = self.query_one(f"#{widget_id}", Input).value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            self.query_one("#error", Static).update(
                _("{what} must be a whole number from {low} to {high}.").format(what=what, low=low, high=high))
            self.query_one(f"#{widget_id}", Input).focus()
            return None
        return int(text)

    def action_start(self) -> None:
        count = self._number("count", 1, self.available, _("Questions"))
        minutes = count and self._number("minutes", 1, 600, _("Minutes"))
        pass_mark = minutes and self._number("pass-mark", 1, 100, _("The pass mark"))
        if not pass_mark:
            return
        try:
            exam = ExamSession.start(self.pack.questions, self.topics, count, minutes * 60, pass_mark / 100, self.seed)
        except ValueError as error:
            message = str(error)  # str.capitalize() would lower German nouns: raise only the first letter
            self.query_one("#error", Static).update(f"{message[:1].upper()}{message[1:]}.")
            return
        self.dismiss()
        open_exam(self.app, exam, self.pack, {"topics": self.topics, "count": count, "minutes": minutes})

    def action_cancel(self) -> None:
        self.dismiss()
