"""What the home screen shows of a pack, without its questions: titles, counts, topics, description.

The pack cache keeps one per entry, so that the first screen is drawn before any
question object (or the models' classes) is built. A summary is plain data: it
is stored as JSON and always made from a loaded pack (`summarise`), never
written by hand, so it cannot say anything the pack does not.
"""
from __future__ import annotations

from typing import Any

from question_bank.titled import Titled


class TitleText:
    """A title (and description, None keeping the original) in another language."""

    __slots__ = ("title", "description")

    def __init__(self, title: str, description: str | None) -> None:
        self.title, self.description = title, description


Translations = dict[str, TitleText]  # language -> its title and description


class TopicSummary(Titled):
    __slots__ = ("id", "title", "description", "translations", "count")

    def __init__(self, id: str, title: str, description: str | None, translations: Translations,
                 count: int) -> None:
        self.id, self.title, self.description, self.translations = id, title, description, translations
        self.count = count  # questions in this topic


class PackSummary(Titled):
    __slots__ = ("id", "title", "version", "language", "authors", "description", "translations", "topics",
                 "question_count", "question_languages", "path")

    def __init__(self, id: str, title: str, version: str | None, language: str, authors: tuple[str, ...],
                 description: str | None, translations: Translations, topics: tuple[TopicSummary, ...],
                 question_count: int, question_languages: tuple[str, ...], path: str) -> None:
        self.id, self.title, self.version, self.language, self.authors = id, title, version, language, authors
        self.description, self.translations, self.topics = description, translations, topics
        self.question_count = question_count  # calculated questions included
        self.question_languages = question_languages  # the languages its questions are translated into, sorted
        self.path = path

    def count_by_topic(self) -> dict[str, int]:
        """Questions per topic id, in topic order (Pack.count_by_topic)."""
        return {t.id: t.count for t in self.topics}

    def to_data(self) -> list[Any]:
        topics = [[t.id, t.title, t.description, _translations_data(t.translations), t.count] for t in self.topics]
        return [self.id, self.title, self.version, self.language, list(self.authors), self.description,
                _translations_data(self.translations), topics, self.question_count, list(self.question_languages),
                self.path]

    @classmethod
    def from_data(cls, data: list[Any]) -> PackSummary:
        """The summary `to_data` wrote; ValueError or TypeError for anything else (a crafted entry)."""
        (id, title, version, language, authors, description, translations, topics, count, languages,
         path) = data
        made = cls(id, title, version, language, tuple(authors), description, _translations(translations),
                   tuple(TopicSummary(t_id, t_title, t_description, _translations(t_translations), count)
                         for t_id, t_title, t_description, t_translations, count in topics),
                   count, tuple(languages), path)
        if made.to_data() != data:
            raise TypeError("a value of the wrong kind")
        return made

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackSummary) and self.to_data() == other.to_data()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackSummary({self.to_data()!r})"


def _translations_data(translations: Translations) -> dict[str, list[str | None]]:
    return {lang: [text.title, text.description] for lang, text in translations.items()}


def _translations(data: dict[str, list[str | None]]) -> Translations:
    return {lang: TitleText(title, description) for lang, (title, description) in data.items()}


def _title_translations(item: Any) -> Translations:
    return {lang: TitleText(t.title, t.description) for lang, t in item.translations.items()}


def summarise(pack: Any) -> PackSummary:
    """The summary of a loaded question_bank.models.Pack."""
    counts = pack.count_by_topic()
    topics = tuple(TopicSummary(t.id, t.title, t.description, _title_translations(t), counts[t.id])
                   for t in pack.topics)
    languages = tuple(sorted({lang for q in pack.questions for lang in q.translations}))
    return PackSummary(pack.id, pack.title, pack.version, pack.language, tuple(pack.authors), pack.description,
                       _title_translations(pack), topics, len(pack.questions), languages, pack.path)
