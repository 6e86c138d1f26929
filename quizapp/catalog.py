"""The packs a run offers: bundled, from the user's pack folder and from --pack, good and broken."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from question_bank.files import PACK_FILE, YAML_SUFFIXES, bundled_pack_paths
from question_bank.models import Pack
from question_bank.problems import Problem
from quizapp import i18n
from quizapp.i18n import _


@dataclass(frozen=True)
class BrokenPack:
    """A pack that did not load, with its first error in the language it was loaded in (`language`)."""

    path: str
    error: Problem
    language: str = i18n.SOURCE
    _others: dict[str, Problem] = field(default_factory=dict, compare=False, repr=False)  # by language

    @property
    def first_error(self) -> Problem:
        """The first error in the interface language: after `t`, the pack is read again (a broken pack is
        rare and its error short), once per language."""
        lang = i18n.language()
        if lang == self.language:
            return self.error
        if lang not in self._others:
            from question_bank.loader import load_pack
            errors = load_pack(Path(self.path)).errors
            self._others[lang] = errors[0] if errors else self.error
        return self._others[lang]


@dataclass(frozen=True)
class Catalog:
    packs: tuple[Pack, ...]
    broken: tuple[BrokenPack, ...]
    requested: tuple[str, ...]  # ids of the packs given with --pack, in order

    def pack(self, pack_id: str) -> Pack | None:
        return next((p for p in self.packs if p.id == pack_id), None)


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
    if cache_folder is None:
        from question_bank.loader import load_packs
        results = load_packs(paths)
    else:
        from question_bank.cache import PackCache, load_packs_cached
        from quizapp import __version__
        from quizapp.i18n import language
        results = load_packs_cached(paths, PackCache(cache_folder, __version__, language=language()))
    packs, broken = [], []
    for i, result in enumerate(results):
        if result.pack is not None and not result.errors:
            packs.append(result.pack)
        else:
            broken.append(BrokenPack(str(paths[i]), result.errors[0], i18n.language()))
    requested = [results[i].pack.id for i in dict.fromkeys(asked) if results[i].pack is not None
                 and not results[i].errors]
    return Catalog(tuple(packs), tuple(broken), tuple(requested))
