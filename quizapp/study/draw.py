"""Which questions a session asks, in which order, with which choice order."""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from question_bank.models import Question


def draw_questions(questions: Iterable[Question], topics: Iterable[str] | None, count: int | None,
                   rng: random.Random) -> list[Question]:
    """Shuffle the questions of the chosen topics (all topics when None) and keep `count` of them."""
    wanted = None if topics is None else set(topics)
    pool = [q for q in questions if wanted is None or q.topic in wanted]
    rng.shuffle(pool)
    return pool if count is None else pool[:max(count, 0)]


def shuffle_choices(question: Question, rng: random.Random) -> tuple[int, ...]:
    """A display order of the choice indices: the free choices shuffled, pinned ones kept in place.

    order[display_position] = index of the choice in the pack.
    """
    free = [i for i, c in enumerate(question.choices) if not c.pin]
    shuffled = free[:]
    rng.shuffle(shuffled)
    slots = iter(shuffled)
    return tuple(i if question.choices[i].pin else next(slots) for i in range(len(question.choices)))
