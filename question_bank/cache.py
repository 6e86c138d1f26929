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
  engine.identity.engine_identity(): the probe code and the checkpoints' recorded
  sha256. A pack that names no probe survives a retrained engine.

Besides the load result, an entry of a good pack holds its summary (question_bank.summary),
made from the pack when the entry was written: the home screen is drawn from it, and the pack's
objects are built when the pack is first needed (CachedPack), from bytes read and checked at start.

The format is JSON of plain data, never pickle or marshal: an entry is a file that
anyone with access to the cache folder can replace, and reading JSON runs no code
whatever the file holds. A first line (the key, the sha256 and length of the rest) is
read before the rest, so a stale entry costs no parsing; then a line with the summary
and where the pack id is written, then the payload (question_bank.entry_codec). The
checksum covers both, so a damaged summary or payload is a miss. Any entry that cannot be read or decoded is removed
silently and the pack is loaded from its files (and cached again).

`quizapp validate` never uses this: it is the author's check and always reads the files.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from question_bank.files import MAX_FILE_BYTES, YAML_SUFFIXES, folder_files, read_regular
from question_bank.summary import PackSummary, summarise

if TYPE_CHECKING:
    from question_bank.models import Pack
    from question_bank.results import IdPlace, LoadResult

FORMAT = 2  # of the entry files; a change of layout bumps it
MAX_ENTRIES = 200  # entries kept; the least recently written go first
MAX_HEADER = 1 << 20  # bytes of an entry's first line (a folder of some 5,000 files)
_SOURCE = Path(__file__).resolve().parent


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
    is read or written; it defaults to engine.identity.engine_identity.
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
                from engine.identity import engine_identity
                self._engine_identity = engine_identity
            self._engine = self._engine_identity()
        return self._engine

    def load_lazily(self, path: Path) -> tuple[CachedPack | LoadResult, IdPlace]:
        """The pack's load result, from its entry when the key still matches, else from its files; a good
        pack read from its entry is a CachedPack: its summary now, its objects later."""
        files = pack_files(path)
        key = self._key(path, files) if files is not None else None
        entry = self._entry_path(path)
        if key is not None:
            cached = self._read(entry, key, path)
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

    def _read(self, entry: Path, key: dict[str, Any], path: Path) -> tuple[CachedPack | LoadResult, IdPlace] | None:
        try:
            with entry.open("rb") as f:
                header = json.loads(f.readline(MAX_HEADER))
                if header.get("key") != key:
                    return None  # stale: rewritten after this load
                engine = header.get("engine")
                if engine is not None and engine != self.engine():
                    return None
                body = f.read(int(header["length"]) + 1)
            # The checksum covers the summary as well as the payload: a summary never outlives its pack.
            if len(body) != header["length"] or hashlib.sha256(body).hexdigest() != header["sha256"]:
                _discard(entry)
                return None
            split = int(header["summary"])
            summary_data, (where, line, col) = json.loads(body[:split])
            id_place = (str(where), int(line), int(col))
            if summary_data is None:  # a broken pack: its problems are read now (they are shown at once)
                from question_bank.entry_codec import decode_entry
                return decode_entry(json.loads(body[split:]))[0], id_place
            return CachedPack(PackSummary.from_data(summary_data), body[split:], entry, path), id_place
        except FileNotFoundError:
            return None
        except Exception:  # damaged in any way: drop it, the files are the truth
            _discard(entry)
            return None

    def _write(self, entry: Path, key: dict[str, Any], loaded: tuple[LoadResult, IdPlace]) -> None:
        from question_bank.entry_codec import encode_entry
        result, id_place = loaded
        good = result.pack is not None and not result.errors
        try:
            payload = json.dumps(encode_entry(loaded), ensure_ascii=False, separators=(",", ":")).encode()
        except TypeError:
            return  # a value JSON cannot hold faithfully: this pack is simply not cached
        summary = json.dumps([summarise(result.pack).to_data() if good else None, list(id_place)],
                             ensure_ascii=False, separators=(",", ":")).encode()
        body = summary + payload
        header = {"key": key, "engine": self.engine() if _uses_engine(result) else None,
                  "sha256": hashlib.sha256(body).hexdigest(), "length": len(body), "summary": len(summary)}
        partial = entry.with_name(f".{entry.stem}.{os.getpid()}.part")  # the entry is complete or absent, never half
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(json.dumps(header).encode() + b"\n" + body)
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


class Unlisted(Exception):
    """A crafted entry's payload did not decode, and the pack's files changed since the start: no pack
    matches what the home screen listed (quizapp's crash report names it; a new start reads the files)."""


class CachedPack:
    """A good pack read from its cache entry: `summary` at once, the pack's objects when first asked for.

    The entry's bytes were read and checked against its checksum at start, so a later change
    of the files or of the entry does not matter: the pack is the one the summary describes.
    """

    def __init__(self, summary: PackSummary, payload: bytes, entry: Path, path: Path) -> None:
        self.summary = summary
        self._payload: bytes | None = payload
        self._entry, self._path = entry, path
        self._result: LoadResult | None = None
        self._lock = threading.Lock()  # built once, whichever thread asks first

    @property
    def built(self) -> bool:
        return self._result is not None

    def pack(self) -> Pack:
        pack = self.result().pack
        assert pack is not None  # a CachedPack is made for good packs only
        return pack

    def result(self) -> LoadResult:
        with self._lock:
            if self._result is None:
                self._result = self._decode()
                self._payload = None
            return self._result

    def _decode(self) -> LoadResult:
        from question_bank.entry_codec import decode_entry
        try:
            result = decode_entry(json.loads(self._payload or b""))[0]
            if result.pack is not None and summarise(result.pack) == self.summary:
                return result
        except Exception:  # a payload that matched its checksum but is no pack: a crafted entry
            pass
        _discard(self._entry)
        from question_bank.loader import load_one
        result = load_one(self._path)[0]
        if result.pack is None or summarise(result.pack) != self.summary:
            raise Unlisted(str(self._path))
        return result


def load_packs_lazily(paths: Iterable[Path], cache: PackCache) -> list[CachedPack | LoadResult]:
    """load_packs through the cache: the same results and the same check of ids across packs, except that
    every good pack read from its entry is left a CachedPack."""
    owners: dict[str, str] = {}  # pack id -> path of the pack that has it (unique_ids' rule)
    results: list[CachedPack | LoadResult] = []
    for path in paths:
        got, id_place = cache.load_lazily(Path(path))
        if isinstance(got, CachedPack) and got.summary.id not in owners:
            owners[got.summary.id] = got.summary.path
            results.append(got)
        else:  # loaded from its files, broken, or its id is taken: the rule as load_packs applies it
            from question_bank.results import unique_ids
            results += unique_ids([(got.result() if isinstance(got, CachedPack) else got, id_place)], owners)
    return results


def _uses_engine(result: LoadResult) -> bool:
    pack = result.pack
    return pack is None or any(q.live or q.type == "calculated" for q in pack.questions)
