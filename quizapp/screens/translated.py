"""Footer key hints in the interface language.

Bindings are class attributes, written once in English (marked with N_); the footer
asks the screen for its active bindings every time it draws, and this mixin hands
them over with their descriptions translated, so `t` changes the footer at once.
"""
from __future__ import annotations

from dataclasses import replace

from textual.screen import Screen

from quizapp.i18n import _


class TranslatedBindings(Screen):
    @property
    def active_bindings(self):  # type: ignore[override]
        bindings = super().active_bindings
        return {key: active._replace(binding=_translated(active.binding)) for key, active in bindings.items()}


def _translated(binding):
    """The binding with its description (and a key_display that is a word, such as "y") translated."""
    display = binding.key_display
    return replace(binding, description=_(binding.description), key_display=_(display) if display else display)
