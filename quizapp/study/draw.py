"""Which questions a session asks, in which order, with which choice order."""
from __future__ import annotations

import random
from collections.abc import Iterable

from question_bank.calculated import CalculationError, instantiate
from question_bank.models import CalculatedQuestion, Question


def draw_questions(questions: Iterable[Question | CalculatedQuestion], topics: Iterable[str] | None,
                   count: int | None, rng: random.Random) -> list[Question]:
    """Shuffle the questions of the chosen topics (all topics when None) and keep `count` of them.

    Calculated questions come back drawn (`concrete`): ordinary single-choice questions
    whose `drawn` holds the parameter values.
    """
    wanted = None if topics is None else set(topics)
    pool = [q for q in questions if wanted is None or q.topic in wanted]
    rng.shuffle(pool)
    kept = pool if count is None else pool[:max(count, 0)]
    drawn = [concrete(q, rng) for q in kept]
    return [q for q in drawn if q is not None]


def concrete(question: Question | CalculatedQuestion, rng: random.Random) -> Question | None:
    """The question to show: a calculated question drawn with `rng` (None when it cannot be
    computed, which `quizapp validate` reports), any other question as it is."""
    if not isinstance(question, CalculatedQuestion):
        return question
    try:
        return instantiate(question, rng)[0]
    except CalculationError:
        return None


def shuffle_choices(question: Question, rng: random.Random) -> tuple[int, ...]:
    """A display order of the choice indices: the free choices shuffled, pinned ones kept in place.

    order[display_position] = index of the choice in the pack.
    """
    free = [i for i, c in enumerate(question.choices) if not c.pin]
    shuffled = free[:]
    rng.shuffle(shuffled)
    slots = iter(shuffled)
    return tuple(i if question.choices[i].pin else next(slots) for i in range(len(question.choices)))
