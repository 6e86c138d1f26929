"""The progress database schema, as an ordered list of migrations.

`PRAGMA user_version` holds the number of migrations applied. A migration is a
tuple of SQL statements run in one write transaction together with the version
bump, so a crash mid-migration leaves the previous version intact. Never edit a
released migration; append a new one.

Times are Unix seconds (REAL, UTC); lists and dicts are JSON text.
"""
from __future__ import annotations

import sqlite3

from quizapp.i18n import _

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions, the items they asked, and every answer given.
    (
        """CREATE TABLE sessions (
            id          INTEGER PRIMARY KEY,
            mode        TEXT NOT NULL,               -- practice | exam | review | drill
            pack_id     TEXT,                        -- the session's pack; NULL when it spans several
            settings    TEXT NOT NULL DEFAULT '{}',  -- JSON: what the learner chose (topics, count, time limit...)
            started_at  REAL NOT NULL,
            finished_at REAL,
            status      TEXT NOT NULL DEFAULT 'open', -- open | finished | abandoned
            summary     TEXT                         -- JSON, written when the session finishes
        )""",
        """CREATE TABLE session_items (
            session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            position     INTEGER NOT NULL,
            question_key TEXT NOT NULL,              -- pack_id/question_id
            choice_order TEXT NOT NULL,              -- JSON: pack choice index per display position
            PRIMARY KEY (session_id, position)
        ) WITHOUT ROWID""",
        """CREATE TABLE answers (
            id             INTEGER PRIMARY KEY,
            session_id     INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            position       INTEGER NOT NULL,
            question_key   TEXT NOT NULL,
            picked         TEXT NOT NULL,            -- JSON: display positions
            picked_choices TEXT NOT NULL,            -- JSON: pack choice indices (stable across shuffles)
            correct        INTEGER NOT NULL,
            seconds        REAL NOT NULL,
            answered_at    REAL NOT NULL
        )""",
        "CREATE INDEX answers_by_question ON answers(question_key, answered_at)",
        "CREATE INDEX answers_by_session ON answers(session_id, position)",
    ),
    # 2: resumable exams (time left, flags, where the learner was), which process owns a
    #    session, answers that a later change replaced, and FSRS cards with their review log.
    (
        "ALTER TABLE sessions ADD COLUMN owner TEXT",  # host:pid of the process running it
        "ALTER TABLE sessions ADD COLUMN remaining_seconds REAL",  # exam time left (NULL: untimed)
        "ALTER TABLE sessions ADD COLUMN used_seconds REAL",       # exam time spent so far
        "ALTER TABLE sessions ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE sessions ADD COLUMN current_position INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sessions ADD COLUMN state_saved_at REAL",
        "CREATE INDEX sessions_by_status ON sessions(status)",
        "ALTER TABLE answers ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0",
        # Version 1 kept every answer; the latest per position is the one that counts.
        """UPDATE answers SET superseded = 1
           WHERE id NOT IN (SELECT MAX(id) FROM answers GROUP BY session_id, position)""",
        """CREATE TABLE cards (
            question_key TEXT PRIMARY KEY,
            card         TEXT NOT NULL,              -- JSON: fsrs.Card.to_dict()
            due          REAL NOT NULL,
            state        INTEGER NOT NULL,           -- fsrs.State
            updated_at   REAL NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX cards_by_due ON cards(due)",
        """CREATE TABLE review_logs (
            id           INTEGER PRIMARY KEY,
            question_key TEXT NOT NULL,
            session_id   INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            rating       INTEGER NOT NULL,           -- fsrs.Rating applied
            suggested    INTEGER NOT NULL,           -- the rating the app derived before any override
            reviewed_at  REAL NOT NULL,
            duration_ms  INTEGER,
            card_before  TEXT                        -- JSON card before this review (NULL: new card), for overrides
        )""",
        "CREATE INDEX review_logs_by_question ON review_logs(question_key, id)",
    ),
    # 3: the parameter values a calculated question was drawn with, so a resumed session or a
    #    review shows the same numbers (JSON; NULL for ordinary questions).
    (
        "ALTER TABLE session_items ADD COLUMN drawn TEXT",
    ),
    # 4: the version of the pack a session was drawn from, so exported results can be matched
    #    to the pack an instructor analyses (NULL: not recorded, or the pack has no version).
    (
        "ALTER TABLE sessions ADD COLUMN pack_version TEXT",
    ),
    # 5: the exam forecast's prediction for a question, stored when the question is put up
    #    (before the answer) and paired with the answer in the answer's own transaction, so
    #    calibration can be measured on honest pairs. A prediction whose answer never came
    #    (a crash, a question left open) stays unpaired and is never counted.
    (
        """CREATE TABLE predictions (
            id             INTEGER PRIMARY KEY,
            session_id     INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            position       INTEGER NOT NULL,
            question_key   TEXT NOT NULL,
            predicted_at   REAL NOT NULL,
            probability    REAL NOT NULL,           -- the forecast that the answer will be right
            running        REAL NOT NULL,           -- baseline: the learner's running accuracy then
            retrievability REAL,                    -- FSRS retrievability then (NULL: never seen)
            prior          REAL NOT NULL,           -- the topic estimate for this question then
            answer_id      INTEGER REFERENCES answers(id) ON DELETE SET NULL,  -- the answer it is paired with
            UNIQUE (session_id, position)
        )""",
        "CREATE INDEX predictions_by_answer ON predictions(answer_id)",
    ),
)

CURRENT_VERSION = len(MIGRATIONS)


class NewerSchemaError(Exception):
    def __init__(self, found: int) -> None:
        super().__init__(_("schema version {found}, this quizapp knows up to {current}").format(
            found=found, current=CURRENT_VERSION))
        self.found = found


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = CURRENT_VERSION) -> int:
    """Bring the database to `target` (default: current); returns the version it started at.

    `conn` must be in autocommit mode (isolation_level=None). Safe when two processes
    open a fresh database at once: the version is re-read inside the write lock.
    """
    found = schema_version(conn)
    if found > CURRENT_VERSION:
        raise NewerSchemaError(found)
    if found >= target:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(conn)
        for version in range(found, target):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
