"""Statistics per pack, per topic and per question, for the stats screen and `quizapp stats`.

Counted: the answers that count (the final answer of each exam question, every practice,
review and drill answer), of questions still in the loaded packs, under the topic they
have now. "Due" means due before the end of today (local time), as on the home screen.
The trend is the accuracy in each of the last TREND_SESSIONS sessions that touched the
pack or topic, oldest first.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from contextlib import nullcontext
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from question_bank.models import Pack
from quizapp.i18n import _, in_language, num, shown_title
from quizapp.progress.db import Store
from quizapp.progress.records import AnswerRecord

if TYPE_CHECKING:
    from quizapp.study.forecast.report import Readiness

TREND_SESSIONS = 5


@dataclass(frozen=True)
class QuestionStats:
    key: str
    pack_id: str
    question_id: str
    topic: str
    attempts: int
    right: int
    last_correct: bool | None  # None: never answered
    last_answered: float | None
    due: float | None          # when its FSRS card is due; None: no card yet


@dataclass(frozen=True)
class GroupStats:
    """One pack (topic None) or one topic of a pack."""
    pack_id: str
    topic: str | None
    title: str
    questions: int
    seen: int       # distinct questions answered at least once
    attempts: int
    right: int
    trend: tuple[float, ...]  # accuracy (0..1) per recent session, oldest first
    due: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.attempts if self.attempts else None


@dataclass(frozen=True)
class PackStats:
    total: GroupStats
    topics: tuple[GroupStats, ...]
    questions: tuple[QuestionStats, ...]

    @property
    def pack_id(self) -> str:
        return self.total.pack_id


@dataclass(frozen=True)
class Stats:
    generated_at: float
    packs: tuple[PackStats, ...]
    sessions: dict[str, int]    # finished sessions per mode
    unfinished: int
    orphaned_answers: int       # answers to questions no longer in any loaded pack (kept, not shown)
    database: str


def _group(pack_id: str, topic: str | None, title: str, keys: Sequence[str], answers: Sequence[AnswerRecord],
           due_keys: set[str]) -> GroupStats:
    per_session: dict[int, list[bool]] = {}
    for a in answers:
        per_session.setdefault(a.session_id, []).append(a.correct)
    recent = sorted(per_session)[-TREND_SESSIONS:]
    trend = tuple(sum(per_session[s]) / len(per_session[s]) for s in recent)
    return GroupStats(pack_id, topic, title, len(keys), len({a.question_key for a in answers}), len(answers),
                      sum(a.correct for a in answers), trend, sum(1 for k in keys if k in due_keys))


def collect_stats(store: Store, packs: Iterable[Pack], now: float | None = None) -> Stats:
    from quizapp.study.review import end_of_day

    now = datetime.now(timezone.utc).timestamp() if now is None else now
    pack_list = list(packs)
    keys = {q.key: q for p in pack_list for q in p.questions}
    all_answers = store.answers()
    answers = [a for a in all_answers if a.question_key in keys]
    cards = store.cards(keys)
    today_end = end_of_day(now)
    due_keys = {k for k, c in cards.items() if c.due < today_end}
    by_question: dict[str, list[AnswerRecord]] = {}
    for a in answers:
        by_question.setdefault(a.question_key, []).append(a)

    result = []
    for pack in pack_list:
        pack_keys = [q.key for q in pack.questions]
        pack_answers = [a for a in answers if keys[a.question_key].pack_id == pack.id]
        topic_ids = [t.id for t in pack.topics] + sorted({q.topic for q in pack.questions} - {t.id for t in pack.topics})
        topics = []
        for topic_id in topic_ids:
            topic = pack.topic(topic_id)
            t_keys = [q.key for q in pack.questions if q.topic == topic_id]
            t_answers = [a for a in pack_answers if keys[a.question_key].topic == topic_id]
            topics.append(_group(pack.id, topic_id, shown_title(topic) if topic else topic_id, t_keys, t_answers, due_keys))
        questions = []
        for q in pack.questions:
            history = by_question.get(q.key, [])
            card = cards.get(q.key)
            questions.append(QuestionStats(
                q.key, q.pack_id, q.id, q.topic, len(history), sum(a.correct for a in history),
                history[-1].correct if history else None, history[-1].answered_at if history else None,
                card.due if card else None))
        result.append(PackStats(_group(pack.id, None, shown_title(pack), pack_keys, pack_answers, due_keys),
                                tuple(topics), tuple(questions)))
    finished = Counter(s.mode for s in store.sessions(status="finished"))
    return Stats(now, tuple(result), dict(sorted(finished.items())), len(store.unfinished_sessions()),
                 len(all_answers) - len(answers), str(store.path))


# -- output -----------------------------------------------------------------------------------

def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _group_json(g: GroupStats) -> dict[str, Any]:
    data: dict[str, Any] = {"id": g.topic if g.topic is not None else g.pack_id, "title": g.title,
                            "questions": g.questions, "seen": g.seen, "attempts": g.attempts, "right": g.right,
                            "accuracy": _rate(g.accuracy), "trend": [_rate(t) for t in g.trend], "due": g.due}
    return data


def stats_json(stats: Stats, readiness: Readiness | None = None) -> dict[str, Any]:
    """Plain JSON data; accuracies are fractions (0..1), times ISO 8601 UTC. Each pack and topic has
    questions (a count), seen, attempts, right, accuracy, trend, due; a pack also has its
    topics and by_question (attempts and last result of every question). With `readiness`, each
    pack also has forecast and study_next, each topic forecast, and the top level calibration
    (quizapp.study.forecast.report)."""
    from quizapp.study.forecast.report import calibration_json, pack_forecast_json, topic_forecasts_json

    packs = []
    for p in stats.packs:
        data = _group_json(p.total)
        data["topics"] = [_group_json(t) for t in p.topics]
        ready = readiness.pack(p.pack_id) if readiness is not None else None
        if ready is not None:
            data.update(pack_forecast_json(ready))
            by_topic = topic_forecasts_json(ready)
            for topic in data["topics"]:
                topic["forecast"] = by_topic.get(topic["id"])
        data["by_question"] = [{
            "key": q.key, "id": q.question_id, "topic": q.topic, "attempts": q.attempts, "right": q.right,
            "last_result": None if q.last_correct is None else ("right" if q.last_correct else "wrong"),
            "last_answered": _iso(q.last_answered), "due": _iso(q.due)} for q in p.questions]
        packs.append(data)
    data = {"generated_at": _iso(stats.generated_at), "database": stats.database, "packs": packs,
            "sessions": stats.sessions, "unfinished_sessions": stats.unfinished,
            "orphaned_answers": stats.orphaned_answers}
    if readiness is not None:
        data["calibration"] = calibration_json(readiness)
    return data


def _percent(value: float | None) -> str:
    return "–" if value is None else _("{value}%").format(value=num(100 * value, ".0f"))


def _trend(trend: Sequence[float]) -> str:
    return " → ".join(num(100 * t, ".0f") for t in trend) if trend else "–"


def render_stats(stats: Stats, questions: bool = False):
    """A rich renderable: one table per pack (topics and the pack total), and with
    `questions` a table of every question's attempts and last result."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    if not stats.packs:
        parts.append(Text(_("No packs loaded.")))
    for p in stats.packs:
        table = Table(title=f"{p.total.title} ({p.pack_id})", title_justify="left", expand=False)
        table.add_column(_("Topic"), ratio=1, min_width=18)  # German topic words ("Positionskodierung") fit whole
        for column, justify in ((_("Questions"), "right"), (_("Seen"), "right"), (_("Attempts"), "right"),
                                (_("Accuracy"), "right"), (_("Trend %"), "left"), (_("Due"), "right")):
            table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        for g in (*p.topics, p.total):
            style = "bold" if g.topic is None else None
            table.add_row(_("All topics") if g.topic is None else g.title, str(g.questions), str(g.seen),
                          str(g.attempts), _percent(g.accuracy), _trend(g.trend), str(g.due), style=style,
                          end_section=g is p.topics[-1] if p.topics else False)
        parts.append(table)
        if questions:
            qt = Table(title=_("Questions of {pack}").format(pack=p.pack_id), title_justify="left")
            for column in (_("Question"), _("Topic"), _("Attempts"), _("Right"), _("Last result"), _("Last answered")):
                qt.add_column(column)
            for q in p.questions:
                last = "–" if q.last_correct is None else (_("right") if q.last_correct else _("wrong"))
                when = ("–" if q.last_answered is None
                        else datetime.fromtimestamp(q.last_answered).strftime("%Y-%m-%d %H:%M"))
                qt.add_row(q.question_id, q.topic, str(q.attempts), str(q.right), last, when)
            parts.append(qt)
    from quizapp.progress.records import MODE_NAMES

    sessions = ", ".join(f"{n} {_(MODE_NAMES.get(mode, mode))}" for mode, n in stats.sessions.items()) or _("none")
    footer = _("Trend: accuracy in each of the last {n} sessions, oldest first. "
               "Due: for review by the end of today. Finished sessions: {sessions}.").format(
        n=TREND_SESSIONS, sessions=sessions)
    if stats.unfinished:
        footer += " " + _("Unfinished: {n} (offered for resuming at the next start).").format(n=stats.unfinished)
    if stats.orphaned_answers:
        footer += " " + _("{n} answers belong to questions no longer in the loaded packs.").format(
            n=stats.orphaned_answers)
    parts.append(Text(footer, style="dim"))
    parts.append(Text(_("Database: {path}").format(path=stats.database), style="dim"))
    return Group(*parts)


def stats_main(argv: Sequence[str], prog: str = "quizapp stats") -> int:
    """`quizapp stats [--json] [--questions] [--pack PATH]...`"""
    from pathlib import Path

    from quizapp.catalog import load_catalog, missing_pack_error
    from quizapp.locations import pack_cache_dir, user_pack_dir
    from quizapp.progress.db import StoreError, open_store

    parser = argparse.ArgumentParser(prog=prog, description=_("Show your progress per pack, topic and question."))
    parser.add_argument("--json", action="store_true", help=_("print JSON instead of tables"))
    parser.add_argument("--questions", action="store_true", help=_("also list every question"))
    parser.add_argument("--pack", action="append", default=[], type=Path, metavar="PATH",
                        help=_("also load this pack file or folder (repeatable)"))
    try:
        ns = parser.parse_args(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    error = missing_pack_error(prog, ns.pack)
    if error:
        print(error, file=sys.stderr)
        return 2
    try:
        store = open_store()
    except StoreError as error:
        print(_("{prog}: error: {error}").format(prog=prog, error=error), file=sys.stderr)
        return 1
    try:
        if store.message:
            print(f"{prog}: {store.message}", file=sys.stderr)
        catalog = load_catalog(list(ns.pack), user_pack_dir(), pack_cache_dir())
        from quizapp.study.forecast.report import collect_readiness
        # JSON is for programs: the titles in it are the packs' own, whatever the interface language.
        with in_language("en") if ns.json else nullcontext():
            stats = collect_stats(store, catalog.packs)
            readiness = collect_readiness(store, catalog.packs, stats.generated_at)
    finally:
        store.close()
    if ns.json:
        json.dump(stats_json(stats, readiness), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from rich.console import Console

        from quizapp.study.forecast.report import render_readiness
        console = Console()
        console.print(render_stats(stats, questions=ns.questions))
        console.print(render_readiness(readiness))
    return 0
