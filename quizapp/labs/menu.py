"""The labs menu: every lab, opened freely with its own example input."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from quizapp.labs.catalog import LABS, open_lab
from quizapp.i18n import N_, _
from quizapp.screens.translated import TranslatedBindings
from quizapp.widgets.footer import KeyFooter


class LabsMenuScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "menu.tcss"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), priority=True),
        Binding("1", "open_number(0)", N_("Open lab"), key_display=f"enter/1–{len(LABS)}"),
        *[Binding(str(i + 1), f"open_number({i})", N_("Open"), show=False) for i in range(1, len(LABS))],
    ]

    def compose(self) -> ComposeResult:
        yield Static(Text(" " + _("Labs: real numbers from the bundled small transformer and PPO engine"), style="bold"),
                     id="menu-title")
        yield OptionList(*[Option(self._label(i, info), id=info.key) for i, info in enumerate(LABS)], id="labs")
        yield Static(_("Every lab computes live: type your own text, move the cursor, change the settings. "
                       "Esc returns here."), id="menu-help")
        yield KeyFooter()

    @staticmethod
    def _label(i: int, info) -> Text:
        text = Text(f"{i + 1}  ", style="bold")
        text.append(_(info.title), style="bold")
        text.append(f"\n   {_(info.summary)}", style="dim")
        return text

    def on_mount(self) -> None:
        labs = self.query_one("#labs", OptionList)
        labs.highlighted = 0
        labs.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(open_lab(event.option.id))

    def action_open_number(self, index: int) -> None:
        self.app.push_screen(open_lab(LABS[index].key))

    def action_back(self) -> None:
        self.dismiss()
