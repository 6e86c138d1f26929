"""Copy what SQLite can still read from a damaged progress database into a fresh one.

A damaged file is kept aside (db.open_store) and a fresh one started; the
learner's answers need not be lost with it. Each table is read in key order;
when a read fails (a damaged page), the scan goes on after the last key read,
skipping ahead in growing steps for integer keys, so one bad page costs the
rows on it and not the rest. A row whose JSON columns do not parse is left
out. Answers whose session was lost get a stand-in session (abandoned, so it
is never offered for resuming); a review's lost session becomes NULL.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizapp.i18n import _, ngettext, num

# table -> key columns (the scan order), and JSON columns with the type they must hold (None allowed when nullable)
TABLES: dict[str, tuple[tuple[str, ...], dict[str, tuple[type, bool]]]] = {
    "sessions": (("id",), {"settings": (dict, False), "summary": (dict, True), "flags": (list, False)}),
    "session_items": (("session_id", "position"), {"choice_order": (list, False), "drawn": (dict, True)}),
    "answers": (("id",), {"picked": (list, False), "picked_choices": (list, False)}),
    "cards": (("question_key",), {"card": (dict, False)}),
    "review_logs": (("id",), {"card_before": (dict, True)}),
    "predictions": (("id",), {}),  # the forecast's calibration pairs
}
MAX_FAILED_READS = 64  # per table: then what was read is what is kept


@dataclass(frozen=True)
class Salvaged:
    answers: int = 0
    sessions: int = 0
    cards: int = 0
    reviews: int = 0

    def clause(self) -> str:
        """What was kept, to end the sentence about the damaged file."""
        if not (self.answers or self.sessions or self.cards or self.reviews):
            return _("nothing in it could be read")
        return _("{answers}, {sessions} and {cards} could still be read from it and were kept").format(
            answers=ngettext("{n} answer", "{n} answers", self.answers).format(n=num(self.answers, ",")),
            sessions=ngettext("{n} session", "{n} sessions", self.sessions).format(n=num(self.sessions, ",")),
            cards=ngettext("{n} review card", "{n} review cards", self.cards).format(n=num(self.cards, ",")))


def salvage(backup: Path, fresh: sqlite3.Connection) -> Salvaged:
    """Copy the readable rows of `backup` into `fresh` (migrated, autocommit); never raises for a bad backup."""
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    except sqlite3.Error:
        return Salvaged()
    counts: dict[str, int] = {}
    try:
        fresh.execute("PRAGMA foreign_keys = OFF")  # rows arrive table by table; checked at the end
        fresh.execute("BEGIN IMMEDIATE")
        try:
            for table, (keys, json_columns) in TABLES.items():
                counts[table] = _copy(source, fresh, table, keys, json_columns)
            _mend_references(fresh)
            fresh.execute("COMMIT")
        except sqlite3.Error:
            fresh.execute("ROLLBACK")
            return Salvaged()
    finally:
        source.close()
        fresh.execute("PRAGMA foreign_keys = ON")
    return Salvaged(counts["answers"], counts["sessions"], counts["cards"], counts["review_logs"])


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    except sqlite3.Error:
        return []


def _copy(source: sqlite3.Connection, fresh: sqlite3.Connection, table: str, keys: tuple[str, ...],
          json_columns: dict[str, tuple[type, bool]]) -> int:
    present = set(_columns(source, table))
    if not set(keys) <= present:
        return 0
    columns = list(keys) + [c for c in _columns(fresh, table) if c in present and c not in keys]
    insert = (f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' * len(columns))})")
    checks = [(columns.index(c), kind, nullable) for c, (kind, nullable) in json_columns.items() if c in columns]
    copied = 0
    for row in _readable_rows(source, table, keys, columns):
        if all(_json_ok(row[i], kind, nullable) for i, kind, nullable in checks):
            copied += fresh.execute(insert, row).rowcount
    return copied


def _readable_rows(source: sqlite3.Connection, table: str, keys: tuple[str, ...],
                   columns: list[str]) -> Iterator[tuple[Any, ...]]:
    order = ", ".join(keys)
    select = f"SELECT {', '.join(columns)} FROM {table}"
    after: tuple[Any, ...] | None = None
    step = 1
    for _attempt in range(MAX_FAILED_READS):
        try:
            if after is None:
                rows = source.execute(f"{select} ORDER BY {order}")
            else:
                rows = source.execute(f"{select} WHERE ({order}) > ({', '.join('?' * len(keys))}) ORDER BY {order}",
                                      after)
            for row in rows:
                yield row
                after, step = tuple(row[:len(keys)]), 1
            return
        except sqlite3.DatabaseError:
            last = after[0] if after is not None else 0
            if len(keys) != 1 or not isinstance(last, int):
                return  # no way to step over a damaged page of a text or composite key
            after, step = (last + step,), step * 4


def _json_ok(value: Any, kind: type, nullable: bool) -> bool:
    if value is None:
        return nullable
    try:
        return isinstance(json.loads(value), kind)
    except (TypeError, ValueError):
        return False


def _mend_references(fresh: sqlite3.Connection) -> None:
    """Answers keep a (stand-in) session; items and forecasts without a session go; reviews forget a lost
    session; a forecast whose answer was lost is unpaired."""
    fresh.execute(
        "INSERT INTO sessions (id, mode, settings, started_at, finished_at, status)"
        " SELECT session_id, 'practice', '{}', MIN(answered_at), MAX(answered_at), 'abandoned' FROM answers"
        " WHERE session_id NOT IN (SELECT id FROM sessions) GROUP BY session_id")
    fresh.execute("DELETE FROM session_items WHERE session_id NOT IN (SELECT id FROM sessions)")
    fresh.execute("UPDATE review_logs SET session_id = NULL"
                  " WHERE session_id IS NOT NULL AND session_id NOT IN (SELECT id FROM sessions)")
    fresh.execute("DELETE FROM predictions WHERE session_id NOT IN (SELECT id FROM sessions)")
    fresh.execute("UPDATE predictions SET answer_id = NULL"
                  " WHERE answer_id IS NOT NULL AND answer_id NOT IN (SELECT id FROM answers)")
