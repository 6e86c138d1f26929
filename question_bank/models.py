"""Immutable question objects, as the loader builds them from a pack.

Everything is frozen and hashable (tuples, FrozenMap), so study code can keep
questions in sets or use them as cache keys without copying.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, Literal, Mapping, TypeVar

from question_bank.evidence import Claim
from question_bank.titled import Titled

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only dict that can be hashed (MappingProxyType cannot)."""

    __slots__ = ("_data",)

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


EMPTY: FrozenMap[Any, Any] = FrozenMap()


def plain_data(value: Any) -> Any:
    """A loaded free-form value (FrozenMap, tuple) as dicts and lists, for JSON or YAML writers."""
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    return value

QuestionType = Literal["single", "multiple"]
CALCULATED = "calculated"  # the `type` of a CalculatedQuestion


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool = False
    why: str | None = None  # feedback shown when the learner picked this choice
    pin: bool = False  # keep in place when shuffling ("all of the above")
    # The choice's `x-` keys, kept for tools and ignored here: the importers keep a Moodle
    # answer's grade as `x-fraction` so that an export restores it.
    extras: Mapping[str, Any] = EMPTY


@dataclass(frozen=True)
class LiveLink:
    """An engine probe that backs the explanation; args are checked against the registry.

    `caption` is shown with the result, its `{path:spec}` fields filled from it;
    `expect` are the claims `quizapp validate` checks against the bundled engine.
    """

    probe: str
    args: Mapping[str, Any] = EMPTY
    caption: str | None = None
    expect: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Translation:
    prompt: str
    choices: tuple[str, ...]  # same order and count as the question's choices
    explanation: str | None = None
    whys: tuple[str | None, ...] | None = None  # per choice, same order; None: keep the original whys
    captions: tuple[str | None, ...] | None = None  # per live block, same order


@dataclass(frozen=True)
class Question:
    pack_id: str
    id: str
    topic: str
    type: QuestionType
    prompt: str
    choices: tuple[Choice, ...]
    explanation: str | None = None
    difficulty: int = 3
    tags: tuple[str, ...] = ()
    source: str | None = None
    live: tuple[LiveLink, ...] = ()
    translations: Mapping[str, Translation] = EMPTY
    extras: Mapping[str, Any] = EMPTY  # the question's `x-` keys, kept for tools and ignored here
    # For one drawn instance of a calculated question: the parameter values it was drawn with,
    # so a review can show the same numbers (question_bank.calculated.instantiate_with). Empty otherwise.
    drawn: Mapping[str, Any] = EMPTY

    @property
    def key(self) -> str:
        """The global key progress is stored under."""
        return f"{self.pack_id}/{self.id}"

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, choice in enumerate(self.choices) if choice.correct)

    def localized(self, lang: str) -> Question:
        """This question with prompt, choices, whys, explanation and captions in `lang`, when translated.

        What a translation leaves out (an explanation, a why, a caption) keeps the
        original rather than showing nothing.
        """
        translation = self.translations.get(lang)
        if translation is None:
            return self
        whys = translation.whys or (None,) * len(self.choices)
        choices = tuple(replace(c, text=text, why=why if why is not None else c.why)
                        for c, text, why in zip(self.choices, translation.choices, whys))
        explanation = translation.explanation if translation.explanation is not None else self.explanation
        return replace(self, prompt=translation.prompt, choices=choices, explanation=explanation,
                       live=localized_live(self.live, translation.captions))


def localized_live(live: tuple[LiveLink, ...], captions: tuple[str | None, ...] | None) -> tuple[LiveLink, ...]:
    """Live blocks with translated captions where the translation gives one."""
    if not captions:
        return live
    return tuple(replace(link, caption=caption) if caption is not None else link
                 for link, caption in zip(live, captions)) + live[len(captions):]


@dataclass(frozen=True)
class ValueSpec:
    """Where one value of a calculated question comes from: exactly one of a probe, a parameter or a literal.

    In `args`, a text that names one of the question's parameters stands for the value
    drawn for it (also inside lists); anything else is passed as written. `field` is a
    dotted path into the probe's result, list positions counted from 0: "objective",
    "probabilities.0", "encoding.3.4".
    """

    probe: str | None = None
    args: Mapping[str, Any] = EMPTY
    field: str | None = None
    param: str | None = None  # the drawn value of this parameter
    value: Any = None  # a literal number or text (when neither probe nor param is set)
    why: str | None = None  # for distractors: the mistake this value stands for (a template)


@dataclass(frozen=True)
class CalculatedTranslation:
    prompt: str
    explanation: str | None = None
    captions: tuple[str | None, ...] | None = None  # per live block, same order
    # Why templates: the answer's first, then one per distractor in the order written; None keeps the original.
    whys: tuple[str | None, ...] | None = None


@dataclass(frozen=True)
class CalculatedQuestion:
    """A question whose numbers are drawn per attempt and whose choices the engine computes.

    It is not a Question: a session asks a drawn instance of it, a `type: single`
    Question built by question_bank.calculated.instantiate. `prompt`, `explanation`
    and the distractors' `why` are templates: `{name}` or `{name:.2f}` inserts a
    parameter, the explanation and whys may also use `{answer}`, and the whys `{value}`.
    """

    pack_id: str
    id: str
    topic: str
    prompt: str
    params: Mapping[str, tuple[Any, ...]]  # name -> the values drawn from, in the order written
    answer: ValueSpec
    distractors: tuple[ValueSpec, ...] = ()
    format: str = "{:.2f}"  # how numbers show as choices
    explanation: str | None = None
    difficulty: int = 3
    tags: tuple[str, ...] = ()
    source: str | None = None
    live: tuple[LiveLink, ...] = ()  # args may name parameters, as in `answer`
    translations: Mapping[str, CalculatedTranslation] = EMPTY
    extras: Mapping[str, Any] = EMPTY

    type: str = CALCULATED

    @property
    def key(self) -> str:
        return f"{self.pack_id}/{self.id}"

    @property
    def combinations(self) -> int:
        """How many parameter combinations there are to draw from."""
        count = 1
        for values in self.params.values():
            count *= len(values)
        return count


AnyQuestion = Question | CalculatedQuestion


@dataclass(frozen=True)
class TitleTranslation:
    """A pack's or a topic's title (and description) in another language."""

    title: str
    description: str | None = None  # None: keep the original description


@dataclass(frozen=True)
class Topic(Titled):
    id: str
    title: str
    description: str | None = None  # optional: what the topic covers (a Moodle category's info on import)
    translations: Mapping[str, TitleTranslation] = EMPTY  # by language tag


@dataclass(frozen=True)
class Pack(Titled):
    id: str
    title: str
    version: str | None = None
    language: str = "en"
    authors: tuple[str, ...] = ()
    description: str | None = None
    topics: tuple[Topic, ...] = ()
    questions: tuple[AnyQuestion, ...] = ()  # calculated questions included, so counts are right
    path: str = ""  # the file or folder it was loaded from
    translations: Mapping[str, TitleTranslation] = EMPTY  # title and description by language tag

    def topic(self, id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == id), None)

    def questions_in(self, topic_ids: Iterable[str]) -> tuple[AnyQuestion, ...]:
        wanted = frozenset(topic_ids)
        return tuple(q for q in self.questions if q.topic in wanted)

    def count_by_topic(self) -> dict[str, int]:
        """Questions per topic id, in topic order, topics without questions included."""
        counts = dict.fromkeys((t.id for t in self.topics), 0)
        for q in self.questions:
            counts[q.topic] += 1
        return counts
