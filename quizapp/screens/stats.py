"""Statistics: per pack and topic (seen, accuracy, trend, due) — the same tables as `quizapp stats`."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from quizapp.catalog import Catalog
from quizapp.i18n import N_, _
from quizapp.screens.translated import TranslatedBindings
from quizapp.progress.db import StoreError
from quizapp.study.stats import collect_stats, render_stats


class StatsScreen(TranslatedBindings, Screen[None]):
    BINDINGS = [
        Binding("escape,s", "back", N_("Back")),
        Binding("q", "questions", N_("Per question")),
    ]
    DEFAULT_CSS = """
    StatsScreen #body { padding: 0 1; }
    """

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.per_question = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static(id="tables")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_tables()
        self.query_one("#body").focus()

    def refresh_tables(self) -> None:
        try:
            stats = collect_stats(self.app.store, self.catalog.packs)
        except StoreError as error:
            self.query_one("#tables", Static).update(_("The statistics could not be read: {error}").format(error=error))
            return
        self.query_one("#tables", Static).update(render_stats(stats, questions=self.per_question))

    def action_questions(self) -> None:
        self.per_question = not self.per_question
        self.refresh_tables()

    def action_back(self) -> None:
        self.app.pop_screen()
