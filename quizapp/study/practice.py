"""A practice session: one question at a time, immediate feedback, a summary at the end."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from question_bank.models import Choice, Question
from quizapp.study.clock import Clock, SystemClock
from quizapp.study.draw import draw_questions, shuffle_choices

LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Item:
    """A question as this session shows it: its choices in display order."""
    question: Question
    order: tuple[int, ...]

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(self.question.choices[i] for i in self.order)

    @property
    def correct_positions(self) -> frozenset[int]:
        return frozenset(pos for pos, i in enumerate(self.order) if self.question.choices[i].correct)

    def is_correct(self, picked: frozenset[int]) -> bool:
        """single: the one correct choice; multiple: exactly the set of correct choices."""
        return picked == self.correct_positions


@dataclass(frozen=True)
class Answer:
    item: Item
    picked: frozenset[int]  # display positions
    correct: bool
    seconds: float = field(default=0.0, compare=False)  # from showing the question to the answer


@dataclass(frozen=True)
class TopicResult:
    topic: str
    right: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class Summary:
    right: int
    total: int
    asked: int
    by_topic: tuple[TopicResult, ...]
    missed: tuple[Answer, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0


@dataclass
class PracticeSession:
    items: list[Item]
    answers: list[Answer] = field(default_factory=list)
    # Called with (index, answer) right after each answer; quizapp.study.persist stores it there.
    on_answer: Callable[[int, Answer], None] | None = field(default=None, compare=False, repr=False)
    # Called with (index, item) when a question is put up, before it can be answered; the
    # tracker stores the exam forecast for it there.
    on_show: Callable[[int, Item], None] | None = field(default=None, compare=False, repr=False)
    clock: Clock = field(default_factory=SystemClock, compare=False, repr=False)
    _shown_at: float = field(default=0.0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._shown_at = self.clock.now()

    def show(self) -> Item:
        """The screen calls this when it puts the current question up: its answer time starts now.
        (Without it, the time runs from the previous answer.)"""
        self._shown_at = self.clock.now()
        if self.on_show is not None:
            self.on_show(self.position, self.current)
        return self.current

    @classmethod
    def start(cls, questions, topics=None, count=None, seed: int | None = None,
              clock: Clock | None = None) -> "PracticeSession":
        rng = random.Random(seed)
        drawn = draw_questions(questions, topics, count, rng)
        return cls([Item(q, shuffle_choices(q, rng)) for q in drawn], clock=clock or SystemClock())

    @property
    def position(self) -> int:
        return len(self.answers)

    @property
    def finished(self) -> bool:
        return self.position >= len(self.items)

    @property
    def under_way(self) -> bool:
        return 0 < self.position < len(self.items)

    @property
    def current(self) -> Item:
        return self.items[self.position]

    def answer(self, picked: frozenset[int] | set[int]) -> Answer:
        item = self.current
        picked = frozenset(picked)
        if not picked:
            raise ValueError("pick at least one choice")
        if not all(0 <= p < len(item.order) for p in picked):
            raise ValueError("no such choice")
        if item.question.type == "single" and len(picked) != 1:
            raise ValueError("a single-choice question takes exactly one answer")
        now = self.clock.now()
        result = Answer(item, picked, item.is_correct(picked), seconds=max(0.0, now - self._shown_at))
        self._shown_at = now
        self.answers.append(result)
        if self.on_answer is not None:
            self.on_answer(len(self.answers) - 1, result)
        return result

    def summary(self) -> Summary:
        right = Counter(a.item.question.topic for a in self.answers if a.correct)
        total = Counter(a.item.question.topic for a in self.answers)
        by_topic = tuple(TopicResult(t, right[t], total[t]) for t in sorted(total))
        return Summary(
            right=sum(right.values()),
            total=len(self.answers),
            asked=len(self.items),
            by_topic=by_topic,
            missed=tuple(a for a in self.answers if not a.correct),
        )
