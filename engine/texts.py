"""The engine's texts in the user's language.

The engine writes its messages in English and marks them with `_()`, `N_()` or
`ngettext()` like the app does. On its own it speaks English; the app hands it the
catalogue of the language it has chosen (`use_catalogue`), so `quizapp engine`, probe
errors and the validator's messages follow `--lang` without the engine knowing
where catalogues live. Probe *results* stay untranslated data (pack claims compare
them); they are translated where they are shown.
"""
from __future__ import annotations

from typing import Any

_catalogue: Any = None  # a gettext.GNUTranslations-like object, or None for English


def use_catalogue(catalogue: Any) -> None:
    """Translate from now on with `catalogue` (anything with gettext/ngettext), or not at all (None)."""
    global _catalogue
    _catalogue = catalogue


def N_(message: str) -> str:
    """Mark `message` for translation; translate it with _() where it is shown."""
    return message


def _(message: str) -> str:
    return message if _catalogue is None else _catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _catalogue is None:
        return singular if n == 1 else plural
    return _catalogue.ngettext(singular, plural, n)
