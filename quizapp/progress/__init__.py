"""Progress storage: sessions, answers, FSRS cards and review logs in one SQLite file.

Plain Python (sqlite3 only); the study modes and the screens build on it.
"""
from quizapp.progress.db import Store, StoreError, open_store
from quizapp.progress.records import (AnswerRecord, CardRecord, ItemRecord, PredictionPair, ReviewRecord,
                                      SessionRecord)
from quizapp.progress.schema import CURRENT_VERSION, MIGRATIONS, migrate

__all__ = ["AnswerRecord", "CURRENT_VERSION", "CardRecord", "ItemRecord", "MIGRATIONS", "PredictionPair",
           "ReviewRecord", "SessionRecord", "Store", "StoreError", "migrate", "open_store"]
