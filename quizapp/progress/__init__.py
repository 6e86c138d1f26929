"""Progress storage: sessions, answers, FSRS cards and review logs in one SQLite file.

Plain Python (sqlite3 only); the study modes and the screens build on it.
"""
from typing import Any

from quizapp.progress.db import Store, StoreError, open_store
from quizapp.progress.schema import CURRENT_VERSION, MIGRATIONS, migrate

# The record classes load when first asked for: building their dataclasses costs more than the rest
# of the store, and the first screen needs none of them.
_RECORDS = frozenset({"AnswerRecord", "CardRecord", "ItemRecord", "PredictionPair", "ReviewRecord", "SessionRecord"})


def __getattr__(name: str) -> Any:
    if name in _RECORDS:
        from quizapp.progress import records
        return getattr(records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["AnswerRecord", "CURRENT_VERSION", "CardRecord", "ItemRecord", "MIGRATIONS", "PredictionPair",
           "ReviewRecord", "SessionRecord", "Store", "StoreError", "migrate", "open_store"]
