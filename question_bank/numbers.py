"""Numbers as people write them: rounded half away from zero, in the style of a language.

Rounding. Python's `format(0.6875, ".3f")` rounds the binary value half to even, and a
computed 0.6874999999999999 (float noise for 0.6875) even shows as "0.687". A learner
who works out 0.6875 by hand writes 0.688. So `format_number` first

1. reads the float as the decimal it stands for: its shortest repr, rounded to
   SIGNIFICANT digits, which removes the noise of a few float operations;
2. rounds that decimal half away from zero (Decimal's ROUND_HALF_UP) to the places the
   spec shows: decimals for `f` and `%`, significant digits for `e` and `g`;
3. formats the rounded value with the spec as usual, so fill, sign, width and grouping
   behave exactly as in `format`.

Other specs (none, `d`, `n`, ...), integers, booleans and values that are not finite are
formatted unchanged.

Language. Python's format() always writes English numbers ("." before the decimals, ","
or "_" between groups of thousands); `localize_number` rewrites such a text for a
language: 0.87 and 50,257 in English, 0,87 and 50.257 in German. Only the two separators
change, so every format spec keeps working ("{:.3f}", "{:,}", "{:.1e}", "{:.0f} %").
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

SIGNIFICANT = 12
"""Digits kept when a float is read as a decimal; doubles carry about 15.9, arithmetic noise sits beyond."""

# Languages whose decimal mark is a comma, and what they put between groups of thousands.
COMMA_DECIMAL: dict[str, str] = {
    "de": ".", "es": ".", "it": ".", "nl": ".", "pt": ".", "da": ".", "id": ".", "tr": ".",
    "fr": "\u202f", "sv": "\u202f", "fi": "\u202f", "nb": "\u202f", "cs": "\u202f", "pl": "\u202f",
    "ru": "\u202f", "uk": "\u202f",
}

_PRECISION_TYPE = re.compile(r"(?:\.(?P<precision>\d+))?(?P<type>[eEfFgG%])$")


def primary(lang: str | None) -> str:
    """"de" for "de", "de_DE.UTF-8" or "de-AT"; "" for None."""
    return (lang or "").replace("-", "_").split("_")[0].split(".")[0].lower()


def localize_number(text: str, lang: str | None) -> str:
    """An English-formatted number (or a text of them) with the separators of `lang`."""
    group = COMMA_DECIMAL.get(primary(lang))
    if group is None:
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", group).replace("_", group)


def as_decimal(value: float) -> Decimal:
    """The decimal a float stands for: 0.6874999999999999 → 0.6875, 2.675 → 2.675."""
    exact = Decimal(repr(float(value)))
    if exact.is_zero():
        return exact
    places = Decimal(1).scaleb(exact.adjusted() - SIGNIFICANT + 1)
    return exact.quantize(places, rounding=ROUND_HALF_EVEN).normalize()


def round_half_up(value: Any, spec: str) -> Any:
    """`value` rounded half away from zero to what `spec` shows; `value` itself for other specs and values."""
    m = _PRECISION_TYPE.search(spec)
    if m is None or isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return value
    kind = m.group("type")
    precision = 6 if m.group("precision") is None else int(m.group("precision"))
    d = as_decimal(value)
    if d.is_zero():
        return float(value)
    try:
        if kind in "fF":
            rounded = d.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        elif kind == "%":
            rounded = (d * 100).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP) / 100
        else:  # e, E: precision digits after the first; g, G: precision significant digits (at least 1)
            digits = precision + 1 if kind in "eE" else max(precision, 1)
            rounded = d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than Decimal's context holds: nothing to round
        return value
    return math.copysign(float(rounded), value)


def format_number(value: Any, spec: str = "", lang: str | None = None) -> str:
    """format(value, spec), rounded half away from zero on the decimal value, in the style of `lang`."""
    return localize_number(format(round_half_up(value, spec), spec), lang)
