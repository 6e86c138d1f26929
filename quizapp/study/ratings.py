"""The FSRS review ratings as the learner sees and changes them after an answer."""
from __future__ import annotations

from fsrs import Rating

from quizapp.i18n import N_, _

RATING_KEYS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)  # keys 1–4
RATING_NAMES = {Rating.Again: N_("Again"), Rating.Hard: N_("Hard"), Rating.Good: N_("Good"), Rating.Easy: N_("Easy")}


def rating_name(rating: Rating) -> str:
    return _(RATING_NAMES[rating])


def rating_keys() -> str:
    """"1 Again  2 Hard  3 Good  4 Easy" in the interface language: the keys that change a rating."""
    return "  ".join(f"{i + 1} {rating_name(r)}" for i, r in enumerate(RATING_KEYS))


def rating_line(rating: Rating) -> str:
    return _("Next review scheduled as [b]{rating}[/b]  ·  to change: {keys}").format(
        rating=rating_name(rating), keys=rating_keys())


def parse_rating(text: str) -> Rating | None:
    """A typed rating: its key 1–4 or its name (in the interface language or in English); None when not one."""
    word = text.strip().lower()
    for i, rating in enumerate(RATING_KEYS):
        if word in {str(i + 1), rating_name(rating).lower(), RATING_NAMES[rating].lower()}:
            return rating
    return None
