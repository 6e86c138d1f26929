"""Evidence in `live` blocks: captions filled from a probe's result, and claims checked against it.

A **path** points into a probe's JSON result: dotted keys and `[index]`
(negative counts from the end), e.g. `stages[2].mean_reward_score`. A
**caption** is text with `{path}` or `{path:spec}` fields; `{{` and `}}` are
literal braces. A **claim** says what must hold at a path.

Nothing here is evaluated: paths are parsed by a small grammar (no attribute
access, calls or arithmetic), and a format spec is accepted only inside the
documented limits (width ≤ 40, precision ≤ 12, types d f e g % or none)
before Python's `format` ever sees it, so a pack cannot make formatting
allocate without bound.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from engine.texts import N_, _, ngettext
from question_bank.numbers import format_number

Path = tuple[str | int, ...]

MAX_PATH_LENGTH = 200
MAX_WIDTH = 40
MAX_PRECISION = 12
MAX_CAPTION_FIELDS = 50
DEFAULT_TOLERANCE = 1e-3
OPERATORS = ("equals", "close_to", "at_least", "at_most", "between")

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INDEX = re.compile(r"\[(-?\d{1,6})\]")
_SPEC = re.compile(r"(?:(?P<fill>[^{}])?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<width>\d{1,3})?(?P<comma>,)?"
                   r"(?:\.(?P<precision>\d{1,3}))?(?P<type>[dfeg%])?")


class EvidenceError(ValueError):
    """A path, format spec or caption that cannot be used; the message says why.

    `source` is the piece of the caption it is about (e.g. "{weights:.2f}"), so the
    validator can point at it."""

    def __init__(self, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


@dataclass(frozen=True)
class Claim:
    """What must hold at `at` in a probe's result: one operator and its operand."""

    at: str
    op: str  # one of OPERATORS
    value: Any  # a number, text or bool; for `between` a (low, high) pair
    tolerance: float = DEFAULT_TOLERANCE  # for close_to


@dataclass(frozen=True)
class Field:
    path: Path
    text: str  # the path as written, for messages
    spec: str  # "" when none
    source: str = ""  # the whole field as written, braces included


# --- paths ---

def parse_path(text: str) -> Path:
    """`a.b[0].c[-1]` → ("a", "b", 0, "c", -1); EvidenceError when it is not that shape."""
    if not text or len(text) > MAX_PATH_LENGTH:
        raise EvidenceError(_("'{text}' is not a path like 'probabilities[0]' or 'stages[2].mean'").format(
            text=text[:40]))
    parts: list[str | int] = []
    pos = 0
    expect_key = True
    while pos < len(text):
        if expect_key:
            m = _KEY.match(text, pos)
            if not m:
                break
            parts.append(m.group())
            pos = m.end()
            expect_key = False
        elif text[pos] == ".":
            pos += 1
            expect_key = True
        else:
            m = _INDEX.match(text, pos)
            if not m:
                break
            parts.append(int(m.group(1)))
            pos = m.end()
    if pos != len(text) or expect_key:
        raise EvidenceError(_("'{text}' is not a path like 'probabilities[0]' or 'stages[2].mean' (keys joined by "
                              "dots, list positions in brackets)").format(text=text))
    return tuple(parts)


def resolve(result: Any, path: Path, text: str | None = None) -> Any:
    """The value at `path` in a probe result; EvidenceError naming what is there instead."""
    shown = text or show_path(path)
    value = result
    for depth, part in enumerate(path):
        where = show_path(path[:depth]) or _("the result")
        if isinstance(part, str):
            if not isinstance(value, Mapping):
                raise EvidenceError(_("'{path}': {where} is not a mapping, so it has no key '{key}'").format(
                    path=shown, where=where, key=part))
            if part not in value:
                keys = ", ".join(sorted(map(str, value))[:12])
                raise EvidenceError(_("'{path}': {where} has no key '{key}' (it has: {keys})").format(
                    path=shown, where=where, key=part, keys=keys))
            value = value[part]
        else:
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise EvidenceError(_("'{path}': {where} is not a list, so it has no position [{index}]").format(
                    path=shown, where=where, index=part))
            if not -len(value) <= part < len(value):
                raise EvidenceError(ngettext("'{path}': {where} has {n} entry, so there is no [{index}]",
                                             "'{path}': {where} has {n} entries, so there is no [{index}]",
                                             len(value)).format(path=shown, where=where, n=len(value), index=part))
            value = value[part]
    return value


def show_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# --- format specs and captions ---

def check_spec(spec: str) -> None:
    """EvidenceError unless `spec` is inside the documented limits."""
    m = _SPEC.fullmatch(spec)
    if not m:
        raise EvidenceError(_("format spec '{spec}' is not allowed: use fill/align, sign, ',', width, .precision "
                              "and one of the types d f e g % (e.g. '.2f', '+.3f', '>8,d')").format(spec=spec))
    if m.group("width") and int(m.group("width")) > MAX_WIDTH:
        raise EvidenceError(_("format spec '{spec}': width {n} is over the limit of {limit}").format(
            spec=spec, n=int(m.group("width")), limit=MAX_WIDTH))
    if m.group("precision") and int(m.group("precision")) > MAX_PRECISION:
        raise EvidenceError(_("format spec '{spec}': precision {n} is over the limit of {limit}").format(
            spec=spec, n=int(m.group("precision")), limit=MAX_PRECISION))


def parse_caption(text: str) -> tuple[str | Field, ...]:
    """Literal text and fields, in order; EvidenceError for a bad brace, path or spec."""
    parts: list[str | Field] = []
    literal = ""
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if text.startswith("{{", pos) or text.startswith("}}", pos):
            literal += ch
            pos += 2
        elif ch == "}":
            raise EvidenceError(_("a lone '}}' at character {n}: write '}}}}' for a literal brace").format(n=pos + 1))
        elif ch == "{":
            end = text.find("}", pos)
            if end < 0:
                raise EvidenceError(_("the field at character {n} has no closing '}}'").format(n=pos + 1),
                                    text[pos:pos + 20])
            inner = text[pos + 1:end]
            path_text, _colon, spec = inner.partition(":")
            try:
                path = parse_path(path_text.strip())
                check_spec(spec)
            except EvidenceError as exc:
                raise EvidenceError(str(exc), text[pos:end + 1]) from None
            if literal:
                parts.append(literal)
                literal = ""
            parts.append(Field(path, path_text.strip(), spec, text[pos:end + 1]))
            pos = end + 1
        else:
            literal += ch
            pos += 1
    if literal:
        parts.append(literal)
    if sum(isinstance(p, Field) for p in parts) > MAX_CAPTION_FIELDS:
        raise EvidenceError(_("a caption may have at most {n} fields").format(n=MAX_CAPTION_FIELDS))
    return tuple(parts)


def caption_paths(text: str) -> tuple[Field, ...]:
    return tuple(p for p in parse_caption(text) if isinstance(p, Field))


def format_value(value: Any, spec: str, lang: str | None = None) -> str:
    """One field's text, numbers in the style of `lang`; EvidenceError when the value does not fit the spec."""
    if spec:
        kind = spec[-1] if spec[-1] in "dfeg%" else ""
        if kind and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise EvidenceError(_("'{spec}' formats numbers, but the value is {value}").format(
                spec=spec, value=_describe(value)))
        if kind == "d" and isinstance(value, float):
            if not value.is_integer():
                raise EvidenceError(_("'{spec}' formats whole numbers, but the value is {value}").format(
                    spec=spec, value=repr(value)))
            value = int(value)
        if isinstance(value, float) and not math.isfinite(value):
            return "∞" if value > 0 else ("−∞" if value < 0 else "NaN")
        return format_number(value, spec, lang)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        return format_number(value, "", lang)
    elif isinstance(value, str):
        text = value
    else:
        raise EvidenceError(_("a caption field must be a number or text, but the value is {value} (point at one "
                              "entry, e.g. 'weights[0]')").format(value=_describe(value)))
    return text


def render_caption(text: str, result: Any, lang: str | None = None) -> str:
    """The caption with every field filled in from the result, numbers in the style of `lang`."""
    out = []
    for part in parse_caption(text):
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(format_value(resolve(result, part.path, part.text), part.spec, lang))
    return "".join(out)


# --- claims ---

def check_claim(claim: Claim, result: Any) -> str | None:
    """None when the claim holds, else what was found (for 'expects ..., got ...')."""
    value = resolve(result, parse_path(claim.at), claim.at)
    if claim.op == "equals":
        if isinstance(claim.value, bool) or isinstance(value, bool):
            ok = type(value) is type(claim.value) and value == claim.value
        elif _is_number(claim.value) and _is_number(value):
            ok = value == claim.value
        else:
            ok = value == claim.value
        return None if ok else _("got {value}").format(value=_show(value))
    if not _is_number(value):
        return _("got {value}, not a number").format(value=_describe(value))
    if claim.op == "close_to":
        ok = abs(value - claim.value) <= claim.tolerance
    elif claim.op == "at_least":
        ok = value >= claim.value
    elif claim.op == "at_most":
        ok = value <= claim.value
    else:  # between
        low, high = claim.value
        ok = low <= value <= high
    return None if ok else _("got {value}").format(value=_show(value))


def describe_claim(claim: Claim) -> str:
    if claim.op == "between":
        return _("{at} between {low} and {high}").format(at=claim.at, low=_show(claim.value[0]),
                                                         high=_show(claim.value[1]))
    if claim.op == "close_to":
        return _("{at} close to {value} (± {tolerance})").format(at=claim.at, value=_show(claim.value),
                                                                  tolerance=_show(claim.tolerance))
    phrases = {"equals": N_("{at} equals {value}"), "at_least": N_("{at} at least {value}"),
               "at_most": N_("{at} at most {value}")}
    return _(phrases[claim.op]).format(at=claim.at, value=_show(claim.value))


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _show(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, str):
        return repr(x)
    return str(x).lower() if isinstance(x, bool) else str(x)


def _describe(x: Any) -> str:
    if isinstance(x, Mapping):
        return _("a mapping")
    if isinstance(x, (list, tuple)):
        return ngettext("a list of {n}", "a list of {n}", len(x)).format(n=len(x))
    if x is None:
        return _("empty (null)")
    return _show(x)
