"""Home: the loaded packs and their topics; Enter starts practice, other keys the other study modes."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from rich.text import Text
from textual.widgets import OptionList, SelectionList, Static, Tooltip
from textual.widgets._toast import ToastRack
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from quizapp.i18n import N_, _, ngettext, shown_title
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.progress.db import StoreError
from quizapp.screens.translated import TranslatedBindings
from quizapp.widgets.footer import KeyFooter
from quizapp.widgets.header import TitleBar
from quizapp.widgets.readiness import ReadinessLine

if TYPE_CHECKING:
    from question_bank.models import AnyQuestion, Pack
    from question_bank.summary import PackSummary

# What the keys open is imported when a key is pressed (and, once the home screen is up, ahead of
# time by quizapp.warm): the first screen shows sooner without the study modes.


class HomeScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "home.tcss"
    # Focused from the start: focusing it in on_mount restyled both lists after the first frame (drawn with
    # the pack list focused, Textual's default) and drew the screen twice more.
    AUTO_FOCUS = "#topics"
    # Every widget class on this screen, in the order of their first mount (Textual's own two first):
    # their default styles are read with the screen's in one parse before it is composed
    # (quizapp.widgets.default_styles).
    WIDGET_CLASSES = (ToastRack, Tooltip, TitleBar, Horizontal, Static, ReadinessLine, KeyFooter,
                      Vertical, OptionList, SelectionList)
    BINDINGS = [
        Binding("enter", "start", N_("Practice"), priority=True),
        Binding("e", "exam", N_("Exam")),
        Binding("r", "review", N_("Review")),
        Binding("w", "drill", N_("Weak")),
        Binding("s", "stats", N_("Stats")),
        Binding("L", "labs", N_("Labs")),
        Binding("t", "toggle_language", N_("Language"), show=False),  # named on the due line: the footer is full
        Binding("space", "toggle_topic", N_("Toggle topic"), show=False),
        Binding("a", "all_topics", N_("All topics"), show=False),
        Binding("plus,equals_sign,right", "count(1)", N_("More"), key_display="+", show=False),
        Binding("minus,left", "count(-1)", N_("Fewer"), key_display="-", show=False),
    ]

    def __init__(self, catalog: Catalog, options: Options) -> None:
        super().__init__()
        self.catalog = catalog
        self.options = options
        # Topic selection per pack, kept while the learner moves between packs.
        # The screen shows the packs' summaries: their questions are built when first needed (quizapp.catalog).
        self.selected: dict[str, set[str]] = {p.id: self._initial_topics(p) for p in catalog.summaries}
        self.pack_id: str | None = catalog.first_id()  # selected at launch
        self.count = options.count
        self._resumed = False  # shown once: later resumes are returns from other screens

    def _initial_topics(self, pack: PackSummary) -> set[str]:
        all_ids = {t.id for t in pack.topics}
        chosen = all_ids & set(self.options.topics)
        return chosen or all_ids

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="columns"):
            with Vertical(id="packs-column"):
                yield Static(_("Packs  (tab switches lists)"), id="packs-title", classes="section-title")
                yield OptionList(*[Option(self._pack_label(p), id=p.id) for p in self.catalog.summaries], id="packs")
                yield Static(self._broken_text(), id="broken")  # above the description: never pushed off screen
                yield Static(id="pack-info")
            with Vertical(id="topics-column"):
                yield Static(_("Topics  (space toggles, a selects all)"), id="topics-title", classes="section-title")
                yield SelectionList[str](id="topics")
        yield Static(id="due")
        yield ReadinessLine(id="readiness")
        yield Static(id="plan")
        yield KeyFooter()

    @staticmethod
    def _pack_label(pack: PackSummary) -> str:
        return f"{shown_title(pack)}  ({pack.question_count})"

    def _broken_text(self) -> str:
        if not self.catalog.broken:
            return ""
        names = [Path(b.path).name for b in self.catalog.broken]
        n = len(names)
        # The names first, in one line, so they show even when the details do not fit.
        lines = ["[b $error]" + ngettext("✗ {n} pack could not be loaded:", "✗ {n} packs could not be loaded:", n)
                 .format(n=n) + f"[/] {_escape(', '.join(names))}"]
        for b in self.catalog.broken:
            p = b.first_error
            lines.append(f"  {_escape(Path(p.path).name)}:{p.line}:{p.col}: {_escape(p.message)}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.shown_in = self.app.language
        packs = self.query_one("#packs", OptionList)
        if self.pack_id is not None:
            packs.highlighted = packs.get_option_index(self.pack_id)
            self._show_topics()
            self._show_pack_info()
            self._update_due()
        else:
            self.query_one("#plan", Static).update(_("No packs loaded. Give one with --pack PATH."))
        if self.focused is None:  # AUTO_FOCUS waits for the app to have the focus: a browser tab starts without
            self.query_one("#topics", SelectionList).focus()

    def _show_pack_info(self) -> None:
        pack = self.summary
        if pack is None:
            return
        languages = pack.question_languages
        lines = [pack.description_in(self.app.language) or ""]
        meta = [f"v{pack.version}" if pack.version else "", pack.language.upper(),
                (_("translations: {languages}").format(languages=", ".join(languages))) if languages else "",
                ", ".join(pack.authors)]
        lines.append("  ·  ".join(m for m in meta if m))
        self.query_one("#pack-info", Static).update(Text("\n".join(l for l in lines if l), style="italic"))

    @property
    def pack(self) -> Pack | None:
        """The selected pack, built (its summary is `summary`)."""
        return self.catalog.pack(self.pack_id) if self.pack_id else None

    @property
    def summary(self) -> PackSummary | None:
        return self.catalog.summary(self.pack_id) if self.pack_id else None

    def _show_topics(self) -> None:
        pack = self.summary
        topics = self.query_one("#topics", SelectionList)
        # Filling the list is not the learner's choice: its "selected changed" messages (one per selected
        # topic) would each recount the plan and lay the screen out again after the first paint.
        with self.prevent(SelectionList.SelectedChanged):
            topics.clear_options()
            if pack is None:
                return
            topics.add_options([Selection(f"{shown_title(t)}  ({t.count})", t.id, t.id in self.selected[pack.id])
                                for t in pack.topics])
            # The first topic under the cursor, as Textual does for options given when a list is made:
            # space toggles it at once, as the title says.
            topics.action_first()
        self._update_plan()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # A highlight moved on since (the list's own first one, before on_mount's) would show a pack
        # only to replace it at once: every start did that work twice.
        stale = event.option_index != event.option_list.highlighted
        if event.option_list.id == "packs" and event.option.id != self.pack_id and not stale:
            self.pack_id = event.option.id
            self._show_topics()
            self._show_pack_info()
            self._update_due()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        if self.pack_id is not None:
            self.selected[self.pack_id] = set(event.selection_list.selected)
            self._update_plan()

    def _available(self) -> int:
        pack = self.summary
        if pack is None:
            return 0
        counts = pack.count_by_topic()
        return sum(counts.get(t, 0) for t in self.selected[pack.id])

    def action_count(self, step: int) -> None:
        self.count = max(1, min(self.count + step, max(self._available(), 1)))
        self._update_plan()

    def _update_plan(self) -> None:
        available = self._available()
        n = min(self.count, available)
        topics = len(self.selected.get(self.pack_id or "", ()))
        if available:
            text = ngettext("[b]{n}[/b] of {available} questions (+/− to change) from {topics} topic",
                            "[b]{n}[/b] of {available} questions (+/− to change) from {topics} topics",
                            topics).format(n=n, available=available, topics=topics)
            text += "  ·  " + _("[b]Enter[/b] starts practice")
        else:
            text = _("Select at least one topic with questions.")
        self.query_one("#plan", Static).update(text)

    def _update_due(self) -> None:
        """The due line and the forecast, once the screen is on the terminal: the review scheduler (fsrs),
        the selected pack's objects and the count over its questions are not needed to show it."""
        self.app.after_first_frame(lambda: self.call_after_refresh(self._show_due))  # if still mounted

    def _show_due(self) -> None:
        scheduler, pack = self.app.scheduler, self.pack
        self.query_one(ReadinessLine).show_pack(pack)  # the forecast moves with the due count
        if scheduler is None or pack is None:
            self.query_one("#due", Static).update(self._language_hint())
            return
        try:
            due = scheduler.due_today_count(q.key for q in pack.questions)
        except StoreError:
            due = None
        if due is None:
            text = ""
        elif due:
            text = ngettext("[b]{n}[/b] question due for review today (r)",
                            "[b]{n}[/b] questions due for review today (r)", due).format(n=due)
        else:
            text = _("No reviews due today.")
        text += ("  ·  " if text else "") + self._language_hint()
        self.query_one("#due", Static).update(text)

    def _language_hint(self) -> str:
        """"t: Deutsch" in English, "t: English" in German: the next language, named in itself;
        then the command palette's key (the footer has no room for it)."""
        from quizapp.i18n import next_language
        language = {"de": "t: Deutsch", "en": "t: English"}.get(next_language(self.app.language), "")
        return "  ·  ".join(hint for hint in (language, _("^p: commands")) if hint)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # Shown for the first time: each widget was styled as it was mounted on this screen, and
            # on_mount has asked for the due line. Textual would style the whole screen a second time
            # (some 4 % of the instructions to the first paint).
            self._resumed = True
            event.refresh_styles = False
            return
        # Back from a session: the due count (and maybe the language) moved.
        if self.shown_in != self.app.language:
            self.retranslate()
        self._update_due()

    def retranslate(self) -> None:
        """Every text of this screen again, in the interface language."""
        self.shown_in = self.app.language
        self.query_one("#packs-title", Static).update(_("Packs  (tab switches lists)"))
        self.query_one("#topics-title", Static).update(_("Topics  (space toggles, a selects all)"))
        self.query_one("#broken", Static).update(self._broken_text())
        self._show_pack_info()
        self._update_plan()
        for pack in self.catalog.summaries:  # titles in the new language (a pack may translate them)
            self.query_one("#packs", OptionList).replace_option_prompt(pack.id, self._pack_label(pack))
        self._show_topics()

    def action_toggle_language(self) -> None:
        from quizapp.i18n import language_name, next_language
        self.app.switch_language(next_language(self.app.language))
        self.retranslate()
        self._update_due()
        self.notify(_("Interface and questions in {language}.").format(language=language_name(self.app.language)))

    def action_toggle_topic(self) -> None:
        topics = self.query_one("#topics", SelectionList)
        if topics.highlighted is not None:
            topics.toggle(topics.get_option_at_index(topics.highlighted))

    def action_all_topics(self) -> None:
        self.query_one("#topics", SelectionList).select_all()

    def _ready_pack(self) -> Pack | None:
        """The highlighted pack when its selected topics have questions; else says what is missing."""
        if self.pack_id is None or not self._available():
            self.notify(_("Select a pack and at least one topic that has questions."), severity="warning")
            return None
        return self.pack

    def action_start(self) -> None:
        pack = self._ready_pack()
        if pack is None:
            return
        topics = sorted(self.selected[pack.id])
        self._practise(pack, pack.questions, topics, self.count, "practice", {"topics": topics, "count": self.count})

    def _practise(self, pack: Pack, questions: Sequence[AnyQuestion], topics: list[str] | None, count: int | None,
                  mode: str, settings: dict[str, Any]) -> None:
        """Practice, review and drill: a session drawn from `questions` on the question screen."""
        from quizapp.screens.launch import open_practice
        from quizapp.study.practice import PracticeSession
        session = PracticeSession.start(questions, topics, count, self.options.seed)
        open_practice(self.app, session, pack, mode, settings)

    def action_exam(self) -> None:
        pack = self._ready_pack()
        if pack is None:
            return
        from quizapp.screens.exam_setup import ExamSetupScreen
        topics = sorted(self.selected[pack.id])
        self.app.push_screen(ExamSetupScreen(pack, topics, seed=self.options.seed))

    def action_review(self) -> None:
        pack, scheduler = self.pack, self.app.scheduler
        if pack is None or scheduler is None:
            return
        due = scheduler.draw_review(pack.questions, limit=self.count)
        if not due:
            self.notify(_("Nothing is due for review today in this pack. Practise to fill the schedule."))
            return
        self._practise(pack, due, None, None, "review", {"count": len(due)})

    def action_drill(self) -> None:
        pack, store = self.pack, self.app.store
        if pack is None or store is None:
            return
        from quizapp.study.drill import draw_drill
        drawn = draw_drill(store, pack, count=self.count, seed=self.options.seed)
        if not drawn:
            self.notify(_("No weak topics yet: answer some questions first, then drill what you missed."))
            return
        topics = sorted({q.topic for q in drawn})
        self._practise(pack, drawn, None, None, "drill", {"topics": topics, "count": len(drawn)})

    def action_stats(self) -> None:
        if self.app.store is None:
            return
        from quizapp.screens.stats import StatsScreen
        self.app.push_screen(StatsScreen(self.catalog, self.pack_id))

    def action_labs(self) -> None:
        from quizapp.labs import labs_menu
        self.app.push_screen(labs_menu())


def _escape(text: str) -> str:
    return text.replace("[", r"\[")
