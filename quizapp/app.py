"""The Textual application: holds the catalog, the options and the progress store."""
from __future__ import annotations

import gc
import inspect
import sys
from pathlib import Path, PurePath
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding

from quizapp import engine_process, i18n
from quizapp.catalog import Catalog
from quizapp.i18n import N_, _
from quizapp.options import Options
from quizapp.progress.db import Store, StoreError
from quizapp.screens.home import HomeScreen
from quizapp.widgets.default_styles import read_default_styles

if TYPE_CHECKING:
    from textual.screen import Screen

    from quizapp.study.review import ReviewScheduler
    from quizapp.warm import Warmer


class QuizApp(App[None]):
    TITLE = "quizapp"
    # The home screen's styles are read with the app's: as a screen's own CSS_PATH only, they made
    # Textual parse every style a second time while the first screen was being shown.
    CSS_PATH = ["app.tcss", "screens/home.tcss"]
    # The command palette is ours (quizapp.palette: translated commands, opened by the ctrl+p binding
    # below). Textual's own switch stays off: it would add an English footer key, which a German
    # footer has no room for, an English tooltip on the header icon, and its English system commands.
    ENABLE_COMMAND_PALETTE = False
    # Seconds between the first paint and the work that waits for it (the due line, the forecast, the
    # warm-up). Textual writes a frame from its output thread, which needs the interpreter lock between
    # the chunks a terminal takes: work started at the paint held it, and on a busy machine the home
    # screen reached the terminal some 10 % later (bench_startup.py).
    FIRST_FRAME_GRACE = 0.15
    BINDINGS = [Binding("ctrl+q", "quit", N_("Quit"), priority=True),
                Binding("ctrl+p", "command_palette", N_("Commands"), show=False, priority=True)]

    def __init__(self, catalog: Catalog, options: Options | None = None, store: Store | None = None,
                 warm: bool | None = None) -> None:
        """`warm`: load the study modes and the labs in the background once the home screen shows
        (quizapp.warm); None does so except in headless runs and under QUIZAPP_NO_WARM."""
        super().__init__()
        self.catalog = catalog
        self.options = options or Options(user_packs=None)
        self.store = store  # None: nothing is recorded (a throwaway run)
        self._scheduler: ReviewScheduler | None = None
        self.language = i18n.set_language(self.options.lang or i18n.language())
        self.sub_title = _("LLM foundations exam prep")
        self.warm = warm
        self.warmer: Warmer | None = None
        self.crash: Exception | None = None  # a bug met while running (_handle_exception)
        self._first_frame_out = False
        self._after_first_frame: list[Callable[[], object]] = []

    @property
    def scheduler(self) -> ReviewScheduler | None:
        """The review schedule (None in a throwaway run), made when first asked for: the first screen
        shows without it (fsrs and the due count come a moment later, as the forecast does)."""
        if self._scheduler is None and self.store is not None:
            from quizapp.study.review import ReviewScheduler
            self._scheduler = ReviewScheduler(self.store)
        return self._scheduler

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

    def action_command_palette(self) -> None:
        from quizapp.palette.screen import Palette
        if not Palette.is_open(self):
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette's commands: the screen's actions by name, the labs, the language, quit."""
        from quizapp.palette.commands import commands_for
        return commands_for(self, screen)

    def get_default_screen(self) -> Screen:
        # The home screen is the first screen itself: pushed over Textual's empty default screen, that one
        # was composed, styled and drawn first for nothing (docs/PERFORMANCE.md, sixth pass).
        read_default_styles(self, (HomeScreen, *HomeScreen.WIDGET_CLASSES))
        return HomeScreen(self.catalog, self.options)

    def on_mount(self) -> None:
        # A full-screen app computes torch probes beside its UI thread, not in it; tests (headless) in it.
        engine_process.use_process(engine_process.wanted(self.is_headless))
        self.call_after_refresh(self.set_timer, self.FIRST_FRAME_GRACE, self._home_painted)
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

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first screen is on the terminal (at once when it already is)."""
        if self._first_frame_out:
            callback()
        else:
            self._after_first_frame.append(callback)

    def _home_painted(self) -> None:
        """The first screen is up: what was put off for it may run now."""
        gc.enable()  # the CLI keeps the collector off during the start-up
        self._first_frame_out = True
        for callback in self._after_first_frame:
            callback()
        self._after_first_frame.clear()
        from quizapp.warm import Warmer, wanted
        if self.warmer is None and wanted(self.warm, self.is_headless):
            self.warmer = Warmer(after_study=lambda: self.call_from_thread(self._read_study_styles),
                                 after_labs=lambda: self.call_from_thread(self._after_labs)).start()

    def _read_study_styles(self) -> None:
        from quizapp.screens.confirm import ConfirmScreen
        from quizapp.screens.exam_setup import ExamSetupScreen
        from quizapp.screens.question import QuestionScreen
        self.read_styles_ahead(QuestionScreen, ConfirmScreen, ExamSetupScreen)

    def _after_labs(self) -> None:
        self._read_lab_styles()
        if not engine_process.in_process():
            # Started here, not in the warm-up's thread: a process takes the nice value of the thread that
            # starts it, and at nice 19 every PPO step would wait for any other work on the machine.
            engine_process.engine().start()

    def _read_lab_styles(self) -> None:
        from quizapp.labs import LABS, lab_class
        from quizapp.labs.menu import LabsMenuScreen
        self.read_styles_ahead(LabsMenuScreen, *(lab_class(info.key) for info in LABS))

    def read_styles_ahead(self, *screens: type[Screen]) -> None:
        """Read these screens' style files, and the default styles of the widgets they show
        (WIDGET_CLASSES), now, in one parse, while the learner reads the current screen.

        Textual reads a screen's CSS files when the screen is first shown and then re-parses every
        style in the app: that made Enter on the home screen take about 100 ms, most of it parsing.
        Styles apply app-wide once read, so only screens whose selectors cannot match the screens
        already shown belong here: the summary (its #columns is the home screen's) and the exam
        (its ids are the question screen's) are left to be read when they open, as before.
        """
        paths = []
        for screen in screens:
            names = [screen.CSS_PATH] if isinstance(screen.CSS_PATH, (str, PurePath)) else screen.CSS_PATH or []
            paths += [(Path(inspect.getfile(screen)).parent / name).resolve() for name in names]
        missing = [path for path in dict.fromkeys(paths) if not self.stylesheet.has_source(str(path), "")]
        for path in missing:
            self.stylesheet.read(path)
        added = read_default_styles(self, [widget for screen in screens for widget in getattr(screen, "WIDGET_CLASSES", ())])
        if missing or added:
            self.stylesheet.reparse()
            self.stylesheet.update(self)

    def on_unmount(self) -> None:
        if self.warmer is not None:
            self.warmer.stop()
        engine_process.close()

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
            from quizapp.screens.confirm import ConfirmScreen
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

    # A bug inside the running app: Textual would print a traceback with local variables as it exits.
    # The learner gets quizapp's one line instead, and the traceback goes to the report file (crash.py).
    def _handle_exception(self, error: Exception) -> None:
        self.crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        self.bell()
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        if self.crash is None:
            super()._print_error_renderables()
            return
        from quizapp.crash import report_crash

        self._exit_renderables.clear()
        sys.stderr.write(report_crash(self.crash, sys.argv[1:]) + "\n")  # unwrapped: the path stays whole
        self.crash = None
