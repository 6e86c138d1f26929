"""Spaced repetition with FSRS (the `fsrs` package, version 6), persisted in the progress store.

Every answered question has an FSRS card, whatever the mode: practice, drill and review
answers are rated when given, exam answers when the exam is submitted (unanswered exam
questions are not rated: nothing was recalled or forgotten).

Ratings:
- wrong → Again;
- right → Good;
- right but slow → Hard: slower than HARD_FACTOR × the learner's usual time AND at least
  HARD_MIN_EXTRA_SECONDS slower (so a 3 s question answered in 7 s is still Good).
  The usual time is the median of the learner's earlier right answers to this question
  when there are at least USUAL_MIN_FOR_QUESTION of them, else the median of their last
  USUAL_WINDOW right answers to any question when there are at least USUAL_MIN_OVERALL;
  with less history than that, no answer is Hard.
- the learner may override the rating (`override=` at once, or `rerate()` right after
  the feedback): the last review is replayed from the card as it was before.

Only keys the caller passes (the questions of the loaded packs) are ever due, so a
question removed from its pack keeps its card and history but is never scheduled.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time as dtime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

from question_bank.models import Question
from quizapp.progress.db import Store
from quizapp.study.clock import Clock, SystemClock

HARD_FACTOR = 2.0
HARD_MIN_EXTRA_SECONDS = 5.0
USUAL_MIN_FOR_QUESTION = 2
USUAL_MIN_OVERALL = 5
USUAL_WINDOW = 50

_AUTO = object()

__all__ = ["HARD_FACTOR", "Rating", "ReviewScheduler", "end_of_day", "suggest_rating"]


def suggest_rating(correct: bool, seconds: float, usual_seconds: float | None) -> Rating:
    if not correct:
        return Rating.Again
    if (usual_seconds is not None and usual_seconds > 0 and seconds > HARD_FACTOR * usual_seconds
            and seconds - usual_seconds >= HARD_MIN_EXTRA_SECONDS):
        return Rating.Hard
    return Rating.Good


def end_of_day(timestamp: float) -> float:
    """The first instant of the next local calendar day after `timestamp` (Unix seconds)."""
    day: date = datetime.fromtimestamp(timestamp).date() + timedelta(days=1)
    return datetime.combine(day, dtime()).timestamp()


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


class ReviewScheduler:
    def __init__(self, store: Store, clock: Clock | None = None, scheduler: Scheduler | None = None) -> None:
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.fsrs = scheduler or Scheduler()

    # -- rating -------------------------------------------------------------------------------

    def usual_seconds(self, question_key: str, exclude_session: int | None = None) -> float | None:
        """The learner's usual time for this question (see the module docstring), or None.
        `exclude_session` leaves out a session whose answers are already stored (an exam)."""
        own = self.store.answer_seconds(question_key, limit=USUAL_WINDOW, exclude_session=exclude_session)
        if len(own) >= USUAL_MIN_FOR_QUESTION:
            return statistics.median(own)
        overall = self.store.answer_seconds(limit=USUAL_WINDOW, exclude_session=exclude_session)
        if len(overall) >= USUAL_MIN_OVERALL:
            return statistics.median(overall)
        return None

    def rate(self, question_key: str, correct: bool, seconds: float, usual_seconds: float | None | object = _AUTO,
             override: Rating | None = None, *, session_id: int | None = None,
             at: float | None = None) -> Rating:
        """Review the question's card (a new card on first sight) and store it with a log entry.

        `usual_seconds` defaults to usual_seconds(question_key) — call before recording the
        answer, or pass it. Returns the rating applied (`override` when given)."""
        usual = self.usual_seconds(question_key) if usual_seconds is _AUTO else usual_seconds
        suggested = suggest_rating(correct, seconds, usual)  # type: ignore[arg-type]
        rating = Rating(override) if override is not None else suggested
        when = self.clock.time() if at is None else at
        with self.store.writing():
            record = self.store.card(question_key)
            before = Card.from_dict(record.card) if record is not None else self._new_card(when)  # type: ignore[arg-type]
            after, _log = self.fsrs.review_card(before, rating, review_datetime=_utc(when),
                                                review_duration=max(0, int(seconds * 1000)))
            self.store.save_review(question_key, after.to_dict(), after.due.timestamp(), int(after.state),
                                   rating=int(rating), suggested=int(suggested), reviewed_at=when,
                                   duration_ms=max(0, int(seconds * 1000)), session_id=session_id,
                                   card_before=None if record is None else record.card)
        return rating

    def rerate(self, question_key: str, rating: Rating) -> Rating:
        """Replace the rating of the question's latest review (the learner disagreed with it)."""
        rating = Rating(rating)
        with self.store.writing():
            last = self.store.last_review(question_key)
            if last is None:
                raise ValueError(f"{question_key} has not been reviewed yet")
            before = (Card.from_dict(last.card_before) if last.card_before is not None  # type: ignore[arg-type]
                      else self._new_card(last.reviewed_at))
            after, _log = self.fsrs.review_card(before, rating, review_datetime=_utc(last.reviewed_at),
                                                review_duration=last.duration_ms)
            self.store.save_review(question_key, after.to_dict(), after.due.timestamp(), int(after.state),
                                   rating=int(rating), suggested=last.suggested, reviewed_at=last.reviewed_at,
                                   replaces=last.id)
        return rating

    @staticmethod
    def _new_card(when: float) -> Card:
        return Card(card_id=int(when * 1000), due=_utc(when))

    def card(self, question_key: str) -> Card | None:
        record = self.store.card(question_key)
        return None if record is None else Card.from_dict(record.card)  # type: ignore[arg-type]

    # -- what is due --------------------------------------------------------------------------

    def due(self, keys: Iterable[str], at: float | datetime | None = None) -> list[str]:
        """Keys among `keys` (the loaded packs' questions) due at `at` (default: now), most overdue first."""
        when = self.clock.time() if at is None else at.timestamp() if isinstance(at, datetime) else at
        return self.store.due_keys(keys, when)

    def due_count(self, keys: Iterable[str], at: float | datetime | None = None) -> int:
        return len(self.due(keys, at))

    def due_today(self, keys: Iterable[str]) -> list[str]:
        """Due before the end of the learner's local day: what the home screen counts."""
        return self.store.due_keys(keys, end_of_day(self.clock.time()) - 1e-6)

    def due_today_count(self, keys: Iterable[str]) -> int:
        return len(self.due_today(keys))

    def draw_review(self, questions: Sequence[Question], limit: int | None = None,
                    today: bool = True) -> list[Question]:
        """The due questions among `questions`, most overdue first, at most `limit`."""
        by_key = {q.key: q for q in questions}
        keys = self.due_today(by_key) if today else self.due(by_key)
        chosen = [by_key[k] for k in keys]
        return chosen if limit is None else chosen[:limit]
