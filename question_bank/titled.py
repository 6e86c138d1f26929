"""The title and description of a pack or topic in a language: the same rule for the loaded pack
(question_bank.models) and its summary (question_bank.summary), which is built before the models are."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Titled:
    """title_in / description_in for anything with title, description and translations
    (language → an object with `title` and `description`, None keeping the original description)."""

    __slots__ = ()
    title: str
    description: str | None
    translations: Mapping[str, Any]

    def title_in(self, lang: str | None) -> str:
        """The title in `lang` where the pack gives one, else the original."""
        translation = self.translations.get(lang) if lang else None
        return translation.title if translation is not None else self.title

    def description_in(self, lang: str | None) -> str | None:
        translation = self.translations.get(lang) if lang else None
        if translation is not None and translation.description is not None:
            return translation.description
        return self.description
