"""The pack cache's payload: a load result as plain JSON data and back (question_bank.cache).

Free-form values keep their exact types through tags (tuple, map, date, datetime,
bytes); choices and plain tuples are stored flat, so reading a big pack back costs no
Python step per item. Kept apart from the cache's keys and entries because building
the model classes costs the start-up time: the home screen is drawn from the entries'
summaries, and this module is imported when a pack itself is first needed.
"""
from __future__ import annotations

import base64
import gc
from dataclasses import MISSING, fields
from datetime import date, datetime
from typing import Any, Callable

from question_bank.evidence import Claim
from question_bank.models import (EMPTY, CalculatedQuestion, CalculatedTranslation, Choice, FrozenMap, LiveLink,
                                  Pack, Question, TitleTranslation, Topic, Translation, ValueSpec)
from question_bank.problems import Problem
from question_bank.results import IdPlace, LoadResult

# Tags of the encoded values; every JSON list in a payload starts with one. A tuple of plain
# values and a tuple of choices (most of a pack) have tags of their own, read without a step per item.
_TUPLE, _PLAIN_TUPLE, _CHOICES, _MAP, _DATE, _DATETIME, _BYTES = "", "S", "C", "M", "D", "T", "B"
_CLASSES: dict[str, type] = {"pack": Pack, "topic": Topic, "q": Question, "c": Choice, "live": LiveLink,
                             "claim": Claim, "tr": Translation, "calc": CalculatedQuestion, "spec": ValueSpec,
                             "ctr": CalculatedTranslation, "problem": Problem, "ttr": TitleTranslation}
_TAGS = {cls: tag for tag, cls in _CLASSES.items()}
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in _CLASSES.values()}
# Fields left at their default at the end of an object are not written: most questions have
# no live blocks, translations or extras, and skipping them halves the work of reading.
_DEFAULTS = {cls: tuple(f.default for f in fields(cls)) for cls in _CLASSES.values()}
# A list of choices is stored flat, their leading plain fields one after the other, when the rest
# (the `x-` keys) are at their defaults: the fields up to the first whose default is not plain.
_CHOICE_WIDTH = next(i for i, d in enumerate(_DEFAULTS[Choice]) if d is not MISSING and d.__class__ not in
                     (str, int, float, bool, type(None)))
_SCALARS = (str, int, float, bool, type(None))


class Corrupt(Exception):
    """An entry that does not decode: it is removed and the pack is loaded from its files."""


def encode_entry(loaded: tuple[LoadResult, IdPlace]) -> list[Any]:
    """The payload of a load result; TypeError for a value JSON cannot hold faithfully."""
    result, id_place = loaded
    return [_encode(result.pack), [_encode(p) for p in result.problems], list(id_place)]


def _encode(value: Any) -> Any:
    kind = value.__class__
    if kind in _SCALARS:
        return value
    if kind is tuple:
        if value and all(item.__class__ is Choice for item in value):
            lead, rest = _FIELDS[Choice][:_CHOICE_WIDTH], _FIELDS[Choice][_CHOICE_WIDTH:]
            plain = [getattr(choice, name) for choice in value for name in lead]
            if all(item.__class__ in _SCALARS for item in plain) and all(
                    getattr(choice, name) == default for choice in value
                    for name, default in zip(rest, _DEFAULTS[Choice][_CHOICE_WIDTH:])):
                return [_CHOICES, *plain]
        if all(item.__class__ in _SCALARS for item in value):
            return [_PLAIN_TUPLE, *value]
        return [_TUPLE, *map(_encode, value)]
    if kind is FrozenMap:
        out: list[Any] = [_MAP]
        for name, item in value.items():
            if name.__class__ is not str:
                raise TypeError("a map key that is not text")
            out += (name, _encode(item))
        return out
    if kind in _TAGS:
        values = [getattr(value, name) for name in _FIELDS[kind]]
        defaults = _DEFAULTS[kind]
        while values and values[-1].__class__ is defaults[len(values) - 1].__class__ \
                and values[-1] == defaults[len(values) - 1]:
            values.pop()
        return [_TAGS[kind], *map(_encode, values)]
    if kind is datetime:
        return [_DATETIME, value.isoformat()]
    if kind is date:
        return [_DATE, value.isoformat()]
    if kind is bytes:
        return [_BYTES, base64.b64encode(value).decode()]
    raise TypeError(f"cannot cache a {kind.__name__}")


def _decoded(items: list[Any]) -> list[Any]:
    return [v if v.__class__ is not list else _DECODERS[v[0]](v) for v in items]


def _tuple(value: list[Any]) -> tuple[Any, ...]:
    return tuple(_decoded(value[1:])) if len(value) > 1 else ()


def _choices(value: list[Any]) -> tuple[Choice, ...]:
    if (len(value) - 1) % _CHOICE_WIDTH:
        raise Corrupt("a broken list of choices")
    return tuple(map(Choice, *(value[1 + i::_CHOICE_WIDTH] for i in range(_CHOICE_WIDTH))))


def _map(value: list[Any]) -> FrozenMap[str, Any]:
    if len(value) == 1:
        return EMPTY
    names = value[1::2]
    if len(names) != len(value) // 2 or any(name.__class__ is not str for name in names):
        raise Corrupt("a broken map")
    return FrozenMap(zip(names, _decoded(value[2::2])))


def _maker(cls: type) -> Callable[[list[Any]], Any]:
    most = len(_FIELDS[cls]) + 1

    def make(value: list[Any]) -> Any:
        if len(value) > most:
            raise Corrupt(f"a {cls.__name__} with {len(value) - 1} fields")
        return cls(*_decoded(value[1:]))
    return make


# The reader of each tag; an unknown tag is a KeyError, which makes the entry corrupt.
_DECODERS: dict[str, Callable[[list[Any]], Any]] = {
    _TUPLE: _tuple, _PLAIN_TUPLE: lambda value: tuple(value[1:]), _CHOICES: _choices, _MAP: _map,
    _DATE: lambda value: date.fromisoformat(value[1]),
    _DATETIME: lambda value: datetime.fromisoformat(value[1]),
    _BYTES: lambda value: base64.b64decode(value[1], validate=True),
    **{tag: _maker(cls) for tag, cls in _CLASSES.items()},
}


def decode_entry(payload: Any) -> tuple[LoadResult, IdPlace]:
    """The load result a payload holds; Corrupt (or another error) when it holds anything else."""
    pack_data, problems, id_place = payload
    # Tens of thousands of objects and no cycles among them: a collection while building them only costs time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        pack = None if pack_data is None else _decoded([pack_data])[0]
        decoded = tuple(_decoded(problems))
    finally:
        if collecting:
            gc.enable()
    if (pack is not None and not isinstance(pack, Pack)) or not all(isinstance(p, Problem) for p in decoded):
        raise Corrupt("not a pack and its problems")
    where, line, col = id_place
    return LoadResult(pack, decoded), (str(where), int(line), int(col))
