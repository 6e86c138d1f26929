"""The exam's result: pass or fail, per-topic scores, time used, and every question to review."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from question_bank.models import Pack
from quizapp.i18n import N_, _, percent
from quizapp.screens.translated import TranslatedBindings
from quizapp.widgets.footer import KeyFooter
from quizapp.widgets.topic_table import topic_table
from quizapp.study.clock import clock_text
from quizapp.study.exam import ExamResult
from quizapp.study.practice import Answer


class ExamResultScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("enter", "open_item", N_("Review question"), priority=True),
        Binding("escape,h", "home", N_("Back to packs")),
    ]

    def __init__(self, result: ExamResult, pack: Pack, lang: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.pack = pack
        self.lang = lang

    def compose(self) -> ComposeResult:
        r = self.result
        verdict = "[b green]" + _("PASSED") + "[/]" if r.passed else "[b red]" + _("NOT PASSED") + "[/]"
        score = _("[b]{right} of {total}[/b] right ({percent}), pass mark {pass_mark}").format(
            right=r.right, total=r.total, percent=percent(r.percent), pass_mark=percent(r.pass_mark * 100))
        used = (_("time used {used} of {limit}").format(used=clock_text(r.time_used), limit=clock_text(r.time_limit))
                if r.time_limit else _("time used {used}").format(used=clock_text(r.time_used)))
        auto = " " + _("(time ran out)") if r.auto_submitted else ""
        yield Static(f" {verdict}  {score}  ·  {used}{auto}", id="score")
        with Horizontal(id="columns"):
            with Vertical(id="topics-column"):
                yield Label(_("By topic"), classes="section-title")
                yield Static(topic_table(self.pack, self.result.by_topic), id="by-topic")
            with Vertical(id="missed-column"):
                yield Label(_("Every question  ·  Enter reviews it"), classes="section-title")
                yield OptionList(*[Option(self._label(i), id=str(i)) for i in range(len(r.items))], id="missed")
        yield KeyFooter()

    def _label(self, index: int) -> Text:
        item = self.result.items[index]
        mark, style = ("✓", "green") if item.correct else (("✗", "red") if item.answered else ("–", "yellow"))
        question = item.item.question
        prompt = " ".join((question.localized(self.lang) if self.lang else question).prompt.split())
        flag = " ⚑" if item.flagged else ""
        return Text.assemble((f"{mark} ", style), f"{index + 1}. {prompt[:64]}{'…' if len(prompt) > 64 else ''}{flag}")

    def on_mount(self) -> None:
        items = self.query_one("#missed", OptionList)
        items.highlighted = 0
        items.focus()

    def action_open_item(self) -> None:
        index = self.query_one("#missed", OptionList).highlighted
        if index is None:
            return
        item = self.result.items[index]
        answer = item.as_answer() or Answer(item.item, frozenset(), False)
        from quizapp.screens.review import ReviewScreen
        self.app.push_screen(ReviewScreen(answer, self.pack, self.lang))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_item()

    def action_home(self) -> None:
        self.app.pop_screen()
