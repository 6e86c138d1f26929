"""A pack that did not load, as the home screen and the line-by-line mode name it.

Its own module: a start without broken packs never builds this class (quizapp.catalog).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from question_bank.problems import Problem
from quizapp import i18n


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
