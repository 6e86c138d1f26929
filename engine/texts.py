"""The engine's texts in the user's language.

The engine writes its messages in English and marks them with `_()`, `N_()` or
`ngettext()` like the app does. On its own it speaks English; the app hands it the
catalogue of the language it has chosen (`use_catalogue`), so `quizapp engine`, probe
errors and the validator's messages follow `--lang` without the engine knowing
where catalogues live. Probe *results* stay untranslated data (pack claims compare
them); they are translated where they are shown. `num()` writes a number for people
in the language's style (0,87 in German) with the formatter the app hands over with
the catalogue; on its own it is Python's format().
"""
from __future__ import annotations

from typing import Any, Callable

_catalogue: Any = None  # a gettext.GNUTranslations-like object, or None for English
_number: Callable[[Any, str], str] | None = None  # (value, format spec) → text, or None for format()


def use_catalogue(catalogue: Any, number: Callable[[Any, str], str] | None = None) -> None:
    """Translate from now on with `catalogue` (anything with gettext/ngettext), or not at all (None),
    and write numbers with `number(value, spec)`, or with format() (None)."""
    global _catalogue, _number
    _catalogue = catalogue
    _number = number


def num(value: Any, spec: str = "") -> str:
    """`value` formatted with `spec` for a person to read: "0.87", or "0,87" in German."""
    return format(value, spec) if _number is None else _number(value, spec)


def N_(message: str) -> str:
    """Mark `message` for translation; translate it with _() where it is shown."""
    return message


def _(message: str) -> str:
    return message if _catalogue is None else _catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _catalogue is None:
        return singular if n == 1 else plural
    return _catalogue.ngettext(singular, plural, n)
