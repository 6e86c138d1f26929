"""Resuming: the exam clock on resume (paused by default, or running on), and questions that
changed or left their pack since the session was started."""
import os
import socket
from dataclasses import replace

import pytest

from progress_packs import make_pack, without
from question_bank.models import Choice
from quizapp.progress import open_store
from quizapp.study.clock import FakeClock
from quizapp.study.exam import ExamSession
from quizapp.study.persist import ResumeError, resume_session, track_exam, track_practice
from quizapp.study.practice import Item, PracticeSession

PACK = make_pack()


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "progress.sqlite3") as s:
        yield s


def crash(store, tracker):
    """What a killed process leaves behind: an open session nobody runs."""
    store.release_session(tracker.session_id)
    [record] = store.unfinished_sessions()
    return record


def start_exam(store, clock, policy="paused"):
    exam = ExamSession([Item(q, (0, 1, 2, 3)) for q in PACK.questions[:4]], 600, clock=clock)
    return exam, track_exam(store, exam, clock_policy=policy)


def test_paused_clock_gives_back_the_time_that_was_left(store):
    clock = FakeClock()
    exam, tracker = start_exam(store, clock)
    clock.advance(100)
    exam.select(0)
    exam.next()                   # saves the state: 500 s left
    clock.advance(3)
    exam.tick()
    clock.advance(0.5)            # killed half a second after the last save
    record = crash(store, tracker)
    assert record.settings["clock"] == "paused" and record.remaining_seconds == pytest.approx(497)
    clock.advance(3 * 3600)       # the app stays closed for three hours
    exam = resume_session(store, record, [PACK], clock=clock).session
    assert exam.remaining() == pytest.approx(497) and exam.position == 1 and exam.picks[0] == {0}


def test_runs_on_clock_counts_the_time_the_app_was_closed(store):
    clock = FakeClock()
    exam, tracker = start_exam(store, clock, policy="runs-on")
    clock.advance(100)
    exam.next()
    record = crash(store, tracker)
    clock.advance(120)
    exam = resume_session(store, record, [PACK], clock=clock).session
    assert exam.remaining() == pytest.approx(380)


def test_runs_on_exam_whose_time_ran_out_while_closed_is_submitted_at_once(store):
    clock = FakeClock()
    exam, tracker = start_exam(store, clock, policy="runs-on")
    exam.select(0)
    exam.next()
    record = crash(store, tracker)
    clock.advance(3600)
    exam = resume_session(store, record, [PACK], clock=clock).session
    assert exam.expired
    result = exam.tick()
    assert result.auto_submitted and result.right == 1 and result.time_used == 600
    assert store.session(record.id).status == "finished"
    assert store.session(record.id).summary["auto_submitted"] is True


def test_questions_that_left_their_pack_are_skipped_and_said_so(store):
    clock = FakeClock()
    session = PracticeSession([Item(q, (0, 1, 2, 3)) for q in PACK.questions[:5]], clock=clock)
    tracker = track_practice(store, session)
    session.answer({0})   # alpha-0
    session.answer({1})   # alpha-1
    session.answer({0})   # alpha-2
    record = crash(store, tracker)
    smaller = without(PACK, "alpha-1", "alpha-3")
    resumed = resume_session(store, record, [smaller], clock=clock)
    assert resumed.skipped == ("demo/alpha-1", "demo/alpha-3")
    assert resumed.message == "2 questions are no longer in their packs and were left out."
    session = resumed.session
    assert [i.question.id for i in session.items] == ["alpha-0", "alpha-2", "beta-0"]
    assert session.position == 2
    session.answer({0})
    assert store.session(record.id).answers[4].question_key == "demo/beta-0"  # its original position
    assert len(store.answers()) == 4  # the vanished question's answer keeps counting in the history


def test_a_question_whose_choices_changed_is_asked_again(store):
    clock = FakeClock()
    exam, tracker = start_exam(store, clock)
    exam.select(3)
    exam.next()
    exam.select(0)
    record = crash(store, tracker)
    first = PACK.questions[0]
    edited = replace(first, choices=first.choices[:3] + (Choice("new"), Choice("newer")))
    pack = replace(PACK, questions=(edited,) + PACK.questions[1:])
    resumed = resume_session(store, record, [pack], clock=clock)
    assert resumed.changed == ("demo/alpha-0",) and "answered again" in resumed.message
    exam = resumed.session
    assert exam.items[0].order == (0, 1, 2, 3, 4) and exam.picks[0] == frozenset() and exam.picks[1] == {0}


def test_a_session_another_live_process_runs_is_not_resumed(store):
    clock = FakeClock()
    _exam, tracker = start_exam(store, clock)
    record = crash(store, tracker)
    with store.writing():
        store._conn.execute("UPDATE sessions SET owner = ? WHERE id = ?",
                            (f"{socket.gethostname()}:{os.getppid()}", record.id))
    with pytest.raises(ResumeError, match="another quizapp"):
        resume_session(store, record, [PACK], clock=clock)


def test_nothing_left_to_resume(store):
    _exam, tracker = start_exam(store, FakeClock())
    record = crash(store, tracker)
    with pytest.raises(ResumeError, match="none of this session's questions"):
        resume_session(store, record, [make_pack("other")])
