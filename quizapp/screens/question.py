"""One question at a time: prompt, choices A–H, then feedback with the whys and the explanation."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from question_bank.models import Pack, Question
from quizapp.evidence.panel import EvidencePanel
from quizapp.i18n import N_, _, shown_title
from quizapp.screens.confirm import ConfirmScreen
from quizapp.screens.translated import TranslatedBindings
from quizapp.progress.db import StoreError
from quizapp.study.persist import Tracker
from quizapp.study.practice import LETTERS, Answer, Item, PracticeSession
from quizapp.study.ratings import RATING_KEYS, rating_line
from quizapp.widgets.choice import ChoiceRow
from quizapp.widgets.footer import KeyFooter
from quizapp.widgets.markdown_text import MarkdownText
from quizapp.study.feedback import verdict

PICK_KEYS = [Binding(k, f"pick({i})", N_("Pick"), show=False) for i, k in enumerate("abcdefgh")]
# Digits pick a choice before the answer and change its review rating (1 Again … 4 Easy) after it.
PICK_KEYS += [Binding(k, f"digit({i})", N_("Pick"), show=False) for i, k in enumerate("12345678")]
MODE_TITLES = {"practice": N_("Practice"), "review": N_("Review"), "drill": N_("Drill")}


class QuestionScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "question.tcss"
    # The widgets it shows, whose default styles the app reads ahead with its style file (QuizApp.read_styles_ahead).
    WIDGET_CLASSES = (Static, VerticalScroll, KeyFooter, MarkdownText, Vertical, EvidencePanel, ChoiceRow)
    BINDINGS = [
        Binding("a", "pick(0)", N_("Pick"), key_display="a–h/1–8", show=True),
        *PICK_KEYS[1:],
        Binding("enter", "submit", N_("Submit / next"), priority=True),
        Binding("t", "toggle_language", N_("Language")),
        Binding("l", "open_lab", N_("Lab")),
        Binding("escape", "leave", N_("End session")),
    ]

    def __init__(self, session: PracticeSession, pack: Pack, lang: str | None = None,
                 tracker: Tracker | None = None, mode: str = "practice") -> None:
        super().__init__()
        self.session = session
        self.pack = pack
        self.lang = lang
        self.tracker = tracker  # records every answer; None in a throwaway run
        self.mode = mode
        self.toggled: set[int] = set()
        self.answer: Answer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        with VerticalScroll(id="body"):
            yield MarkdownText(id="prompt")
            yield Static(id="hint")
            yield Vertical(id="choices")
            yield Static(id="rating")
            yield MarkdownText(id="feedback")
            yield EvidencePanel(id="evidence")
        yield KeyFooter()

    async def on_mount(self) -> None:
        if self.session.finished:  # resumed after its last answer
            self.call_after_refresh(self.finish)
            return
        self.session.show()
        await self.show_item()
        self.query_one("#body").focus()  # ↑/↓/PgUp/PgDn scroll a long question or explanation

    @property
    def item(self) -> Item:
        return self.answer.item if self.answer else self.session.current

    def question(self) -> Question:
        return self.item.question.localized(self.lang) if self.lang else self.item.question


    async def show_item(self) -> None:
        item, question = self.item, self.question()
        topic = self.pack.topic(item.question.topic)
        number = self.session.position + (0 if self.answer else 1)
        lang = (self.lang if self.lang in item.question.translations else self.pack.language or "").upper()
        right = sum(a.correct for a in self.session.answers)
        progress = _("{mode} · question {number}/{total}  ·  {right} right").format(
            mode=_(MODE_TITLES.get(self.mode, N_("Practice"))), number=number, total=len(self.session.items),
            right=right)
        self.query_one("#progress", Static).update(Text(
            f" {progress}  ·  {shown_title(topic) if topic else item.question.topic}  ·  {lang}  ·  {shown_title(self.pack)}",
            no_wrap=True, overflow="ellipsis"))
        self.query_one("#prompt", MarkdownText).set_markdown(question.prompt)
        multiple = item.question.type == "multiple"
        n = len(item.order)
        first, last = LETTERS[0].lower(), LETTERS[n - 1].lower()
        self.query_one("#hint", Static).update(
            _("Select all that apply: toggle {first}–{last}, then Enter to submit.").format(first=first, last=last)
            if multiple else _("Choose one: {first}–{last} or 1–{n}, or click.").format(first=first, last=last, n=n))
        box = self.query_one("#choices", Vertical)
        await box.remove_children()
        texts = [question.choices[i].text for i in item.order]
        await box.mount_all(ChoiceRow(pos, LETTERS[pos], text, multiple) for pos, text in enumerate(texts))
        self.query_one("#hint", Static).set_classes("")
        self.query_one("#rating", Static).update("")
        feedback = self.query_one("#feedback", MarkdownText)
        feedback.display = False
        if self.answer:
            self.show_feedback()
            self.show_rating()  # a language switch redraws the item: keep its rating line
        else:
            # Computed while the learner reads, shown once answered: a PPO step takes about half a second.
            self.query_one(EvidencePanel).compute_ahead(question.live)
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def rows(self) -> list[ChoiceRow]:
        return list(self.query(ChoiceRow))

    def action_pick(self, position: int) -> None:
        if self.answer is not None or position >= len(self.item.order):
            return
        if self.item.question.type == "multiple":
            self.toggled ^= {position}
            self.rows()[position].toggle(position in self.toggled)
        else:
            self.give_answer({position})

    def action_digit(self, index: int) -> None:
        if self.answer is None:
            self.action_pick(index)
        elif self.tracker is not None and self.tracker.last_rating is not None and index < len(RATING_KEYS):
            try:
                self.tracker.override(RATING_KEYS[index])
            except (StoreError, ValueError) as error:
                self.notify(str(error), severity="error")
            self.show_rating()

    def show_rating(self) -> None:
        rating = self.tracker.last_rating if self.tracker is not None else None
        self.query_one("#rating", Static).update(rating_line(rating) if rating is not None else "")

    def on_choice_row_picked(self, event: ChoiceRow.Picked) -> None:
        self.action_pick(event.position)

    async def action_submit(self) -> None:
        if self.answer is not None:
            await self.next_question()
        elif self.item.question.type == "multiple":
            if not self.toggled:
                self.notify(_("Toggle at least one choice first (keys a–h)."), severity="warning")
                return
            self.give_answer(self.toggled)

    def give_answer(self, picked: set[int]) -> None:
        try:
            self.answer = self.session.answer(frozenset(picked))
        except StoreError as error:  # the answer counts in this session; saving it failed
            self.answer = self.session.answers[-1]
            self.notify(_("Your answer could not be saved: {error}").format(error=error), severity="error", timeout=10)
        self.show_feedback()
        self.show_rating()

    def show_feedback(self) -> None:
        answer = self.answer
        assert answer is not None
        item, shown = answer.item, self.question()
        for row in self.rows():
            choice = shown.choices[item.order[row.position]]  # its why in the shown language, where translated
            row.show_verdict(row.position in item.correct_positions, row.position in answer.picked, choice.why)
        hint = self.query_one("#hint", Static)
        hint.update(Text.assemble(verdict(answer), "   ",
                                  (_("Enter: see the summary") if self.session.finished else _("Enter: next question"), "dim")))
        hint.set_class(answer.correct, "-right")
        hint.set_class(not answer.correct, "-wrong")
        explanation = self.question().explanation
        feedback = self.query_one("#feedback", MarkdownText)
        feedback.set_markdown(_("**Explanation.**") + " " + explanation.strip() if explanation else "")
        feedback.display = bool(explanation)
        self.query_one(EvidencePanel).show(self.question().live, self.lang or self.pack.language)
        # The verdict goes to the top of the view; the choices with their whys and the
        # explanation follow it (↓ scrolls on when they do not fit).
        self.call_after_refresh(lambda: self.query_one("#body").scroll_to_widget(hint, top=True, animate=False))
        self.refresh_bindings()  # `l Lab` shows once answered, if the question has live blocks

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_lab":
            return self.answer is not None and bool(self.item.question.live)
        return True

    def action_open_lab(self) -> None:
        from quizapp.labs import open_lab_for
        self.app.push_screen(open_lab_for(self.item.question.live))

    async def next_question(self) -> None:
        self.answer = None
        self.toggled = set()
        self.refresh_bindings()
        if self.session.finished:
            self.finish()
        else:
            self.session.show()
            await self.show_item()

    def finish(self) -> None:
        """Close the session in the store and show the summary (of what was answered so far)."""
        if self.tracker is not None:
            try:
                self.tracker.finish(self.session.summary())
            except StoreError as error:
                self.notify(_("The session could not be closed in the progress database: {error}").format(error=error),
                            severity="error")
        from quizapp.screens.summary import SummaryScreen
        self.app.switch_screen(SummaryScreen(self.session, self.pack, self.lang))

    async def action_toggle_language(self) -> None:
        self.lang = switch_language(self, self.item.question)
        await self.show_item()

    def action_leave(self) -> None:
        if not self.session.answers:
            if self.tracker is not None:
                self.tracker.abandon()
            self.app.pop_screen()
            return
        if self.session.finished:
            self.finish()
            return
        kept = self.tracker.saved_note() if self.tracker is not None else _("Your answers will not be kept.")
        self.app.push_screen(ConfirmScreen(_("End this session now and see the summary?") + " " + kept),
                             lambda yes: self.finish() if yes else None)


def switch_language(screen: Screen, question: Question) -> str:
    """`t`: the interface and the questions in the next language (remembered); returns it.
    Says so when this question has no translation into it."""
    from quizapp.i18n import language_name, next_language

    app = screen.app
    app.switch_language(next_language(app.language))
    lang = app.language
    if lang not in question.translations and lang != screen.pack.language:
        screen.notify(_("This question has no {language} translation; it stays as written.").format(
            language=language_name(lang)), severity="information")
    return lang
