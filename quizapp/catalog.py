"""The packs a run offers: bundled, from the user's pack folder and from --pack, good and broken."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from question_bank.cache import CachedPack, PackCache, load_packs_lazily
from question_bank.files import PACK_FILE, YAML_SUFFIXES, bundled_pack_paths
from question_bank.summary import PackSummary, summarise
from quizapp import i18n
from quizapp.i18n import _

if TYPE_CHECKING:
    from question_bank.models import Pack
    from question_bank.results import LoadResult
    from quizapp.broken_pack import BrokenPack


class Catalog:
    """The good packs, the broken ones (with their first error) and the ids given with --pack, in order.

    A good pack may be a question_bank.cache.CachedPack: `summaries` (what the home screen
    shows) are at hand at once, and a pack's objects are built when `pack(id)` or `packs`
    first asks for them, so the first screen is drawn before any question object is built.
    """

    def __init__(self, packs: Iterable[Pack | CachedPack], broken: Iterable[BrokenPack],
                 requested: Iterable[str]) -> None:
        self._sources = tuple(packs)
        self.broken: tuple[BrokenPack, ...] = tuple(broken)
        self.requested: tuple[str, ...] = tuple(requested)
        self.summaries: tuple[PackSummary, ...] = tuple(
            p.summary if isinstance(p, CachedPack) else summarise(p) for p in self._sources)

    @property
    def packs(self) -> tuple[Pack, ...]:
        """Every good pack, built."""
        return tuple(_built(p) for p in self._sources)

    def pack(self, pack_id: str) -> Pack | None:
        return next((_built(p) for p, s in zip(self._sources, self.summaries) if s.id == pack_id), None)

    def summary(self, pack_id: str) -> PackSummary | None:
        return next((s for s in self.summaries if s.id == pack_id), None)

    def largest_id(self) -> str | None:
        """The pack with the most questions (the course, not the format tour), chosen without building any."""
        largest = max(self.summaries, key=lambda s: s.question_count, default=None)
        return largest.id if largest else None

    def first_id(self) -> str | None:
        """The pack a session starts on: the first given with --pack, else the largest."""
        return self.requested[0] if self.requested else self.largest_id()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalog) and (self.packs, self.broken, self.requested) == (
            other.packs, other.broken, other.requested)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Catalog({[s.id for s in self.summaries]!r}, {self.broken!r}, {self.requested!r})"


def _built(source: Pack | CachedPack) -> Pack:
    return source.pack() if isinstance(source, CachedPack) else source


def missing_pack_error(prog: str, paths: list[Path]) -> str | None:
    """The one-line error for --pack paths that do not exist, or None when all do."""
    missing = [str(p) for p in paths if not p.exists()]
    if not missing:
        return None
    return _("{prog}: error: no such pack file or folder: {paths}").format(prog=prog, paths=", ".join(missing))


def user_pack_paths(folder: Path) -> list[Path]:
    """Pack folders and every *.yaml/*.yml entry that is not a folder (a FIFO or a device is then
    named as broken by the loader, never opened for good)."""
    try:
        entries = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return []
    return [p for p in entries
            if (p.is_dir() and os.path.lexists(p / PACK_FILE)) or (p.suffix in YAML_SUFFIXES and not p.is_dir())]


def load_catalog(extra: list[Path], user_folder: Path | None, cache_folder: Path | None = None) -> Catalog:
    """Load every pack; a broken one is kept aside with its first error and never stops the others.

    With `cache_folder`, packs that have not changed come from the pack cache
    (question_bank.cache) instead of being parsed again.
    """
    paths = [Path(str(p)) for p in bundled_pack_paths()]
    if user_folder is not None:
        paths += user_pack_paths(user_folder)
    where = {os.path.realpath(p): i for i, p in enumerate(paths)}
    asked = []  # the index of each --pack; a bundled or user pack named by its path is not loaded twice
    for path in extra:
        asked.append(where.setdefault(os.path.realpath(path), len(paths)))
        if asked[-1] == len(paths):
            paths.append(path)
    results: list[CachedPack | LoadResult]
    if cache_folder is None:
        from question_bank.loader import load_packs
        results = list(load_packs(paths))
    else:
        from quizapp import __version__
        results = load_packs_lazily(paths, PackCache(cache_folder, __version__, language=i18n.language()))
    good: dict[int, Pack | CachedPack] = {}
    broken = []
    for i, result in enumerate(results):
        if isinstance(result, CachedPack):
            good[i] = result
        elif result.pack is not None and not result.errors:
            good[i] = result.pack
        else:
            from quizapp.broken_pack import BrokenPack
            broken.append(BrokenPack(str(paths[i]), result.errors[0], i18n.language()))
    ids = {i: p.summary.id if isinstance(p, CachedPack) else p.id for i, p in good.items()}
    return Catalog(good.values(), broken, [ids[i] for i in dict.fromkeys(asked) if i in ids])
