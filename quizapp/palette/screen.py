"""Textual's command palette with its own texts in the interface language."""
from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from quizapp.i18n import _


class Palette(CommandPalette):
    def __init__(self) -> None:
        super().__init__(placeholder=_("Search for commands…"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's (8.2), with the "no matches" line translated: it is written inside that method."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("No matching command"), style="not bold")), disabled=True,
                    id=self._NO_MATCHES))
                self._list_visible = True
            else:  # discovery with nothing to discover: no list at all
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
