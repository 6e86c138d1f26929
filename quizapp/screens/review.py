"""A past answer reopened: the question, the learner's choice, the correct one, whys and explanation."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from question_bank.models import Pack
from quizapp.evidence.panel import EvidencePanel
from quizapp.i18n import N_, _, shown_title
from quizapp.screens.translated import TranslatedBindings
from quizapp.study.feedback import feedback_markdown
from quizapp.study.practice import LETTERS, Answer
from quizapp.widgets.footer import KeyFooter
from quizapp.widgets.markdown_text import MarkdownText


class ReviewScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "question.tcss"
    BINDINGS = [
        Binding("escape,enter", "back", N_("Back"), priority=True),
        Binding("l", "open_lab", N_("Lab")),
    ]

    def __init__(self, answer: Answer, pack: Pack, lang: str | None = None) -> None:
        super().__init__()
        self.answer = answer
        self.pack = pack
        self.lang = lang

    def compose(self) -> ComposeResult:
        question = self.answer.item.question
        shown = question.localized(self.lang) if self.lang else question
        topic = self.pack.topic(question.topic)
        yield Static(f" {_('Answer review')}  ·  {shown_title(topic) if topic else question.topic}  ·  {shown_title(self.pack)}", id="progress")
        with VerticalScroll(id="body"):
            yield MarkdownText(shown.prompt, id="prompt")
            choices = "\n".join(
                f"- **{LETTERS[pos]}** {' '.join(shown.choices[i].text.split())}"
                f"{' ✓' if question.choices[i].correct else ''}{' ' + _('✗ your answer') if pos in self.answer.picked and not question.choices[i].correct else ''}"
                for pos, i in enumerate(self.answer.item.order))
            yield MarkdownText(choices, id="review-choices")
            yield MarkdownText(feedback_markdown(self.answer, shown), id="feedback")
            yield EvidencePanel(id="evidence")
        yield KeyFooter()

    def on_mount(self) -> None:
        question = self.answer.item.question
        shown = question.localized(self.lang) if self.lang else question
        self.query_one(EvidencePanel).show(shown.live, self.lang or self.pack.language)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_lab":
            return bool(self.answer.item.question.live)
        return True

    def action_open_lab(self) -> None:
        from quizapp.labs import open_lab_for
        self.app.push_screen(open_lab_for(self.answer.item.question.live))

    def action_back(self) -> None:
        self.app.pop_screen()
