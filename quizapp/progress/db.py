"""The progress store: one SQLite file, safe against kills and against a second process.

- WAL journal, a busy timeout, and short write transactions (`BEGIN IMMEDIATE`), so two
  quizapp processes on the same file queue their writes instead of losing them.
- Every answer is its own committed transaction: a process killed right after an answer
  keeps it (synchronous=FULL also keeps it through a power cut).
- `PRAGMA user_version` + `schema.MIGRATIONS` version the schema.
- A file that is not a readable SQLite database is moved aside
  (`progress.sqlite3.corrupt-YYYYmmdd-HHMMSS`) and a fresh one is started with every row
  SQLite can still read from it (progress.salvage); the store carries `recovered_from`,
  `salvaged` (the counts) and a `message` for the UI that says how many answers were kept.
- A data folder quizapp cannot write to is reported as such, before anything is opened.

One `Store` (one connection) per process; it may be shared between threads.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.i18n import _
from quizapp.progress.schema import CURRENT_VERSION, NewerSchemaError, migrate

# The record classes (progress.records) and the salvage of a corrupt file are imported where they are
# used: their dataclasses cost more to build than the rest of the store, and opening the store for the
# first screen needs none of them.
if TYPE_CHECKING:
    from quizapp.progress.records import (AnswerRecord, CardRecord, ItemRecord, PredictionPair, ResultRow, ReviewRecord,
                                          SessionRecord)
    from quizapp.progress.salvage import Salvaged

BUSY_TIMEOUT_MS = 15_000
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class StoreError(Exception):
    """The database cannot be used; str(error) is one sentence for the learner."""


class _Unreadable(Exception):
    """The file exists but is not a readable SQLite database (corrupt, garbage, no permission)."""


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(owner: str | None) -> bool:
    """Whether `owner` ("host:pid") is another process, still running on this machine.

    Only checked on POSIX; elsewhere (and for other hosts) a session is never considered
    in use by someone else, so it is always offered for resuming.
    """
    if not owner or os.name != "posix":
        return False
    host, _, pid_text = owner.rpartition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname() or pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    except OSError:
        return False
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _code(error: sqlite3.Error) -> int:
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def _connect(path: Path) -> sqlite3.Connection:
    """_open, retried while another process holds the lock: switching a fresh file to WAL
    fails at once with "database is locked" instead of waiting for the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.01
    while True:
        try:
            return _open(path)
        except sqlite3.OperationalError as error:
            if _code(error) not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def _open(path: Path) -> sqlite3.Connection:
    """Open, configure, check and migrate; raises _Unreadable for a bad file."""
    existed = path.exists()
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as error:
        if existed and _code(error) in _CORRUPT_CODES | {sqlite3.SQLITE_CANTOPEN}:
            raise _Unreadable(str(error)) from error
        raise
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            raise _Unreadable(_("integrity check failed: {details}").format(
                details="; ".join(str(r[0]) for r in rows[:3])))
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except _Unreadable:
        conn.close()
        raise
    except sqlite3.DatabaseError as error:
        conn.close()
        code = _code(error)
        if code in _CORRUPT_CODES or (existed and code == sqlite3.SQLITE_CANTOPEN):
            raise _Unreadable(str(error)) from error
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def _move_aside(path: Path, when: float) -> Path:
    stamp = datetime.fromtimestamp(when).strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, backup)
    for suffix in ("-wal", "-shm", "-journal"):  # a stale journal must not meet the fresh file
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, backup.with_name(backup.name + suffix))
    return backup


def open_store(path: str | os.PathLike[str] | None = None) -> Store:
    """The progress store at `path` (default: locations.database_path()).

    Raises StoreError (one sentence) when no usable database can be had, e.g. the folder
    is not writable or the file comes from a newer quizapp.
    """
    if path is None:
        from quizapp.locations import database_path
        path = database_path()
    path = Path(path)
    # Readable but not writable is a setup problem, not corruption: say so, keep the file where it is.
    # (An unreadable file is treated like a corrupt one below: kept aside, a fresh one started.)
    if path.is_file() and os.access(path, os.R_OK) and not os.access(path, os.W_OK):
        raise StoreError(_("the progress database {path} is read-only; quizapp needs to write your answers there").format(
            path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(_("cannot create the folder for the progress database {folder}: {reason}").format(
            folder=path.parent, reason=error.strerror or error)) from None
    # SQLite writes its journal beside the file: a folder it cannot write to is not a damaged database.
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(_("the data folder {folder} is read-only; quizapp needs to write your progress there (set "
                           "QUIZAPP_HOME to use another folder)").format(folder=path.parent))
    try:
        try:
            return Store(_connect(path), path)
        except _Unreadable as problem:
            reason = str(problem)
        try:  # another quizapp starting at the same moment may have replaced it already
            return Store(_connect(path), path)
        except _Unreadable:
            pass
        try:
            backup = _move_aside(path, time.time())
        except OSError as error:
            raise StoreError(_("the progress database {path} cannot be read ({reason}) and cannot be moved aside "
                               "({problem})").format(path=path, reason=reason, problem=error.strerror or error)) from None
        try:
            conn = _connect(path)
        except _Unreadable as problem:
            raise StoreError(_("cannot start a fresh progress database at {path}: {reason}").format(
                path=path, reason=problem)) from None
        from quizapp.progress.salvage import salvage
        saved = salvage(backup, conn)
        message = _("Your progress database could not be read ({reason}), so it was kept as {backup} and a fresh one "
                    "was started; {kept}.").format(reason=reason, backup=backup, kept=saved.clause())
        return Store(conn, path, recovered_from=backup, message=message, salvaged=saved)
    except NewerSchemaError as error:
        raise StoreError(_("the progress database {path} was written by a newer quizapp ({reason}); please update "
                           "quizapp").format(path=path, reason=error)) from None
    except sqlite3.Error as error:
        raise StoreError(_("cannot use the progress database {path}: {reason}").format(path=path, reason=error)) from None


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path, recovered_from: Path | None = None,
                 message: str | None = None, salvaged: Salvaged | None = None) -> None:
        self._conn = conn
        self.path = path
        self.recovered_from = recovered_from  # where a corrupt file was kept, when one was found
        self.message = message                # for the UI when recovered_from is set
        self.salvaged = salvaged              # what was copied from the corrupt file
        self._lock = threading.RLock()
        self._depth = 0
        self._active: set[int] = set()       # sessions this process is running right now

    # -- plumbing -----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """One write transaction (BEGIN IMMEDIATE); nested uses join the outer one.

        Read-modify-write sequences (FSRS reviews) run inside it so another process
        cannot slip in between the read and the write.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(_("could not save your progress in {path}: {reason}").format(
                    path=self.path, reason=error)) from error
            self._depth = 1
            try:
                yield self
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise StoreError(_("could not save your progress in {path}: {reason}").format(
                        path=self.path, reason=error)) from error
                raise
            finally:
                self._depth = 0

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs (a plain BEGIN takes no write lock)."""
        with self._lock:
            if self._depth:
                yield self._conn
                return
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    # -- sessions -----------------------------------------------------------------------------

    def start_session(self, mode: str, pack_id: str | None,
                      items: Iterable[tuple[str, Sequence[int]] | tuple[str, Sequence[int], Mapping[str, Any] | None]],
                      settings: Mapping[str, Any] | None = None, *, started_at: float | None = None,
                      remaining_seconds: float | None = None, pack_version: str | None = None) -> int:
        """Record a new open session with its items (question key, choice order, and for a calculated
        question the parameter values it was drawn with) and return its id."""
        from quizapp.progress.records import MODES
        if mode not in MODES:
            raise ValueError(_("unknown mode {mode} (expected one of {modes})").format(mode=repr(mode),
                                                                                      modes=", ".join(MODES)))
        started_at = time.time() if started_at is None else started_at
        rows = [(item[0], _json([int(i) for i in item[1]]), _json(dict(item[2])) if len(item) > 2 and item[2] else None)
                for item in items]
        with self.writing():
            cursor = self._execute(
                "INSERT INTO sessions (mode, pack_id, settings, started_at, status, owner, remaining_seconds,"
                " state_saved_at, pack_version) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                (mode, pack_id, _json(dict(settings or {})), started_at, this_process(), remaining_seconds,
                 started_at, pack_version))
            session_id = int(cursor.lastrowid)
            self._conn.executemany(
                "INSERT INTO session_items (session_id, position, question_key, choice_order, drawn)"
                " VALUES (?, ?, ?, ?, ?)",
                [(session_id, pos, key, order, drawn) for pos, (key, order, drawn) in enumerate(rows)])
        self._active.add(session_id)
        return session_id

    def record_answer(self, session_id: int, position: int, question_key: str, picked: Iterable[int],
                      picked_choices: Iterable[int], correct: bool, seconds: float,
                      answered_at: float | None = None) -> int:
        """Commit one answer now. A later answer at the same position replaces it (the old row is
        kept, marked superseded), which is how an exam answer changes before submission."""
        answered_at = time.time() if answered_at is None else answered_at
        with self.writing():
            self._execute("UPDATE answers SET superseded = 1 WHERE session_id = ? AND position = ? AND superseded = 0",
                          (session_id, position))
            cursor = self._execute(
                "INSERT INTO answers (session_id, position, question_key, picked, picked_choices, correct, seconds,"
                " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, position, question_key, _json(sorted(int(p) for p in picked)),
                 _json(sorted(int(c) for c in picked_choices)), int(bool(correct)), float(seconds), answered_at))
            answer_id = int(cursor.lastrowid)
            # Pair the forecast made for this question before the answer (none made later can be).
            self._execute("UPDATE predictions SET answer_id = ? WHERE session_id = ? AND position = ?"
                          " AND question_key = ? AND predicted_at <= ?",
                          (answer_id, session_id, position, question_key, answered_at))
            return answer_id

    def clear_answer(self, session_id: int, position: int) -> None:
        """The learner took an (exam) answer back: the position is open again; history is kept."""
        with self.writing():
            self._execute("UPDATE answers SET superseded = 1 WHERE session_id = ? AND position = ? AND superseded = 0",
                          (session_id, position))

    def save_exam_state(self, session_id: int, remaining_seconds: float | None, flags: Iterable[int],
                        current_position: int, used_seconds: float | None = None,
                        saved_at: float | None = None) -> None:
        """Where an exam stands: time left (None: untimed), flagged positions, the position shown."""
        saved_at = time.time() if saved_at is None else saved_at
        with self.writing():
            self._execute("UPDATE sessions SET remaining_seconds = ?, used_seconds = ?, flags = ?,"
                          " current_position = ?, state_saved_at = ? WHERE id = ?",
                          (remaining_seconds, used_seconds, _json(sorted(int(f) for f in flags)),
                           int(current_position), saved_at, session_id))

    def finish_session(self, session_id: int, summary: Mapping[str, Any] | None = None,
                       finished_at: float | None = None) -> None:
        finished_at = time.time() if finished_at is None else finished_at
        with self.writing():
            self._execute("UPDATE sessions SET status = 'finished', finished_at = ?, summary = ? WHERE id = ?",
                          (finished_at, _json(dict(summary or {})), session_id))
        self._active.discard(session_id)

    def abandon_session(self, session_id: int) -> None:
        """Never offer this session for resuming again; its answers still count in the statistics."""
        with self.writing():
            self._execute("UPDATE sessions SET status = 'abandoned', finished_at = ? WHERE id = ? AND status = 'open'",
                          (time.time(), session_id))
        self._active.discard(session_id)

    def release_session(self, session_id: int) -> None:
        """This process stops running the session but leaves it open (it will be offered for resuming)."""
        self._active.discard(session_id)

    def claim_session(self, session_id: int) -> bool:
        """Take over an open session for this process; False if it is finished or another live
        process is running it (so two processes never resume the same session)."""
        with self.writing():
            row = self._execute("SELECT status, owner FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None or row[0] != "open":
                return False
            if process_alive(row[1]) or (row[1] == this_process() and session_id in self._active):
                return False
            self._execute("UPDATE sessions SET owner = ? WHERE id = ?", (this_process(), session_id))
        self._active.add(session_id)
        return True

    def session(self, session_id: int) -> SessionRecord | None:
        with self._reading():
            row = self._execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
            return None if row is None else self._session_record(row)

    def unfinished_sessions(self) -> list[SessionRecord]:
        """Open sessions nobody is running: killed or closed mid-way. Newest first."""
        with self._reading():
            rows = self._execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE status = 'open'"
                                 " ORDER BY id DESC").fetchall()
            records = [self._session_record(row) for row in rows]
        return [r for r in records if r.id not in self._active and not process_alive(r.owner)]

    def sessions(self, status: str | None = None, limit: int | None = None) -> list[SessionRecord]:
        """Sessions, newest first (without items and answers loaded: use session(id) for those)."""
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions"
        params: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading():
            return [self._session_record(row, details=False) for row in self._execute(sql, params).fetchall()]

    def _session_record(self, row: Sequence[Any], details: bool = True) -> SessionRecord:
        (sid, mode, pack_id, settings, status, started_at, finished_at, summary, owner, remaining, used, flags,
         current, saved_at) = row
        items: tuple[ItemRecord, ...] = ()
        answers: dict[int, AnswerRecord] = {}
        if details:
            from quizapp.progress.records import ItemRecord
            items = tuple(ItemRecord(pos, key, tuple(json.loads(order)), json.loads(drawn) if drawn else None)
                          for pos, key, order, drawn in self._execute(
                              "SELECT position, question_key, choice_order, drawn FROM session_items"
                              " WHERE session_id = ? ORDER BY position", (sid,)))
            answers = {a.position: a for a in self._answers("WHERE session_id = ? AND superseded = 0", (sid,))}
        from quizapp.progress.records import SessionRecord
        return SessionRecord(
            id=sid, mode=mode, pack_id=pack_id, settings=json.loads(settings), status=status,
            started_at=started_at, finished_at=finished_at, items=items, answers=answers,
            remaining_seconds=remaining, used_seconds=used, flags=frozenset(json.loads(flags or "[]")), current_position=current,
            state_saved_at=saved_at, summary=json.loads(summary) if summary else None, owner=owner)

    # -- answers ------------------------------------------------------------------------------

    def answers(self, question_keys: Iterable[str] | None = None, *,
                include_superseded: bool = False) -> list[AnswerRecord]:
        """Answers that count (the latest per session position), oldest first.
        With question_keys, only those questions'."""
        where = "WHERE 1=1" if include_superseded else "WHERE superseded = 0"
        params: list[Any] = []
        if question_keys is not None:
            keys = list(question_keys)
            if not keys:
                return []
            where += " AND question_key IN (SELECT value FROM json_each(?))"
            params.append(_json(keys))
        with self._reading():
            return self._answers(where, params)

    def _answers(self, where: str, params: Sequence[Any]) -> list[AnswerRecord]:
        rows = self._execute(
            "SELECT id, session_id, position, question_key, picked, picked_choices, correct, seconds, answered_at"
            f" FROM answers {where} ORDER BY answered_at, id", params).fetchall()
        from quizapp.progress.records import AnswerRecord
        return [AnswerRecord(id=r[0], session_id=r[1], position=r[2], question_key=r[3],
                             picked=frozenset(json.loads(r[4])), picked_choices=tuple(json.loads(r[5])),
                             correct=bool(r[6]), seconds=r[7], answered_at=r[8]) for r in rows]

    def result_rows(self, pack_id: str | None = None, batch: int = 1000) -> Iterator[ResultRow]:
        """Every counting answer (of one pack's questions, or of all), oldest first, read in batches
        so a long history never sits in memory at once. Answers of an exam count once it is
        submitted: until then the learner may still change them."""
        sql = ("SELECT a.session_id, s.mode, s.pack_version, a.question_key, a.picked_choices, a.correct,"
               " a.seconds, a.answered_at, i.drawn FROM answers a JOIN sessions s ON s.id = a.session_id"
               " LEFT JOIN session_items i ON i.session_id = a.session_id AND i.position = a.position"
               " WHERE a.superseded = 0 AND (s.mode != 'exam' OR s.status = 'finished')")
        params: list[Any] = []
        if pack_id is not None:
            prefix = pack_id + "/"
            sql += " AND substr(a.question_key, 1, ?) = ?"
            params += [len(prefix), prefix]
        from quizapp.progress.records import ResultRow
        with self._reading():
            cursor = self._execute(sql + " ORDER BY a.answered_at, a.id", params)
            while rows := cursor.fetchmany(batch):
                for r in rows:
                    yield ResultRow(session_id=r[0], mode=r[1], pack_version=r[2], question_key=r[3],
                                    picked_choices=tuple(json.loads(r[4])), correct=bool(r[5]), seconds=r[6],
                                    answered_at=r[7], drawn=json.loads(r[8]) if r[8] else None)

    def answer_seconds(self, question_key: str | None = None, *, correct: bool = True, limit: int = 50,
                       exclude_session: int | None = None) -> list[float]:
        """Seconds taken by the latest `limit` counting answers (of one question, or of all),
        right ones by default, optionally leaving one session out: the learner's usual pace."""
        sql = "SELECT seconds FROM answers WHERE superseded = 0 AND correct = ?"
        params: list[Any] = [int(correct)]
        if question_key is not None:
            sql += " AND question_key = ?"
            params.append(question_key)
        if exclude_session is not None:
            sql += " AND session_id != ?"
            params.append(exclude_session)
        with self._lock:
            rows = self._execute(sql + " ORDER BY answered_at DESC, id DESC LIMIT ?", [*params, limit]).fetchall()
        return [r[0] for r in rows]

    # -- forecasts made before answers ---------------------------------------------------------

    def save_prediction(self, session_id: int, position: int, question_key: str, *, probability: float,
                        running: float, retrievability: float | None, prior: float, predicted_at: float) -> bool:
        """Store the forecast for the question at a session position, before it is answered.

        A newer forecast replaces an unpaired one (the question is shown again after a resume);
        once the position has an answer, nothing is stored and False comes back: a forecast
        made after the answer would not be a forecast."""
        with self.writing():
            answered = self._execute("SELECT 1 FROM answers WHERE session_id = ? AND position = ? LIMIT 1",
                                     (session_id, position)).fetchone()
            if answered is not None:
                return False
            self._execute(
                "INSERT INTO predictions (session_id, position, question_key, predicted_at, probability, running,"
                " retrievability, prior) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(session_id, position) DO UPDATE SET question_key = excluded.question_key,"
                " predicted_at = excluded.predicted_at, probability = excluded.probability,"
                " running = excluded.running, retrievability = excluded.retrievability, prior = excluded.prior"
                " WHERE predictions.answer_id IS NULL",
                (session_id, position, question_key, predicted_at, float(probability), float(running),
                 None if retrievability is None else float(retrievability), float(prior)))
        return True

    def prediction_pairs(self) -> list[PredictionPair]:
        """Every stored forecast whose answer came and counts (an exam's final answer), oldest first."""
        with self._lock:
            rows = self._execute(
                "SELECT p.question_key, p.predicted_at, p.probability, p.running, p.retrievability, p.prior,"
                " a.correct, a.answered_at FROM predictions p JOIN answers a ON a.id = p.answer_id"
                " WHERE a.superseded = 0 ORDER BY a.answered_at, a.id").fetchall()
        from quizapp.progress.records import PredictionPair
        return [PredictionPair(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows]

    # -- FSRS cards and review logs -----------------------------------------------------------

    def card(self, question_key: str) -> CardRecord | None:
        with self._lock:
            row = self._execute("SELECT question_key, card, due, state, updated_at FROM cards WHERE question_key = ?",
                                (question_key,)).fetchone()
        from quizapp.progress.records import CardRecord
        return None if row is None else CardRecord(row[0], json.loads(row[1]), row[2], row[3], row[4])

    def cards(self, question_keys: Iterable[str] | None = None) -> dict[str, CardRecord]:
        sql = "SELECT question_key, card, due, state, updated_at FROM cards"
        params: list[Any] = []
        if question_keys is not None:
            sql += " WHERE question_key IN (SELECT value FROM json_each(?))"
            params.append(_json(list(question_keys)))
        with self._lock:
            rows = self._execute(sql, params).fetchall()
        from quizapp.progress.records import CardRecord
        return {r[0]: CardRecord(r[0], json.loads(r[1]), r[2], r[3], r[4]) for r in rows}

    def due_keys(self, question_keys: Iterable[str], at: float) -> list[str]:
        """Keys among `question_keys` whose card is due at `at`, most overdue first."""
        with self._lock:
            rows = self._execute(
                "SELECT question_key FROM cards WHERE due <= ? AND question_key IN (SELECT value FROM json_each(?))"
                " ORDER BY due, question_key", (at, _json(list(question_keys)))).fetchall()
        return [r[0] for r in rows]

    def save_review(self, question_key: str, card: Mapping[str, Any], due: float, state: int, *, rating: int,
                    suggested: int, reviewed_at: float, duration_ms: int | None = None,
                    session_id: int | None = None, card_before: Mapping[str, Any] | None = None,
                    replaces: int | None = None) -> int:
        """Store the card after a review and log the review; `replaces` rewrites an earlier log
        entry instead (an override of the rating). Returns the log id."""
        with self.writing():
            self._execute("INSERT INTO cards (question_key, card, due, state, updated_at) VALUES (?, ?, ?, ?, ?)"
                          " ON CONFLICT(question_key) DO UPDATE SET card = excluded.card, due = excluded.due,"
                          " state = excluded.state, updated_at = excluded.updated_at",
                          (question_key, _json(dict(card)), due, int(state), reviewed_at))
            before = None if card_before is None else _json(dict(card_before))
            if replaces is not None:
                self._execute("UPDATE review_logs SET rating = ? WHERE id = ?", (int(rating), replaces))
                return replaces
            cursor = self._execute(
                "INSERT INTO review_logs (question_key, session_id, rating, suggested, reviewed_at, duration_ms,"
                " card_before) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (question_key, session_id, int(rating), int(suggested), reviewed_at, duration_ms, before))
            return int(cursor.lastrowid)

    def review_logs(self, question_key: str | None = None) -> list[ReviewRecord]:
        sql = ("SELECT id, question_key, session_id, rating, suggested, reviewed_at, duration_ms, card_before"
               " FROM review_logs")
        params: list[Any] = []
        if question_key is not None:
            sql += " WHERE question_key = ?"
            params.append(question_key)
        with self._lock:
            rows = self._execute(sql + " ORDER BY id", params).fetchall()
        from quizapp.progress.records import ReviewRecord
        return [ReviewRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]) if r[7] else None)
                for r in rows]

    def last_review(self, question_key: str) -> ReviewRecord | None:
        with self._lock:
            row = self._execute(
                "SELECT id, question_key, session_id, rating, suggested, reviewed_at, duration_ms, card_before"
                " FROM review_logs WHERE question_key = ? ORDER BY id DESC LIMIT 1", (question_key,)).fetchone()
        if row is None:
            return None
        from quizapp.progress.records import ReviewRecord
        return ReviewRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                            json.loads(row[7]) if row[7] else None)


_SESSION_COLUMNS = ("id, mode, pack_id, settings, status, started_at, finished_at, summary, owner,"
                    " remaining_seconds, used_seconds, flags, current_position, state_saved_at")

__all__ = ["CURRENT_VERSION", "Store", "StoreError", "open_store", "process_alive", "this_process"]
