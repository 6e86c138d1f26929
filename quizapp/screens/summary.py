"""The end of a session: score, per-topic results, and the missed questions to reopen."""
from __future__ import annotations

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
from quizapp.study.practice import PracticeSession


class SummaryScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("enter", "open_missed", N_("Review missed"), priority=True),
        Binding("escape,h", "home", N_("Back to packs")),
    ]

    def __init__(self, session: PracticeSession, pack: Pack, lang: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.pack = pack
        self.lang = lang
        self.summary = session.summary()

    def compose(self) -> ComposeResult:
        s = self.summary
        verdict = (_("Well done!") if s.percent >= 80 else _("Keep practising.") if s.percent >= 50
                   else _("Worth another round."))
        score = _("Session complete: [b]{right} of {total}[/b] right ({percent}).").format(
            right=s.right, total=s.total, percent=percent(s.percent))
        yield Static(f" {score} {verdict}", id="score")
        with Horizontal(id="columns"):
            with Vertical(id="topics-column"):
                yield Label(_("By topic"), classes="section-title")
                yield Static(topic_table(self.pack, self.summary.by_topic), id="by-topic")
            with Vertical(id="missed-column"):
                yield Label(_("Missed questions ({n})  ·  Enter reopens").format(n=len(s.missed)), classes="section-title")
                yield OptionList(*[Option(self._missed_label(i, a), id=str(i)) for i, a in enumerate(s.missed)],
                                 id="missed")
        yield KeyFooter()

    def _missed_label(self, index: int, answer) -> str:
        question = answer.item.question
        prompt = " ".join((question.localized(self.lang) if self.lang else question).prompt.split())
        return f"{index + 1}. {prompt[:70]}{'…' if len(prompt) > 70 else ''}"

    def on_mount(self) -> None:
        missed = self.query_one("#missed", OptionList)
        if self.summary.missed:
            missed.highlighted = 0
            missed.focus()
        else:
            missed.add_option(Option(_("Nothing missed: every answer was right."), disabled=True))

    def action_open_missed(self) -> None:
        missed = self.query_one("#missed", OptionList)
        if not self.summary.missed or missed.highlighted is None:
            self.action_home()
            return
        from quizapp.screens.review import ReviewScreen
        self.app.push_screen(ReviewScreen(self.summary.missed[missed.highlighted], self.pack, self.lang))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_missed()

    def action_home(self) -> None:
        self.app.pop_screen()
