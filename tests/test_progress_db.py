"""The progress database: schema and migrations, WAL, answers that change, sessions to resume,
and a corrupt file that is kept aside instead of stopping the app."""
import json
import os
import socket
import sqlite3
import subprocess
import sys

import pytest

from quizapp.locations import database_path
from quizapp.progress import CURRENT_VERSION, MIGRATIONS, StoreError, migrate, open_store


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "progress.sqlite3") as s:
        yield s


def tables(path):
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_fresh_database_is_current_in_wal_mode(tmp_path):
    path = tmp_path / "sub" / "progress.sqlite3"
    with open_store(path) as store:
        assert store.schema_version == CURRENT_VERSION == len(MIGRATIONS)
        assert store.recovered_from is None and store.message is None
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert {"sessions", "session_items", "answers", "cards", "review_logs"} <= tables(path)


def test_default_location_follows_quizapp_home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    assert database_path() == tmp_path / "home" / "progress.sqlite3"
    with open_store() as store:
        assert store.path == tmp_path / "home" / "progress.sqlite3"
    assert store.path.exists()


def test_version_1_database_migrates_and_keeps_its_history(tmp_path):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 0
    conn.execute("INSERT INTO sessions (id, mode, pack_id, started_at, status) VALUES (1, 'exam', 'demo', 5, 'open')")
    conn.execute("INSERT INTO session_items VALUES (1, 0, 'demo/q1', '[1,0]')")
    for id_, picked, correct in ((1, "[0]", 0), (2, "[1]", 1)):  # v1 kept both versions of an answer
        conn.execute("INSERT INTO answers (id, session_id, position, question_key, picked, picked_choices,"
                     " correct, seconds, answered_at) VALUES (?, 1, 0, 'demo/q1', ?, '[0]', ?, 4.0, ?)",
                     (id_, picked, correct, 10 + id_))
    conn.close()
    assert "cards" not in tables(path)
    with open_store(path) as store:
        assert store.schema_version == CURRENT_VERSION
        [record] = store.unfinished_sessions()
        assert record.items[0].order == (1, 0)
        assert record.answers[0].picked == {1} and record.answers[0].correct  # the latest counts
        assert len(store.answers()) == 1 and len(store.answers(include_superseded=True)) == 2
        assert record.flags == frozenset() and record.remaining_seconds is None
    assert {"cards", "review_logs"} <= tables(path)


def test_migrating_twice_is_harmless(tmp_path):
    path = tmp_path / "progress.sqlite3"
    open_store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn) == CURRENT_VERSION
    conn.close()


def test_a_database_from_a_newer_quizapp_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    with pytest.raises(StoreError, match="newer quizapp") as info:
        open_store(path)
    assert "\n" not in str(info.value)
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))  # not corrupt: left alone


def test_garbage_file_is_kept_aside_and_a_fresh_database_starts(tmp_path):
    path = tmp_path / "progress.sqlite3"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    with open_store(path) as store:
        assert store.recovered_from is not None and store.recovered_from.name.startswith("progress.sqlite3.corrupt-")
        assert store.recovered_from.read_bytes() == garbage
        assert "could not be read" in store.message and store.recovered_from.name in store.message
        assert store.message.count(". ") == 0 and store.message.endswith(".")  # one sentence
        sid = store.start_session("practice", "demo", [("demo/q1", (0, 1))])
        store.record_answer(sid, 0, "demo/q1", {0}, {0}, True, 1.0)
    with open_store(path) as store:  # the fresh one is a good database now
        assert store.recovered_from is None and len(store.answers()) == 1


def test_damaged_pages_in_a_real_database_are_detected(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with open_store(path) as store:
        sid = store.start_session("practice", "demo", [(f"demo/q{i}", (0, 1, 2, 3)) for i in range(400)])
        with store.writing():  # one transaction: fast
            for i in range(400):
                store.record_answer(sid, i, f"demo/q{i}", {0}, {0}, True, 1.0)
    with sqlite3.connect(path) as conn:  # fold the WAL into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    assert len(data) > 5 * 4096
    data[2 * 4096:4 * 4096] = b"\xa5" * (2 * 4096)
    path.write_bytes(bytes(data))
    with open_store(path) as store:
        assert store.recovered_from is not None and store.answers() == []


def test_exam_answers_change_until_submission_and_keep_their_history(store):
    sid = store.start_session("exam", "demo", [("demo/q1", (2, 0, 1)), ("demo/q2", (0, 1))],
                              {"time_limit": 600}, remaining_seconds=600)
    store.record_answer(sid, 0, "demo/q1", {0}, {2}, False, 3.0)
    store.record_answer(sid, 0, "demo/q1", {1}, {0}, True, 5.0)
    store.record_answer(sid, 1, "demo/q2", {1}, {1}, False, 2.0)
    store.clear_answer(sid, 1)
    store.save_exam_state(sid, 512.5, {0}, 1, used_seconds=87.5)
    store.release_session(sid)
    [record] = store.unfinished_sessions()
    assert record.answered == 1 and record.answers[0].picked_choices == (0,) and record.answers[0].correct
    assert (record.remaining_seconds, record.used_seconds, record.flags, record.current_position) == (
        512.5, 87.5, {0}, 1)
    assert record.settings == {"time_limit": 600}
    assert "1 of 2 answered" in record.describe() and "8:32 left" in record.describe()
    assert len(store.answers(include_superseded=True)) == 3 and len(store.answers()) == 1


def test_which_sessions_are_offered_for_resuming(store):
    def new():
        return store.start_session("practice", "demo", [("demo/q1", (0, 1))])

    running, finished, abandoned, crashed, elsewhere = new(), new(), new(), new(), new()
    store.finish_session(finished, {"right": 0})
    store.abandon_session(abandoned)
    store.release_session(crashed)
    store.release_session(elsewhere)
    with store.writing():  # pretend another live process runs it: our parent is alive
        store._conn.execute("UPDATE sessions SET owner = ? WHERE id = ?",
                            (f"{socket.gethostname()}:{os.getppid()}", elsewhere))
        store._conn.execute("UPDATE sessions SET owner = ? WHERE id = ?",
                            (f"{socket.gethostname()}:999999999", crashed))  # no such process
    assert [r.id for r in store.unfinished_sessions()] == [crashed]
    assert running not in [r.id for r in store.unfinished_sessions()]
    assert store.claim_session(crashed) and not store.claim_session(crashed)  # ours now, and running
    assert not store.claim_session(elsewhere) and not store.claim_session(finished)
    assert store.unfinished_sessions() == []
    assert store.session(finished).summary == {"right": 0} and store.session(finished).status == "finished"


def test_unknown_mode_is_refused(store):
    with pytest.raises(ValueError, match="unknown mode"):
        store.start_session("cram", None, [])


def test_study_logic_and_storage_never_import_textual_or_torch():
    code = ("import quizapp.progress, quizapp.study.exam, quizapp.study.review, quizapp.study.drill, "
            "quizapp.study.stats, quizapp.study.persist, quizapp.study.clock, sys, json; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    modules = json.loads(out.stdout)
    assert not [m for m in modules if m.split(".")[0] in ("textual", "torch")]


def test_a_write_that_cannot_get_the_lock_fails_in_one_sentence_and_the_store_goes_on(store):
    sid = store.start_session("practice", "demo", [("demo/q1", (0, 1))])
    store._conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is in the middle of a long write
    with pytest.raises(StoreError, match="could not save your progress"):
        store.record_answer(sid, 0, "demo/q1", {0}, {0}, True, 1.0)
    other.execute("ROLLBACK")
    other.close()
    store.record_answer(sid, 0, "demo/q1", {0}, {0}, True, 1.0)
    assert len(store.answers()) == 1


def test_a_path_sqlite_cannot_open_is_kept_aside_too(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.mkdir()  # "unable to open database file", as for a file without read permission
    (path / "inside").write_text("kept")
    with open_store(path) as store:
        assert store.recovered_from is not None and store.schema_version == CURRENT_VERSION
    assert (store.recovered_from / "inside").read_text() == "kept"


def test_a_read_only_database_is_refused_not_moved(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    open_store(path).close()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK and str(p) == str(path)
                        else real_access(p, mode))  # chmod 444 does not stop root, so pretend
    with pytest.raises(StoreError, match="read-only") as info:
        open_store(path)
    assert "\n" not in str(info.value) and path.exists() and not list(tmp_path.glob("*.corrupt-*"))
