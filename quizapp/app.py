"""The Textual application: holds the catalog, the options and the progress store."""
from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from quizapp import i18n
from quizapp.catalog import Catalog
from quizapp.i18n import N_, _
from quizapp.options import Options
from quizapp.progress.db import Store, StoreError
from quizapp.screens.confirm import ConfirmScreen
from quizapp.screens.home import HomeScreen
from quizapp.study.review import ReviewScheduler


class QuizApp(App[None]):
    TITLE = "quizapp"
    CSS_PATH = "app.tcss"
    # Textual's command palette speaks English only (its commands and their help), and its footer
    # key takes room a German footer needs: every action has its own key here instead.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", N_("Quit"), priority=True)]

    def __init__(self, catalog: Catalog, options: Options | None = None, store: Store | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.options = options or Options(user_packs=None)
        self.store = store  # None: nothing is recorded (a throwaway run)
        self.scheduler = ReviewScheduler(store) if store is not None else None
        self.language = i18n.set_language(self.options.lang or i18n.language())
        self.sub_title = _("LLM foundations exam prep")

    def switch_language(self, lang: str) -> None:
        """The interface (and the questions, where translated) in `lang` from now on, and next time."""
        self.language = i18n.set_language(lang)
        self.sub_title = _("LLM foundations exam prep")
        if self.store is not None:  # a throwaway run remembers nothing
            from quizapp import settings
            try:
                settings.put("lang", self.language)
            except settings.SettingsError as error:
                self.notify(str(error), severity="warning")
        self.refresh_bindings()

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.catalog, self.options))
        if self.store is None:
            return
        if self.store.message:
            self.notify(self.store.message, severity="warning", timeout=15)
        try:
            unfinished = self.store.unfinished_sessions()
        except StoreError as error:
            self.notify(str(error), severity="error")
            return
        if unfinished:
            from quizapp.screens.resume import ResumeScreen
            self.push_screen(ResumeScreen(unfinished))

    async def action_quit(self) -> None:
        session = getattr(self.screen, "session", None)
        if session is not None and session.under_way:
            tracker = getattr(self.screen, "tracker", None)
            if self.store is None or tracker is None:  # a throwaway run, or the session could not be recorded
                question = _("Quit quizapp in the middle of this session? Your answers will be lost.")
            else:
                note = tracker.saved_note()  # tries once more to save what failed before
                question = (_("Quit quizapp? {note} This session will be offered for resuming next time.").format(
                    note=note) if tracker.unsaved else
                    _("Quit quizapp? This session is saved and will be offered for resuming next time."))
            self.push_screen(ConfirmScreen(question), self._quit_confirmed)
        else:
            self.exit()

    def _quit_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        tracker = getattr(self.screen, "tracker", None)
        if tracker is not None:
            try:
                tracker.release()
            except StoreError:
                pass  # the session stays open in the database either way
        self.exit()
