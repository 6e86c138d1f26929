"""The result line: one answer as one JSON object (docs/INSTRUCTORS.md, "Class results").

    {"learner": "k3v9q2ab", "pack": "llm-foundations", "pack_version": "1.0.0", "question": "ppo-pi-theta-role",
     "picked": [1], "correct": false, "seconds": 12.4, "mode": "exam", "session": "17", "at": "2026-12-02T10:04:11Z"}

`picked` holds choice indices in the pack's order (0-based), whatever order the session
showed them in; a calculated question's drawn instance has its own order (0 is the computed
answer) and the line adds `"params"`, the values it was drawn with.
"""
from __future__ import annotations

from datetime import UTC, datetime

MODES = ("practice", "exam", "review", "drill")
PRACTICE_MODES = ("practice", "review", "drill")  # what `quizapp report --mode practice` keeps
REQUIRED = ("learner", "pack", "question", "picked", "correct", "at")
MAX_PICK = 63  # a choice index; the format allows 8 choices, the reader keeps headroom for other tools


def iso_utc(timestamp: float) -> str:
    """Unix seconds as ISO 8601 in UTC with a Z, to the second."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> float:
    """ISO 8601 to Unix seconds; a time without a zone is read as UTC. ValueError when it is not one."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()
