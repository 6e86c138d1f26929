"""The interface language: every string the app shows goes through `_()` (or `ngettext`).

    from quizapp.i18n import _, N_, ngettext, num
    _("Practice")                         → "Üben" in German
    ngettext("{n} topic", "{n} topics", n).format(n=n)
    N_("Practice")                        → marks a text for translation without translating it
                                            now (class attributes; translate with _() when shown)
    num(0.873, ".2f")                     → "0.87", or "0,87" in German

English is the source language: its texts are the msgids, so English needs no
catalogue and costs nothing at start-up. Other languages read `locale/LANG.po`
(see quizapp.po) the first time they are used; the same catalogue holds the
texts of question_bank and engine: `_()` and its kin live in `engine.texts`, at the
bottom, and this module hands them the catalogue. The language is process-wide:
the CLI sets it from --lang, the saved setting or the system locale
(`choose_language`), and the app switches it with `t`.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.texts import N_, _, ngettext, use_catalogue  # noqa: F401  (re-exported: the app imports them from here)
from question_bank.numbers import format_number, primary

SOURCE = "en"
LANGUAGES = ("en", "de")  # interface languages: English and those with a catalogue, in `t` order
LOCALE_DIR = Path(__file__).parent / "locale"

_language = SOURCE
_loaded: dict[str, Any] = {}


def language() -> str:
    """The interface language's code: "en", "de", or another code given with --lang."""
    return _language


def set_language(code: str | None) -> str:
    """Switch the interface to `code` ("de", "de_DE.UTF-8", …); English when there is no catalogue."""
    global _language
    lang = primary(code) or SOURCE
    _language = lang
    # One catalogue for all three packages (none for English), and for the engine's drawings the numbers
    # of the app: the language's separators and the same half-up rounding in every language.
    use_catalogue(None if lang == SOURCE else _catalogue_for(lang), num)
    return lang


def _catalogue_for(lang: str) -> Any:
    if lang not in _loaded:
        path = LOCALE_DIR / f"{lang}.po"
        if path.is_file():
            from quizapp.locations import cache_dir
            from quizapp.po import load_translations

            _loaded[lang] = load_translations(path, cache_dir() / "locale")
        else:
            _loaded[lang] = None
    return _loaded[lang]


def num(value: Any, spec: str = "") -> str:
    """A number formatted with `spec`, in the interface language's style (0,87 in German)."""
    return format_number(value, spec, _language)


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Texts in `code` inside the block (machine-readable output in English), the language as it was after it."""
    before = _language
    set_language(code)
    try:
        yield
    finally:
        set_language(before)


def shown_title(item: Any) -> str:
    """A pack's or a topic's title in the interface language: its `translations` entry, else its own title."""
    return item.title_in(_language)


def percent(value: float, digits: int = 0) -> str:
    """A percentage with its sign: "87 %" (a narrow space, as both languages write it)."""
    return f"{num(value, f'.{digits}f')}\u00a0%"


def system_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language of the system locale, in gettext's order: LANGUAGE, LC_ALL, LC_MESSAGES, LANG."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").split(":")[0]
        lang = primary(value)
        if lang and lang not in ("c", "posix"):
            return lang
    return None


def choose_language(asked: str | None, saved: Any = None, environ: Mapping[str, str] | None = None) -> str:
    """--lang, else the saved setting, else the system locale, else English."""
    for candidate in (asked, saved if isinstance(saved, str) else None, system_language(environ)):
        if candidate and primary(candidate):
            return primary(candidate)
    return SOURCE


def next_language(current: str) -> str:
    """The language `t` switches to: the next of LANGUAGES (English after any other)."""
    if current not in LANGUAGES:
        return SOURCE
    return LANGUAGES[(LANGUAGES.index(current) + 1) % len(LANGUAGES)]


def language_name(code: str) -> str:
    names = {"en": N_("English"), "de": N_("German")}
    return _(names[code]) if code in names else code.upper()
