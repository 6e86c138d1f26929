"""Study next: the topic where the next 20 minutes of drill raise the exam forecast most.

In STUDY_MINUTES the learner answers about STUDY_MINUTES · 60 / (usual seconds per answer +
FEEDBACK_SECONDS) questions. A drill on topic t asks them in drill order (study.drill), so the
candidates are the first ones of that order. For each, the model gives p, the probability of
a right answer now; answering it reviews its FSRS card (Good when right, Again when wrong), so
at the end of the study time it is forecast at p_right or p_wrong from the reviewed card. Its
expected rise, p · p_right + (1 − p) · p_wrong − p, counts in the exam score with the question's
weight in a mock exam, c_t / (n · s_t). The topic with the largest sum wins; the rise is shown
per minute. (What one answer teaches about the topic's other questions is left out.)
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timezone

from fsrs import Card, Rating, Scheduler

from question_bank.models import Pack
from quizapp.i18n import shown_title
from quizapp.study.drill import drill_order
from quizapp.study.exam import DEFAULT_EXAM_QUESTIONS
from quizapp.study.forecast.memory import retrievability
from quizapp.study.forecast.model import Snapshot, exam_allocation, predict_pack, topic_ids

STUDY_MINUTES = 20
FEEDBACK_SECONDS = 20.0        # reading the verdict and the explanation after an answer
DEFAULT_ANSWER_SECONDS = 30.0  # before the learner has answered anything


@dataclass(frozen=True)
class Suggestion:
    topic: str
    title: str
    questions: int  # how many the drill asks in the study time
    gain: float     # the expected rise of the exam forecast (a fraction of the score)
    minutes: int

    @property
    def gain_per_minute(self) -> float:
        return self.gain / self.minutes


def seconds_per_question(snapshot: Snapshot) -> float:
    """The learner's usual time for one question: the median answer time, plus reading the feedback."""
    times = [a.seconds for a in snapshot.answers]
    return (statistics.median(times) if times else DEFAULT_ANSWER_SECONDS) + FEEDBACK_SECONDS


def _reviewed(card: dict | None, rating: Rating, at: float, scheduler: Scheduler) -> Card:
    when = datetime.fromtimestamp(at, tz=timezone.utc)
    before = Card.from_dict(card) if card is not None else Card(card_id=1, due=when)  # type: ignore[arg-type]
    return scheduler.review_card(before, rating, review_datetime=when)[0]


def study_next(pack: Pack, snapshot: Snapshot, at: float, minutes: int = STUDY_MINUTES,
               exam_questions: int = DEFAULT_EXAM_QUESTIONS) -> Suggestion | None:
    """The best topic to drill now, or None when no drill would raise the forecast."""
    predictions = predict_pack(pack, snapshot, at)
    per_question = seconds_per_question(snapshot)
    budget = max(1, int(minutes * 60 // per_question))
    n = min(exam_questions, len(pack.questions))
    sizes = {t: sum(1 for q in pack.questions if q.topic == t) for t in topic_ids(pack)}
    allocation = exam_allocation(sizes, n)
    last = {}
    for a in snapshot.answers:
        last[a.question_key] = a
    scheduler = Scheduler(snapshot.parameters, enable_fuzzing=False)
    until = at + minutes * 60
    best: Suggestion | None = None
    for t, size in sizes.items():
        if not size:
            continue
        weight = allocation[t] / (n * size)
        chosen = drill_order([q for q in pack.questions if q.topic == t], last)[:budget]
        gain = 0.0
        for q in chosen:
            now = predictions[q.key]
            card = snapshot.cards.get(q.key)
            after = {rating: snapshot.calibration.probability(
                retrievability(_reviewed(card, rating, at, scheduler).to_dict(), until, snapshot.parameters),
                now.prior) for rating in (Rating.Good, Rating.Again)}
            p = now.probability
            gain += weight * (p * after[Rating.Good] + (1 - p) * after[Rating.Again] - p)
        if gain > 0 and (best is None or gain > best.gain):
            topic = pack.topic(t)
            best = Suggestion(t, shown_title(topic) if topic else t, len(chosen), gain, minutes)
    return best
