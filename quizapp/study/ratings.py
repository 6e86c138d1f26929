"""The FSRS review ratings as the learner sees and changes them after an answer."""
from __future__ import annotations

from fsrs import Rating

RATING_KEYS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)  # keys 1–4


def rating_line(rating: Rating) -> str:
    keys = "  ".join(f"{i + 1} {r.name}" for i, r in enumerate(RATING_KEYS))
    return f"Next review scheduled as [b]{rating.name}[/b]  ·  to change: {keys}"
