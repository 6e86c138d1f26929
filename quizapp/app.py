"""The Textual application: holds the catalog and the options, starts on the home screen."""
from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from quizapp.catalog import Catalog
from quizapp.cli import Options
from quizapp.screens.confirm import ConfirmScreen
from quizapp.screens.home import HomeScreen


class QuizApp(App[None]):
    TITLE = "quizapp"
    SUB_TITLE = "LLM foundations exam prep"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, catalog: Catalog, options: Options | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.options = options or Options(user_packs=None)

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.catalog, self.options))

    async def action_quit(self) -> None:
        session = getattr(self.screen, "session", None)
        if session is not None and session.under_way:
            self.push_screen(ConfirmScreen("Quit quizapp in the middle of this session?"),
                             lambda yes: self.exit() if yes else None)
        else:
            self.exit()
