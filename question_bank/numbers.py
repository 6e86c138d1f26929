"""Numbers in the style of a language: 0.87 and 50,257 in English, 0,87 and 50.257 in German.

Python's format() always writes English numbers ("." before the decimals, "," or "_"
between groups of thousands); `localize_number` rewrites such a text for a language.
Only the two separators change, so every format spec keeps working ("{:.3f}", "{:,}",
"{:.1e}", "{:.0f} %").
"""
from __future__ import annotations

from typing import Any

# Languages whose decimal mark is a comma, and what they put between groups of thousands.
COMMA_DECIMAL: dict[str, str] = {
    "de": ".", "es": ".", "it": ".", "nl": ".", "pt": ".", "da": ".", "id": ".", "tr": ".",
    "fr": "\u202f", "sv": "\u202f", "fi": "\u202f", "nb": "\u202f", "cs": "\u202f", "pl": "\u202f",
    "ru": "\u202f", "uk": "\u202f",
}


def primary(lang: str | None) -> str:
    """"de" for "de", "de_DE.UTF-8" or "de-AT"; "" for None."""
    return (lang or "").replace("-", "_").split("_")[0].split(".")[0].lower()


def localize_number(text: str, lang: str | None) -> str:
    """An English-formatted number (or a text of them) with the separators of `lang`."""
    group = COMMA_DECIMAL.get(primary(lang))
    if group is None:
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", group).replace("_", group)


def format_number(value: Any, spec: str = "", lang: str | None = None) -> str:
    """format(value, spec) in the style of `lang`."""
    return localize_number(format(value, spec), lang)
