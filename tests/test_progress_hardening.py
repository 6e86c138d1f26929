"""The progress store under a full disk, a read-only folder, a corrupt file, and the exam clock at zero."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.progress import db as db_module
from quizapp.progress.db import StoreError, open_store
from quizapp.screens.confirm import ConfirmScreen
from quizapp.screens.question import QuestionScreen
from quizapp.study.clock import FakeClock
from quizapp.study.exam import ExamSession
from quizapp.study.persist import track_practice
from quizapp.study.practice import PracticeSession

MINI = load_pack(Path(__file__).parent / "fixtures" / "mini.yaml").pack


class FullDisk:
    """Makes the store's writes fail while `full` is set, as SQLite does when the disk is full."""

    def __init__(self, store, monkeypatch) -> None:
        self.full = False
        real = store.writing

        def writing():
            if self.full:
                raise StoreError(f"could not save your progress in {store.path}: database or disk is full")
            return real()
        monkeypatch.setattr(store, "writing", writing)


def test_answers_given_while_the_disk_is_full_are_saved_once_it_has_room(tmp_path, monkeypatch):
    store = open_store(tmp_path / "progress.sqlite3")
    disk = FullDisk(store, monkeypatch)
    session = PracticeSession.start(MINI.questions, None, 3, seed=1, clock=FakeClock())
    tracker = track_practice(store, session)
    session.answer({0})
    disk.full = True
    for _ in range(2):
        with pytest.raises(StoreError, match="disk is full"):
            session.answer({0})
    assert tracker.unsaved == 2
    assert tracker.saved_note().startswith("2 of your answers could not be saved (could not save your progress")
    assert len(store.answers()) == 1
    disk.full = False
    assert tracker.saved_note() == "Your answers so far are saved."
    saved = store.answers()
    assert [a.question_key for a in saved] == [a.item.question.key for a in session.answers]
    assert tracker.unsaved == 0
    store.close()


async def test_the_quit_dialog_tells_the_truth_after_a_failed_save(tmp_path, monkeypatch):
    store = open_store(tmp_path / "progress.sqlite3")
    disk = FullDisk(store, monkeypatch)
    app = QuizApp(Catalog((MINI,), (), ("mini",)), Options(user_packs=None, seed=2), store)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        disk.full = True
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("Quit quizapp? 1 of your answers could not be saved")
        assert "This session is saved" not in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        disk.full = False  # room again: the next try saves it, and the dialog says so
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.question == ("Quit quizapp? This session is saved and will be offered for resuming "
                                       "next time.")
        assert len(store.answers()) == 1
        await pilot.press("n")
    store.close()


def test_a_read_only_data_folder_is_named_as_such(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    real_access = os.access
    # chmod does not stop root, so pretend the folder is on a read-only file system
    monkeypatch.setattr(db_module.os, "access", lambda p, mode: False if str(p) == str(folder) and mode & os.W_OK
                        else real_access(p, mode))
    with pytest.raises(StoreError) as info:
        open_store(folder / "progress.sqlite3")
    message = str(info.value)
    assert message.startswith(f"the data folder {folder} is read-only") and "cannot be read" not in message
    assert list(folder.iterdir()) == []


def test_a_corrupt_database_keeps_every_answer_sqlite_can_still_read(tmp_path):
    path = tmp_path / "progress.sqlite3"
    written = {}
    with open_store(path) as store:
        sid = store.start_session("practice", "demo", [(f"demo/q{i}", (0, 1, 2, 3)) for i in range(1500)])
        with store.writing():
            for i in range(1500):
                store.record_answer(sid, i, f"demo/q{i}", {i % 4}, {i % 4}, i % 3 == 0, 1.0 + i, 1000.0 + i)
        written = {a.question_key: a for a in store.answers()}
        store.save_review("demo/q1", {"due": 1}, 5.0, 1, rating=3, suggested=3, reviewed_at=7.0, session_id=sid)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'answers' AND pagetype = 'leaf' ORDER BY pageno")]
    data = bytearray(path.read_bytes())
    for page in (leaves[len(leaves) // 3], leaves[len(leaves) // 2]):  # two pages of answers in the middle
        data[(page - 1) * size:page * size] = b"\xa5" * size
    path.write_bytes(bytes(data))

    with open_store(path) as store:
        assert store.recovered_from is not None
        kept = store.answers()
        assert 0 < len(kept) < len(written)
        for answer in kept:  # each kept answer is one that was written, unchanged
            original = written[answer.question_key]
            assert (answer.picked, answer.correct, answer.seconds, answer.answered_at) == (
                original.picked, original.correct, original.seconds, original.answered_at)
        assert store.salvaged.answers == len(kept)
        assert f"{len(kept):,} answers, 1 session and 1 review card could still be read from it and were kept" \
            in store.message
        assert store.message.count(". ") == 0  # one sentence
        assert store.card("demo/q1") is not None


def test_a_corrupt_file_that_is_no_database_at_all_says_nothing_could_be_read(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"not a database " * 100)
    with open_store(path) as store:
        assert store.message.endswith("; nothing in it could be read.")
        assert store.answers() == []


def test_an_exam_within_a_millisecond_of_its_limit_is_over():
    # 12.7 s used before, then exactly remaining() more: the float sum lands 4e-14 s short of 60.
    clock = FakeClock(monotonic=1000.0)
    exam = ExamSession.start(MINI.questions, count=2, time_limit_seconds=60, seed=1, clock=clock)
    exam = ExamSession(exam.items, 60, clock=clock, used=12.7)
    assert 12.7 + ((1000.0 + (60 - 12.7)) - 1000.0) < 60  # the residue this test is about
    clock.advance(exam.remaining())
    assert exam.expired and exam.remaining() == 0.0
    assert exam.tick().auto_submitted


def test_an_exam_with_more_than_a_millisecond_left_is_not_over():
    clock = FakeClock(monotonic=1000.0)
    exam = ExamSession.start(MINI.questions, count=2, time_limit_seconds=60, seed=1, clock=clock)
    clock.advance(60 - 0.002)
    assert not exam.expired and exam.remaining() == pytest.approx(0.002)
    assert exam.tick() is None
