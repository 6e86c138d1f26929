"""Every file path the app uses, in one place. QUIZAPP_HOME overrides the user data folder, QUIZAPP_CACHE the cache."""
from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    override = os.environ.get("QUIZAPP_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs
    return Path(platformdirs.user_data_dir("quizapp", appauthor=False))


def user_pack_dir() -> Path:
    """Packs dropped here load on every start, next to the bundled ones."""
    return home() / "packs"


def database_path() -> Path:
    """The progress database: sessions, answers, FSRS cards and review logs."""
    return home() / "progress.sqlite3"


def settings_path() -> Path:
    """The learner's remembered choices (language, pseudonym, ...), a small JSON object."""
    return home() / "settings.json"


def crash_report_dir() -> Path:
    """Where an unexpected internal error writes its full report (the terminal gets one line)."""
    return home() / "crash-reports"


def cache_dir() -> Path:
    """Files the app can rebuild (the pack cache): QUIZAPP_CACHE, else QUIZAPP_HOME/cache, else the user cache folder."""
    override = os.environ.get("QUIZAPP_CACHE")
    if override:
        return Path(override).expanduser()
    if os.environ.get("QUIZAPP_HOME"):
        return home() / "cache"
    import platformdirs
    return Path(platformdirs.user_cache_dir("quizapp", appauthor=False))


def pack_cache_dir() -> Path:
    """Loaded packs, so that an unchanged pack is not parsed at every start (question_bank.cache)."""
    return cache_dir() / "packs"
