"""`quizapp results export`: the learner's answers as JSON Lines, streamed from the progress store.

Nothing personal is written: the learner appears under a random pseudonym kept in the
settings (the same one on every export, so an instructor can tell one learner's files apart),
unless they choose a name with --learner.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from quizapp import settings
from quizapp.i18n import _
from quizapp.progress.records import ResultRow
from quizapp.results.format import iso_utc

PSEUDONYM_KEY = "pseudonym"
PSEUDONYM_LENGTH = 8
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: easy to read aloud


def pseudonym(path: Path | None = None) -> tuple[str, str | None]:
    """The learner's pseudonym, made and saved on first use; and a warning when it could not be saved."""
    known = settings.get(PSEUDONYM_KEY, path=path)
    if isinstance(known, str) and known:
        return known, None
    name = "".join(secrets.choice(_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    try:
        settings.put(PSEUDONYM_KEY, name, path)
    except settings.SettingsError as error:
        return name, _("{reason}; the next export will use another pseudonym").format(reason=error)
    return name, None


def result_line(row: ResultRow, learner: str) -> dict[str, Any]:
    pack, _slash, question = row.question_key.partition("/")
    line: dict[str, Any] = {"learner": learner, "pack": pack, "pack_version": row.pack_version,
                            "question": question, "picked": list(row.picked_choices), "correct": row.correct,
                            "seconds": round(row.seconds, 2), "mode": row.mode, "session": str(row.session_id),
                            "at": iso_utc(row.answered_at)}
    if row.drawn is not None:
        line["params"] = dict(row.drawn)
    return line


def write_results(rows: Iterable[ResultRow], learner: str, out: TextIO) -> int:
    """Write one line per answer; returns how many."""
    count = 0
    for row in rows:
        out.write(json.dumps(result_line(row, learner), ensure_ascii=False, separators=(", ", ": ")) + "\n")
        count += 1
    return count
