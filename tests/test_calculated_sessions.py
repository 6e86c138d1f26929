"""Calculated questions inside sessions that are stored: an exam draws them, and a resumed
session shows the very numbers it showed before (they are recorded with the item)."""
from pathlib import Path

from question_bank.loader import load_pack
from question_bank.models import CalculatedQuestion
from quizapp.progress.db import open_store
from quizapp.study.exam import ExamSession
from quizapp.study.persist import resume_session, track_practice
from quizapp.study.practice import PracticeSession

COURSE = load_pack(Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations").pack
CALCULATED = [q for q in COURSE.questions if isinstance(q, CalculatedQuestion)]


def test_an_exam_asks_drawn_instances_of_calculated_questions():
    exam = ExamSession.start(CALCULATED, None, count=len(CALCULATED), time_limit_seconds=600, seed=3)
    assert len(exam.items) == len(CALCULATED)
    for item in exam.items:
        assert item.question.type == "single" and item.question.drawn
        assert len(item.correct_positions) == 1


def test_a_resumed_session_shows_the_same_numbers(tmp_path):
    store = open_store(tmp_path / "p.sqlite3")
    session = PracticeSession.start(CALCULATED, seed=11)
    tracker = track_practice(store, session, "practice", pack_id=COURSE.id)
    session.show()
    first = session.current
    session.answer({min(first.correct_positions)})
    before = [(i.question.key, i.question.prompt, tuple(c.text for c in i.choices)) for i in session.items]
    tracker.release()
    store.close()

    store = open_store(tmp_path / "p.sqlite3")
    record = store.unfinished_sessions()[0]
    resumed = resume_session(store, record, [COURSE])
    after = [(i.question.key, i.question.prompt, tuple(c.text for c in i.choices)) for i in resumed.session.items]
    assert sorted(after) == sorted(before)  # same questions, same numbers, same choice order
    assert resumed.session.answers[0].correct and resumed.session.answers[0].item.question.key == first.question.key
    store.close()
