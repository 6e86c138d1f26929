"""Drill weak topics: a session from the topics with the lowest recent accuracy.

A topic's recent accuracy is measured over its latest RECENT_N counting answers (any
mode; the final answer of each exam question; only questions still in the pack, under
the topic they have now). Topics never answered are not weak, just new: they are left
out, and so are topics at 100 % unless all are. Within the chosen topics, questions last answered wrong come first, then unseen
ones, then the rest, least recently seen first.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from question_bank.models import Pack, Question
from quizapp.progress.db import Store
from quizapp.progress.records import AnswerRecord

RECENT_N = 20      # the drill window, in answers per topic
DRILL_TOPICS = 3   # how many of the weakest topics a drill draws from


@dataclass(frozen=True)
class TopicAccuracy:
    pack_id: str
    topic: str
    accuracy: float  # 0..1 over the window
    attempts: int    # answers in the window
    right: int


def _packs(packs: Pack | Iterable[Pack]) -> list[Pack]:
    return [packs] if isinstance(packs, Pack) else list(packs)


def _history(store: Store, questions: dict[str, Question]) -> list[AnswerRecord]:
    return store.answers(questions)


def weak_topics(store: Store, packs: Pack | Iterable[Pack], recent_n: int = RECENT_N) -> list[TopicAccuracy]:
    """Answered topics of `packs`, weakest first (lowest recent accuracy; on a tie, the one with
    more evidence first)."""
    questions = {q.key: q for p in _packs(packs) for q in p.questions}
    per_topic: dict[tuple[str, str], list[bool]] = {}
    for a in _history(store, questions):
        q = questions[a.question_key]
        per_topic.setdefault((q.pack_id, q.topic), []).append(a.correct)
    result = []
    for (pack_id, topic), outcomes in per_topic.items():
        window = outcomes[-recent_n:]
        right = sum(window)
        result.append(TopicAccuracy(pack_id, topic, right / len(window), len(window), right))
    result.sort(key=lambda t: (t.accuracy, -t.attempts, t.pack_id, t.topic))
    return result


def last_answers(store: Store, questions: Iterable[str]) -> dict[str, AnswerRecord]:
    """Question key → its latest counting answer."""
    last: dict[str, AnswerRecord] = {}
    for a in store.answers(questions):
        last[a.question_key] = a
    return last


def drill_order(questions: Iterable[Question], last: Mapping[str, AnswerRecord],
                rng: random.Random | None = None) -> list[Question]:
    """The order a drill asks a topic's questions in: last answered wrong first, then never
    answered, then the rest, least recently seen first; ties broken by `rng` (none: kept in order)."""
    def priority(q: Question) -> tuple[int, float, float]:
        tie = rng.random() if rng is not None else 0.0
        seen = last.get(q.key)
        if seen is None:
            return (1, 0.0, tie)
        return (0 if not seen.correct else 2, seen.answered_at, tie)

    return sorted(questions, key=priority)


def draw_topic_drill(store: Store, pack: Pack, topic: str, count: int = 10, seed: int | None = None) -> list[Question]:
    """Up to `count` questions of one topic in drill order (the "study next" suggestion's drill)."""
    pool = [q for q in pack.questions if q.topic == topic]
    return drill_order(pool, last_answers(store, [q.key for q in pool]), random.Random(seed))[:max(count, 0)]


def draw_drill(store: Store, packs: Pack | Iterable[Pack], count: int = 10, topics: int = DRILL_TOPICS,
               recent_n: int = RECENT_N, seed: int | None = None) -> list[Question]:
    """Up to `count` questions from the `topics` weakest topics, round-robin, weakest topic first.
    Empty when nothing has been answered yet. Feed it to PracticeSession.start(..., seed=...)."""
    pack_list = _packs(packs)
    ranked = weak_topics(store, pack_list, recent_n)
    # a topic at 100 % is not weak: drill it only when every answered topic is
    weakest = ([t for t in ranked if t.accuracy < 1.0] or ranked)[:max(topics, 0)]
    if not weakest or count <= 0:
        return []
    rng = random.Random(seed)
    questions = {q.key: q for p in pack_list for q in p.questions}
    last = last_answers(store, questions)
    pools = [drill_order([q for q in questions.values() if q.pack_id == t.pack_id and q.topic == t.topic], last, rng)
             for t in weakest]
    drawn: list[Question] = []
    while len(drawn) < count and any(pools):
        for pool in pools:
            if pool and len(drawn) < count:
                drawn.append(pool.pop(0))
    return drawn
