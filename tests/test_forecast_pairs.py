"""Forecasts are stored when a question goes up, before its answer, and paired with that answer
in the answer's own transaction; never after it, and a crash in between leaves no pair."""
import sqlite3

import pytest
from fsrs import Scheduler

from progress_packs import make_pack
from quizapp.progress import CURRENT_VERSION, migrate, open_store
from quizapp.study.clock import FakeClock
from quizapp.study.exam import ExamSession
from quizapp.study.forecast.model import predict, read_snapshot
from quizapp.study.forecast.predictor import Predictor
from quizapp.study.persist import resume_session, track_exam, track_practice
from quizapp.study.practice import PracticeSession
from quizapp.study.review import ReviewScheduler

PACK = make_pack()


def raw_predictions(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT position, question_key, predicted_at, probability, answer_id"
                            " FROM predictions ORDER BY position").fetchall()
    finally:
        conn.close()


@pytest.fixture
def setup(tmp_path):
    path = tmp_path / "progress.sqlite3"
    clock = FakeClock()
    with open_store(path) as store:
        scheduler = ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False))
        yield path, store, clock, scheduler


def test_the_forecast_is_stored_when_the_question_goes_up_and_paired_with_its_answer(setup):
    path, store, clock, scheduler = setup
    session = PracticeSession.start(PACK.questions, count=3, seed=1, clock=clock)
    track_practice(store, session, scheduler=scheduler, predictor=Predictor(store, [PACK]))
    item = session.show()
    expected = predict(item.question, PACK, read_snapshot(store, PACK), clock.time())  # computed independently
    [(position, key, predicted_at, probability, answer_id)] = raw_predictions(path)
    assert (position, key, answer_id) == (0, item.question.key, None)  # stored, not paired yet
    assert probability == pytest.approx(expected.probability) and predicted_at == clock.time()
    assert store.prediction_pairs() == []
    clock.advance(30)
    answer = session.answer(item.correct_positions)
    [pair] = store.prediction_pairs()
    assert (pair.question_key, pair.correct, pair.probability) == (item.question.key, True, probability)
    assert pair.predicted_at < pair.answered_at
    assert pair.running == pytest.approx(expected.running) and pair.prior == pytest.approx(expected.prior)
    assert answer.correct


def test_no_forecast_is_stored_after_the_answer(setup):
    path, store, clock, scheduler = setup
    session = PracticeSession.start(PACK.questions, count=2, seed=2, clock=clock)
    tracker = track_practice(store, session, scheduler=scheduler, predictor=Predictor(store, [PACK]))
    item = session.show()
    session.answer(item.correct_positions)
    before = raw_predictions(path)
    clock.advance(5)
    assert tracker.predict(0, item) is False  # the answer is in: a forecast now would know it
    assert store.save_prediction(tracker.session_id, 0, item.question.key, probability=0.01, running=0.5,
                                 retrievability=None, prior=0.5, predicted_at=clock.time()) is False
    assert raw_predictions(path) == before
    # nor is a forecast stamped later than the answer paired with it
    sid = store.start_session("practice", "demo", [("demo/alpha-0", (0, 1, 2, 3))], started_at=clock.time())
    store.save_prediction(sid, 0, "demo/alpha-0", probability=0.9, running=0.5, retrievability=None, prior=0.5,
                          predicted_at=clock.time() + 100)
    store.record_answer(sid, 0, "demo/alpha-0", {0}, {0}, True, 3.0, answered_at=clock.time() + 50)
    assert [p.question_key for p in store.prediction_pairs()] == [item.question.key]


def test_a_crash_between_forecast_and_answer_leaves_no_wrong_pair(tmp_path):
    path = tmp_path / "progress.sqlite3"
    clock = FakeClock()
    with open_store(path) as store:
        scheduler = ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False))
        session = PracticeSession.start(PACK.questions, count=3, seed=3, clock=clock)
        track_practice(store, session, scheduler=scheduler, predictor=Predictor(store, [PACK]))
        first = session.show()
        session.answer(first.correct_positions)
        second = session.show()  # its forecast is stored; then the process dies before the answer
        session_id = store.sessions()[0].id
    stale = raw_predictions(path)[1]
    assert stale[:2] == (1, second.question.key) and stale[4] is None

    clock.advance(3600)
    with open_store(path) as store:
        assert len(store.prediction_pairs()) == 1  # the stale forecast has no answer: not a pair
        scheduler = ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False))
        resumed = resume_session(store, store.session(session_id), [PACK], scheduler=scheduler,
                                 predictor=Predictor(store, [PACK]))
        item = resumed.session.show()
        assert item.question.key == second.question.key
        clock.advance(20)
        resumed.session.answer(item.correct_positions)
        pairs = store.prediction_pairs()
    assert len(pairs) == 2 and pairs[1].question_key == second.question.key
    assert pairs[1].predicted_at == stale[2] + 3600  # the forecast made when it was shown again


def test_exam_forecasts_are_made_at_the_start_and_pair_with_the_final_answer(setup):
    path, store, clock, scheduler = setup
    exam = ExamSession.start(PACK.questions, None, 4, seed=5, clock=clock)
    track_exam(store, exam, scheduler=scheduler, predictor=Predictor(store, [PACK]))
    rows = raw_predictions(path)
    assert [r[1] for r in rows] == [i.question.key for i in exam.items] and all(r[4] is None for r in rows)
    wrong = next(p for p in range(4) if p not in exam.items[0].correct_positions)
    exam.set_answer({wrong})
    clock.advance(10)
    exam.set_answer(exam.items[0].correct_positions)  # changed before submitting: the final answer counts
    exam.goto(1)
    exam.set_answer({next(p for p in range(4) if p not in exam.items[1].correct_positions)})
    exam.goto(2)
    exam.set_answer(exam.items[2].correct_positions)
    exam.clear()  # taken back: no outcome, no pair
    exam.submit()
    pairs = store.prediction_pairs()
    assert [(p.question_key, p.correct) for p in pairs] == [(exam.items[0].question.key, True),
                                                           (exam.items[1].question.key, False)]


def test_a_version_3_database_gains_the_predictions_table_and_keeps_its_answers(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=3)
    conn.execute("INSERT INTO sessions (mode, pack_id, started_at) VALUES ('practice', 'demo', 1)")
    conn.execute("INSERT INTO answers (session_id, position, question_key, picked, picked_choices, correct, seconds,"
                 " answered_at) VALUES (1, 0, 'demo/alpha-0', '[0]', '[0]', 1, 2.0, 5)")
    conn.close()
    with open_store(path) as store:
        assert store.schema_version == CURRENT_VERSION == 5
        assert [a.question_key for a in store.answers()] == ["demo/alpha-0"]
        assert store.prediction_pairs() == []
