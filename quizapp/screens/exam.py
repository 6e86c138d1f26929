"""A mock exam: countdown, question map, flags, back and forth, no feedback until submission."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from question_bank.models import Pack
from quizapp.i18n import N_, _, ngettext
from quizapp.progress.db import StoreError
from quizapp.screens.confirm import ConfirmScreen
from quizapp.screens.question import switch_language
from quizapp.screens.translated import TranslatedBindings
from quizapp.study.clock import clock_text
from quizapp.study.exam import ExamResult, ExamSession
from quizapp.study.persist import Tracker
from quizapp.study.practice import LETTERS
from quizapp.widgets.choice import ChoiceRow
from quizapp.widgets.footer import KeyFooter
from quizapp.widgets.markdown_text import MarkdownText

MAP_STYLES = {"answered": "black on green", "flagged": "black on yellow", "open": "white on grey23"}


class ExamScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "exam.tcss"
    BINDINGS = [
        Binding("a", "pick(0)", N_("Pick"), key_display="a–h"),
        *[Binding(k, f"pick({i})", N_("Pick"), show=False) for i, k in enumerate("bcdefgh", start=1)],
        *[Binding(k, f"pick({i})", N_("Pick"), show=False) for i, k in enumerate("12345678")],
        Binding("right,n,enter", "move(1)", N_("Next"), key_display="→", priority=True),
        Binding("left,p", "move(-1)", N_("Back"), key_display="←"),
        Binding("ctrl+f", "flag", N_("Flag")),
        Binding("o", "next_open", N_("Next open")),
        Binding("ctrl+s", "submit", N_("Submit")),
        Binding("t", "toggle_language", N_("Language"), show=False),
    ]

    def __init__(self, exam: ExamSession, pack: Pack, lang: str | None = None, tracker: Tracker | None = None) -> None:
        super().__init__()
        self.session = exam  # the app's quit check looks for `session.under_way`
        self.pack = pack
        self.lang = lang
        self.tracker = tracker

    @property
    def exam(self) -> ExamSession:
        return self.session

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        yield Static(id="map")
        with VerticalScroll(id="body"):
            yield MarkdownText(id="prompt")
            yield Static(id="hint")
            yield Vertical(id="choices")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)
        if self.tick():  # resumed after its time ran out
            return
        await self.show_item()
        self.query_one("#body").focus()

    def tick(self) -> bool:
        try:
            result = self.exam.tick()
        except StoreError as error:
            self.notify(_("The exam state could not be saved: {error}").format(error=error), severity="error")
            result = None
        if result is not None:
            self.notify(_("Time is up: the exam was submitted."), severity="warning", timeout=8)
            self.show_result(result)
            return True
        self.show_status()
        return False

    def show_status(self) -> None:
        exam = self.exam
        counts = exam.counts()
        remaining = exam.remaining()
        left = (_("⏱ {clock} left").format(clock=clock_text(remaining)) if remaining is not None
                else _("no time limit"))
        status = _("Mock exam · question {number}/{total} · {left} · {answered} answered · {flagged} flagged").format(
            number=exam.position + 1, total=len(exam.items), left=left, answered=counts.get("answered", 0),
            flagged=counts.get("flagged", 0))
        self.query_one("#progress", Static).update(Text(f" {status}", no_wrap=True,
            overflow="ellipsis", style="bold red" if remaining is not None and remaining < 60 else ""))
        cells = Text()
        for entry in exam.map():
            style = MAP_STYLES[entry.status] + (" reverse bold" if entry.current else "")
            cells.append(f"{entry.index + 1:>3} ", style=style)
            cells.append(" ")
        cells.append("\n " + _("green answered · yellow flagged · grey open"), style="dim")
        self.query_one("#map", Static).update(cells)

    async def show_item(self) -> None:
        item = self.exam.current
        question = item.question.localized(self.lang) if self.lang else item.question
        self.query_one("#prompt", MarkdownText).set_markdown(question.prompt)
        n = len(item.order)
        multiple = item.question.type == "multiple"
        self.query_one("#hint", Static).update(
            _("Select all that apply: toggle a–{last}.").format(last=LETTERS[n - 1].lower()) if multiple else
            _("Choose one: a–{last} (you can change it until you submit).").format(last=LETTERS[n - 1].lower()))
        box = self.query_one("#choices", Vertical)
        await box.remove_children()
        await box.mount_all(ChoiceRow(pos, LETTERS[pos], question.choices[i].text, multiple)
                            for pos, i in enumerate(item.order))
        self.show_picked()
        self.show_status()
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def show_picked(self) -> None:
        picked = self.exam.picked
        for row in self.query(ChoiceRow):
            row.toggle(row.position in picked)

    def _guard(self, action) -> object:
        try:
            return action()
        except StoreError as error:
            self.notify(_("Your answer could not be saved: {error}").format(error=error), severity="error", timeout=10)
            return None

    async def action_pick(self, position: int) -> None:
        if position >= len(self.exam.current.order):
            return
        self._guard(lambda: self.exam.select(position))
        if self.exam.submitted:
            self.show_result(self.exam.result)
            return
        self.show_picked()
        self.show_status()

    async def action_move(self, step: int) -> None:
        moved = self._guard(lambda: self.exam.next() if step > 0 else self.exam.previous())
        if moved:
            await self.show_item()

    async def action_next_open(self) -> None:
        if self._guard(self.exam.next_open):
            await self.show_item()
        else:
            self.notify(_("Every question has an answer. Press ctrl+s to submit."))

    def action_flag(self) -> None:
        self._guard(self.exam.flag)
        self.show_status()

    async def action_toggle_language(self) -> None:
        self.lang = switch_language(self, self.exam.current.question)
        await self.show_item()

    def action_submit(self) -> None:
        counts = self.exam.counts()
        open_ = len(self.exam.items) - counts.get("answered", 0)
        warn = (" " + ngettext("{n} question is still open.", "{n} questions are still open.", open_).format(n=open_)
                if open_ else "")
        flagged = counts.get("flagged", 0)
        warn += " " + _("{n} flagged.").format(n=flagged) if flagged else ""
        self.app.push_screen(ConfirmScreen(_("Submit the exam now?") + warn),
                             lambda yes: self.submit() if yes else None)

    def submit(self) -> None:
        result = self._guard(self.exam.submit)
        if result is None and self.exam.result is None:
            return
        self.show_result(self.exam.result)

    def show_result(self, result: ExamResult) -> None:
        from quizapp.screens.exam_result import ExamResultScreen
        self.app.switch_screen(ExamResultScreen(result, self.pack, self.lang))
