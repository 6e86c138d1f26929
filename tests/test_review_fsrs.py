"""FSRS through the `fsrs` package: how answers map to ratings, overrides, and due counts that move
with the (fake) clock; cards and review logs live in the progress database."""

import pytest
from fsrs import Card, Rating, Scheduler, State

from progress_packs import make_pack, without
from quizapp.progress import open_store
from quizapp.study.clock import FakeClock, utc
from quizapp.study.exam import ExamSession
from quizapp.study.persist import track_exam, track_practice
from quizapp.study.practice import Item, PracticeSession
from quizapp.study.review import ReviewScheduler, suggest_rating

PACK = make_pack()
KEYS = [q.key for q in PACK.questions]
MINUTE = 60.0
DAY = 86400.0


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "progress.sqlite3") as s:
        yield s


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def reviews(store, clock):
    return ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False))


def history(store, seconds, n, key="demo/alpha-0", correct=True):
    sid = store.start_session("practice", "demo", [(key, (0, 1, 2, 3))] * n)
    for i in range(n):
        store.record_answer(sid, i, key, {0}, {0}, correct, seconds, answered_at=1.0 + i)


def test_wrong_is_again_right_is_good_slow_is_hard():
    assert suggest_rating(False, 3, 10) == Rating.Again
    assert suggest_rating(False, 300, None) == Rating.Again
    assert suggest_rating(True, 12, 10) == Rating.Good
    assert suggest_rating(True, 20, 10) == Rating.Good   # not more than twice the usual time
    assert suggest_rating(True, 21, 10) == Rating.Hard
    assert suggest_rating(True, 7, 3) == Rating.Good     # twice as slow, but only 4 s: still Good
    assert suggest_rating(True, 9, 3) == Rating.Hard
    assert suggest_rating(True, 500, None) == Rating.Good  # no usual time yet: never Hard


def test_usual_time_is_the_question_median_else_the_overall_one(store, reviews):
    assert reviews.usual_seconds("demo/alpha-0") is None
    history(store, 10.0, 5, key="demo/beta-0")
    assert reviews.usual_seconds("demo/alpha-0") == 10.0  # overall, five right answers
    history(store, 4.0, 2, key="demo/alpha-0")
    assert reviews.usual_seconds("demo/alpha-0") == 4.0   # its own, two right answers
    history(store, 99.0, 3, key="demo/alpha-0", correct=False)
    assert reviews.usual_seconds("demo/alpha-0") == 4.0   # wrong answers do not set the pace


def test_rate_derives_the_rating_and_stores_card_and_log(store, reviews, clock):
    history(store, 10.0, 5, key="demo/beta-0")
    assert reviews.rate("demo/alpha-0", True, 8.0) == Rating.Good
    assert reviews.rate("demo/alpha-1", True, 31.0) == Rating.Hard
    assert reviews.rate("demo/alpha-2", False, 2.0) == Rating.Again
    logs = {log.question_key: log for log in store.review_logs()}
    assert [logs[k].rating for k in ("demo/alpha-0", "demo/alpha-1", "demo/alpha-2")] == [3, 2, 1]
    assert logs["demo/alpha-1"].duration_ms == 31000 and logs["demo/alpha-1"].reviewed_at == clock.time()
    assert logs["demo/alpha-0"].card_before is None  # first sight: a new card
    card = reviews.card("demo/alpha-0")
    assert isinstance(card, Card) and card.last_review == utc(clock)


def test_the_learner_overrides_the_rating(store, reviews, clock):
    assert reviews.rate("demo/alpha-0", True, 5.0, None, override=Rating.Easy) == Rating.Easy
    log = store.last_review("demo/alpha-0")
    assert (log.rating, log.suggested) == (Rating.Easy, Rating.Good)
    assert reviews.card("demo/alpha-0").state == State.Review  # Easy graduates at once


def test_rerate_replays_the_last_review_with_the_new_rating(store, reviews, clock):
    reviews.rate("demo/alpha-0", True, 5.0, None)
    clock.advance(11 * MINUTE)
    reviews.rate("demo/alpha-0", False, 5.0, None)                   # Again...
    before = Card.from_dict(store.last_review("demo/alpha-0").card_before)
    assert reviews.rerate("demo/alpha-0", Rating.Good) == Rating.Good  # ...no, I knew it
    expected, _ = Scheduler(enable_fuzzing=False).review_card(before, Rating.Good, review_datetime=utc(clock))
    assert reviews.card("demo/alpha-0").to_dict() == expected.to_dict()
    logs = store.review_logs("demo/alpha-0")
    assert [(log.rating, log.suggested) for log in logs] == [(Rating.Good, Rating.Good), (Rating.Good, Rating.Again)]


def test_due_counts_move_as_the_clock_moves(reviews, clock):
    t0 = clock.time()
    reviews.rate("demo/alpha-0", True, 5.0, None)    # Good: next learning step in 10 minutes
    reviews.rate("demo/beta-0", False, 5.0, None)    # Again: back in 1 minute
    assert reviews.due_count(KEYS) == 0
    clock.advance(1 * MINUTE)
    assert reviews.due(KEYS) == ["demo/beta-0"]
    clock.advance(9 * MINUTE)
    assert reviews.due(KEYS) == ["demo/beta-0", "demo/alpha-0"]  # most overdue first
    reviews.rate("demo/alpha-0", True, 5.0, None)    # Good on the last step: graduates, due in days
    reviews.rate("demo/beta-0", True, 5.0, None)
    assert reviews.card("demo/alpha-0").state == State.Review
    assert reviews.due_count(KEYS) == 0
    due_at = reviews.card("demo/alpha-0").due.timestamp()
    assert due_at - clock.time() >= DAY
    assert reviews.due_count(KEYS, at=due_at - 1) <= 1 and "demo/alpha-0" not in reviews.due(KEYS, at=due_at - 1)
    clock.advance(due_at - clock.time())
    assert "demo/alpha-0" in reviews.due(KEYS)
    assert reviews.due_count(KEYS, at=t0 + 400 * DAY) == 2


def test_due_today_counts_what_falls_due_before_midnight(reviews, clock):
    reviews.rate("demo/alpha-0", True, 5.0, None)  # due in 10 minutes: today (the fake clock says noon UTC)
    assert reviews.due_count(KEYS) == 0
    assert reviews.due_today_count(KEYS) == 1
    assert [q.key for q in reviews.draw_review(PACK.questions)] == ["demo/alpha-0"]
    assert reviews.draw_review(PACK.questions, today=False) == []


def test_questions_outside_the_loaded_packs_are_never_due(store, reviews, clock):
    for key in ("demo/alpha-0", "demo/gone", "other/alpha-0"):
        reviews.rate(key, False, 3.0, None)
    clock.advance(DAY)
    assert reviews.due(KEYS) == ["demo/alpha-0"]
    smaller = without(PACK, "alpha-0")
    assert reviews.due([q.key for q in smaller.questions]) == []
    assert store.card("demo/gone") is not None  # history kept


def test_cards_survive_a_restart(tmp_path, clock):
    path = tmp_path / "progress.sqlite3"
    with open_store(path) as store:
        ReviewScheduler(store, clock).rate("demo/alpha-0", True, 5.0, None)
    clock.advance(11 * MINUTE)
    with open_store(path) as store:
        assert ReviewScheduler(store, clock).due(KEYS) == ["demo/alpha-0"]


def test_practice_answers_are_rated_as_they_are_given(store, reviews, clock):
    history(store, 10.0, 5, key="demo/beta-1")
    session = PracticeSession([Item(q, (0, 1, 2, 3)) for q in PACK.questions[:3]], clock=clock)
    tracker = track_practice(store, session, scheduler=reviews)
    session.show()
    clock.advance(8)
    session.answer({0})
    assert tracker.last_rating == Rating.Good
    session.show()
    clock.advance(40)
    session.answer({0})
    assert tracker.last_rating == Rating.Hard
    assert tracker.override(Rating.Good) == Rating.Good
    session.show()
    clock.advance(3)
    session.answer({2})
    assert tracker.last_rating == Rating.Again
    assert [(log.question_key, log.rating) for log in store.review_logs()] == [
        ("demo/alpha-0", Rating.Good), ("demo/alpha-1", Rating.Good), ("demo/alpha-2", Rating.Again)]


def test_exam_answers_are_rated_once_at_submission_unanswered_ones_not(store, reviews, clock):
    exam = ExamSession([Item(q, (0, 1, 2, 3)) for q in PACK.questions[:3]], 600, clock=clock)
    track_exam(store, exam, scheduler=reviews)
    exam.select(1)
    exam.select(0)        # changed its mind: one rating, for the final answer
    exam.next()
    exam.select(2)
    assert store.review_logs() == []  # nothing is rated before the end
    exam.submit()
    assert [(log.question_key, log.rating) for log in store.review_logs()] == [
        ("demo/alpha-0", Rating.Good), ("demo/alpha-1", Rating.Again)]
