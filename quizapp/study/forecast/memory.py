"""What the forecast knows before any calibration: how well a seen question is remembered
(FSRS retrievability) and how hard a question is before the learner has tried it (the prior)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fsrs.scheduler import DEFAULT_PARAMETERS

from question_bank.models import AnyQuestion, CalculatedQuestion

DAY = 86400.0

# The share of learners who know the answer outright, by the pack's difficulty field (1–5).
# A starting point only: the learner's own answers overrule it within a few questions.
KNOWN_BY_DIFFICULTY = {1: 0.80, 2: 0.70, 3: 0.55, 4: 0.45, 5: 0.35}


def retrievability(card: Mapping[str, Any], at: float, parameters: Sequence[float] = DEFAULT_PARAMETERS) -> float | None:
    """FSRS's probability of recall at `at` (Unix seconds) for a stored card (fsrs.Card.to_dict()),
    or None when the card holds no memory yet.

    The FSRS-6 forgetting curve R = (1 + factor · t / S) ^ -w20. Unlike
    Scheduler.get_card_retrievability, which counts whole days (a card reviewed this morning
    stays at 1.0 until tomorrow), the elapsed time t counts to the second."""
    stability, last = card.get("stability"), card.get("last_review")
    if stability is None or last is None:
        return None
    elapsed_days = max(0.0, at - datetime.fromisoformat(last).timestamp()) / DAY
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** decay


def chance(question: AnyQuestion) -> float:
    """The probability of a blind guess being right: one of n choices, or for "select all that
    apply" the one right subset among the 2^n − 1 non-empty ones."""
    if isinstance(question, CalculatedQuestion):
        return 1 / (1 + len(question.distractors))
    n = max(len(question.choices), 1)
    return 1 / (2 ** n - 1) if question.type == "multiple" else 1 / n


def difficulty_prior(question: AnyQuestion) -> float:
    """The probability of a right answer before the learner has answered anything: knowing the
    answer (by difficulty), or else guessing it."""
    known = KNOWN_BY_DIFFICULTY.get(question.difficulty, KNOWN_BY_DIFFICULTY[3])
    guess = chance(question)
    return guess + (1 - guess) * known
