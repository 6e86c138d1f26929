"""A cache of loaded packs: a pack that has not changed is not parsed and checked again.

Loading a pack (YAML, then every check of the format) costs about 0.2 ms per
question; reading a cache entry costs a few µs per question. One entry per pack
(per path as given), a JSON file in the cache folder, holds the load result —
the pack or None, every problem, where the pack id is written — under a key:

- the path as given and as resolved (results quote the path as given);
- every file the loader reads (folder_files): name, size, mtime and the sha256 of
  its bytes. Hashing is ~100 times cheaper than parsing, and catches an edit that
  keeps size and mtime; a new or removed file changes the list;
- the app version, the entry format and a checksum of question_bank's own source,
  so a changed loader never serves results an older loader made;
- the language of the messages: problems are stored as the loader wrote them, in the
  interface language of that run, so each language has its own entry (switching back
  and forth costs no reload, and a German run never shows English diagnostics);
- for a pack that uses the engine (live blocks, with their captions and evidence
  claims; calculated questions; or a broken pack, which a probe name may break),
  engine.probes.engine_identity(): the probe code and the checkpoints' recorded
  sha256. A pack that names no probe survives a retrained engine.

The format is JSON of plain data, never pickle or marshal: an entry is a file that
anyone with access to the cache folder can replace, and reading JSON runs no code
whatever the file holds. A first line (the key, the payload's sha256 and length) is
read before the payload, so a stale entry costs no parsing; the checksum turns a
damaged payload into a miss. Any entry that cannot be read or decoded is removed
silently and the pack is loaded from its files (and cached again).

`quizapp validate` never uses this: it is the author's check and always reads the files.
"""
from __future__ import annotations

import base64
import gc
import hashlib
import json
import os
from dataclasses import MISSING, fields
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from question_bank.evidence import Claim
from question_bank.files import MAX_FILE_BYTES, YAML_SUFFIXES, folder_files, read_regular
from question_bank.models import (EMPTY, CalculatedQuestion, CalculatedTranslation, Choice, FrozenMap, LiveLink,
                                  Pack, Question, TitleTranslation, Topic, Translation, ValueSpec)
from question_bank.problems import Problem
from question_bank.results import IdPlace, LoadResult, unique_ids

FORMAT = 1  # of the entry files; a change of layout bumps it
MAX_ENTRIES = 200  # entries kept; the least recently written go first
MAX_HEADER = 1 << 20  # bytes of an entry's first line (a folder of some 5,000 files)
_SOURCE = Path(__file__).resolve().parent

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


class _Corrupt(Exception):
    """An entry that does not decode: it is removed and the pack is loaded from its files."""


@lru_cache(maxsize=1)
def code_identity() -> str:
    """A checksum of question_bank's modules: what decides a load result, besides the pack and the engine."""
    digest = hashlib.sha256()
    for path in sorted(_SOURCE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pack_files(path: Path) -> list[Path] | None:
    """The files the loader reads for this pack, or None when it is not a pack the cache can hold."""
    try:
        if path.is_dir():
            files = folder_files(path)
            return files if files[0].is_file() else None
        return [path] if path.suffix in YAML_SUFFIXES and path.is_file() else None
    except OSError:  # a folder that cannot be listed: the loader says why
        return None


class PackCache:
    """Load packs through entries in `folder`; `app_version` and `language` (of the messages) are part of every key.

    `engine_identity` is called (once) only when an entry of a pack that uses the engine
    is read or written; it defaults to engine.probes.engine_identity.
    """

    def __init__(self, folder: Path, app_version: str, engine_identity: Callable[[], str] | None = None,
                 language: str = "en") -> None:
        self.folder = folder
        self.app_version = app_version
        self.language = language
        self._engine_identity = engine_identity
        self._engine: str | None = None

    def engine(self) -> str:
        if self._engine is None:
            if self._engine_identity is None:
                from engine.probes import engine_identity
                self._engine_identity = engine_identity
            self._engine = self._engine_identity()
        return self._engine

    def load(self, path: Path) -> tuple[LoadResult, IdPlace]:
        """The pack's load result, from its entry when the key still matches, else from its files."""
        files = pack_files(path)
        key = self._key(path, files) if files is not None else None
        entry = self._entry_path(path)
        if key is not None:
            cached = self._read(entry, key)
            if cached is not None:
                return cached
        from question_bank.loader import load_one
        loaded = load_one(path)
        # Written only when the files did not change while they were read: the key must describe them.
        if key is not None and self._key(path, files) == key:
            self._write(entry, key, loaded)
        return loaded

    # --- keys and entries ---

    def _key(self, path: Path, files: list[Path]) -> dict[str, Any] | None:
        try:
            listed = []
            for file in files:
                stat = file.stat()
                data = read_regular(file, MAX_FILE_BYTES)  # never blocks on a FIFO, never reads past the limit
                if len(data) > MAX_FILE_BYTES:
                    return None  # the loader reports it; such a pack is not cached
                listed.append([file.name, stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest()])
            resolved = str(path.resolve())
        except OSError:
            return None  # unreadable or not a regular file: the loader says why, and nothing is cached
        return {"format": FORMAT, "app": self.app_version, "code": code_identity(), "language": self.language,
                "path": str(path),
                "resolved": resolved, "files": listed}

    def _entry_path(self, path: Path) -> Path:
        name = hashlib.sha256(f"{path}\0{os.path.abspath(path)}\0{self.language}".encode()).hexdigest()[:40]
        return self.folder / f"{name}.json"

    def _read(self, entry: Path, key: dict[str, Any]) -> tuple[LoadResult, IdPlace] | None:
        try:
            with entry.open("rb") as f:
                header = json.loads(f.readline(MAX_HEADER))
                if header.get("key") != key:
                    return None  # stale: rewritten after this load
                engine = header.get("engine")
                if engine is not None and engine != self.engine():
                    return None
                payload = f.read(int(header["length"]) + 1)
            if len(payload) != header["length"] or hashlib.sha256(payload).hexdigest() != header["sha256"]:
                raise _Corrupt("the payload does not match its checksum")
            return _decode_entry(json.loads(payload))
        except FileNotFoundError:
            return None
        except Exception:  # damaged in any way: drop it, the files are the truth
            _discard(entry)
            return None

    def _write(self, entry: Path, key: dict[str, Any], loaded: tuple[LoadResult, IdPlace]) -> None:
        result, id_place = loaded
        try:
            payload = json.dumps([_encode(result.pack), [_encode(p) for p in result.problems], list(id_place)],
                                 ensure_ascii=False, separators=(",", ":")).encode()
        except TypeError:
            return  # a value JSON cannot hold faithfully: this pack is simply not cached
        header = {"key": key, "engine": self.engine() if _uses_engine(result) else None,
                  "sha256": hashlib.sha256(payload).hexdigest(), "length": len(payload)}
        partial = entry.with_name(f".{entry.stem}.{os.getpid()}.part")  # the entry is complete or absent, never half
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(json.dumps(header).encode() + b"\n" + payload)
            os.replace(partial, entry)
            self._prune()
        except OSError:
            _discard(partial)
            return  # a read-only or full disk: the app works without the cache

    def _prune(self) -> None:
        entries = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:max(0, len(entries) - MAX_ENTRIES)]:
            _discard(old)


def _discard(entry: Path) -> None:
    try:
        entry.unlink(missing_ok=True)
    except OSError:
        pass


def load_packs_cached(paths: Iterable[Path], cache: PackCache) -> list[LoadResult]:
    """load_packs through the cache: the same results, the same check of ids across packs."""
    return unique_ids(cache.load(Path(path)) for path in paths)


def _uses_engine(result: LoadResult) -> bool:
    pack = result.pack
    return pack is None or any(q.live or q.type == "calculated" for q in pack.questions)


# --- plain data both ways ---

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
        raise _Corrupt("a broken list of choices")
    return tuple(map(Choice, *(value[1 + i::_CHOICE_WIDTH] for i in range(_CHOICE_WIDTH))))


def _map(value: list[Any]) -> FrozenMap[str, Any]:
    if len(value) == 1:
        return EMPTY
    names = value[1::2]
    if len(names) != len(value) // 2 or any(name.__class__ is not str for name in names):
        raise _Corrupt("a broken map")
    return FrozenMap(zip(names, _decoded(value[2::2])))


def _maker(cls: type) -> Callable[[list[Any]], Any]:
    most = len(_FIELDS[cls]) + 1

    def make(value: list[Any]) -> Any:
        if len(value) > most:
            raise _Corrupt(f"a {cls.__name__} with {len(value) - 1} fields")
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


def _decode_entry(payload: Any) -> tuple[LoadResult, IdPlace]:
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
        raise _Corrupt("not a pack and its problems")
    where, line, col = id_place
    return LoadResult(pack, decoded), (str(where), int(line), int(col))
