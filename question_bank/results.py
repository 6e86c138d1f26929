"""What loading a pack gives, and the one rule across packs: no two loaded packs share an id.

Kept apart from the loader (and its YAML) so that packs served from the cache
are checked by the same rule without importing it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable

from engine.texts import _
from question_bank.problems import Problem

if TYPE_CHECKING:
    from question_bank.models import Pack

IdPlace = tuple[str, int, int]  # file, line, column where a pack's id is written


@dataclass(frozen=True)
class LoadResult:
    """A pack, or None when it has errors, and every problem found (warnings do not stop loading)."""

    pack: Pack | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors


def unique_ids(loaded: Iterable[tuple[LoadResult, IdPlace]], owners: dict[str, str] | None = None) -> list[LoadResult]:
    """The results in order; a pack whose id an earlier pack already uses fails with an error.

    `owners` (pack id -> path of the pack that has it) holds the ids taken before, and gets these packs' ids.
    """
    results: list[LoadResult] = []
    owners = {} if owners is None else owners
    for result, (where, line, col) in loaded:
        pack = result.pack
        if pack is not None and pack.id in owners:
            clash = Problem(where, line, col, "error",
                            _("pack id '{id}' is already used by the pack at {path}").format(
                                id=pack.id, path=owners[pack.id]))
            result = replace(result, pack=None, problems=result.problems + (clash,))
        elif pack is not None:
            owners[pack.id] = pack.path
        results.append(result)
    return results
