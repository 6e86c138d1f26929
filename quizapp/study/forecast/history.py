"""The series the statistics screen draws, by local calendar day.

- accuracy per topic: at the end of each day, the share right of the topic's latest
  RECENT_N answers (the drill's window), None before its first answer;
- reviews due per day for the next days (today's count includes everything overdue);
- the exam forecast at the end of each day, recomputed from the answers given and the FSRS
  cards as they were then (rebuilt from the review log), with today's calibration.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time as dtime, timedelta
from typing import Any

from question_bank.models import Pack
from quizapp.progress.records import ReviewRecord
from quizapp.study.drill import RECENT_N
from quizapp.study.forecast.model import Estimate, Snapshot, forecast_pack, topic_ids

HISTORY_DAYS = 30
AHEAD_DAYS = 30


@dataclass(frozen=True)
class DailyHistory:
    days: tuple[date, ...]
    accuracy: dict[str, tuple[float | None, ...]]  # topic → share right of its recent answers, per day
    forecast: tuple[Estimate, ...]                   # the exam forecast at the end of each day


def _day_end(day: date) -> float:
    return datetime.combine(day + timedelta(days=1), dtime()).timestamp() - 1e-3


def history_days(snapshot: Snapshot, now: float, most: int = HISTORY_DAYS) -> tuple[date, ...]:
    """The days from the first answer (at most `most` days back) to today."""
    today = datetime.fromtimestamp(now).date()
    if not snapshot.answers:
        return (today,)
    first = datetime.fromtimestamp(snapshot.answers[0].answered_at).date()
    start = max(first, today - timedelta(days=most - 1))
    return tuple(start + timedelta(days=i) for i in range((today - start).days + 1))


def cards_as_of(logs: Sequence[ReviewRecord], cards: Mapping[str, Mapping[str, Any]],
                when: float) -> dict[str, Mapping[str, Any]]:
    """Each question's FSRS card as it stood at `when`: the card after its last review by then,
    which the next review logged as its card_before (or, after the last review, the card now)."""
    by_key: dict[str, list[ReviewRecord]] = {}
    for log in logs:
        if log.question_key in cards:
            by_key.setdefault(log.question_key, []).append(log)
    result = {}
    for key, entries in by_key.items():
        done = [i for i, log in enumerate(entries) if log.reviewed_at <= when]
        if not done:
            continue
        following = done[-1] + 1
        card = entries[following].card_before if following < len(entries) else cards[key]
        if card is not None:
            result[key] = card
    return result


def daily_history(pack: Pack, snapshot: Snapshot, logs: Sequence[ReviewRecord], now: float,
                  most: int = HISTORY_DAYS) -> DailyHistory:
    days = history_days(snapshot, now, most)
    topic_of = {q.key: q.topic for q in pack.questions}
    ids = topic_ids(pack)
    accuracy: dict[str, list[float | None]] = {t: [] for t in ids}
    forecast = []
    for day in days:
        until = min(_day_end(day), now)
        given = tuple(a for a in snapshot.answers if a.answered_at <= until)
        for t in ids:
            recent = [a.correct for a in given if topic_of[a.question_key] == t][-RECENT_N:]
            accuracy[t].append(sum(recent) / len(recent) if recent else None)
        then = replace(snapshot, answers=given, cards=cards_as_of(logs, snapshot.cards, until))
        forecast.append(forecast_pack(pack, then, until).score)
    return DailyHistory(days, {t: tuple(v) for t, v in accuracy.items()}, tuple(forecast))


def due_per_day(snapshot: Snapshot, now: float, days: int = AHEAD_DAYS) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """Reviews due on each of the next `days` days, today first (with everything overdue)."""
    today = datetime.fromtimestamp(now).date()
    dates = tuple(today + timedelta(days=i) for i in range(days))
    counts = [0] * days
    for card in snapshot.cards.values():
        due = datetime.fromisoformat(str(card["due"])).timestamp()
        offset = max(0, (datetime.fromtimestamp(due).date() - today).days)
        if offset < days:
            counts[offset] += 1
    return dates, tuple(counts)
