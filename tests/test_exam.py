"""Mock exam logic with a fake clock: per-topic drawing, countdown, auto-submit, map, pass mark."""
import random
from collections import Counter

import pytest

from progress_packs import make_pack
from quizapp.study.clock import FakeClock
from quizapp.study.exam import ExamSession, draw_per_topic
from quizapp.study.practice import Item

PACK = make_pack(topics=("alpha", "beta", "gamma", "delta"), per_topic=5)
BY_ID = {q.id: q for q in PACK.questions}


def exam_of(ids, time_limit=None, pass_mark=0.6, clock=None):
    """An exam over these questions in this order, choices unshuffled (correct = position 0)."""
    items = [Item(BY_ID[i], tuple(range(len(BY_ID[i].choices)))) for i in ids]
    return ExamSession(items, time_limit, pass_mark, clock or FakeClock())


@pytest.mark.parametrize("seed", range(25))
def test_every_topic_is_represented_and_the_draw_is_balanced(seed):
    drawn = draw_per_topic(PACK.questions, None, 10, random.Random(seed))
    per_topic = Counter(q.topic for q in drawn)
    assert len(drawn) == 10 and len(set(drawn)) == 10
    assert set(per_topic) == {"alpha", "beta", "gamma", "delta"}
    assert max(per_topic.values()) - min(per_topic.values()) <= 1  # 3, 3, 2, 2


def test_which_topics_get_the_remainder_is_left_to_chance():
    extra = Counter()
    for seed in range(200):
        per_topic = Counter(q.topic for q in draw_per_topic(PACK.questions, None, 5, random.Random(seed)))
        extra.update(t for t, n in per_topic.items() if n == 2)
    assert set(extra) == {"alpha", "beta", "gamma", "delta"}


def test_a_small_topic_runs_out_and_the_others_fill_up():
    questions = [q for q in PACK.questions if q.topic != "alpha" or q.id == "alpha-0"]
    drawn = draw_per_topic(questions, None, 13, random.Random(1))
    per_topic = Counter(q.topic for q in drawn)
    assert per_topic["alpha"] == 1 and sum(per_topic.values()) == 13


def test_the_chosen_topics_only_and_never_more_than_there_are():
    drawn = draw_per_topic(PACK.questions, {"beta", "gamma"}, 50, random.Random(0))
    assert {q.topic for q in drawn} == {"beta", "gamma"} and len(drawn) == 10


def test_fewer_questions_than_topics_is_refused():
    with pytest.raises(ValueError, match="needs at least 4 questions"):
        ExamSession.start(PACK.questions, count=3, seed=1)


def test_same_seed_same_exam():
    a = ExamSession.start(PACK.questions, count=8, seed=7, clock=FakeClock())
    b = ExamSession.start(PACK.questions, count=8, seed=7, clock=FakeClock())
    assert [(i.question.id, i.order) for i in a.items] == [(i.question.id, i.order) for i in b.items]


def test_countdown_follows_the_clock_and_time_up_submits_on_tick():
    clock = FakeClock()
    exam = exam_of(["alpha-0", "beta-0", "gamma-0"], time_limit=600, clock=clock)
    assert exam.remaining() == 600
    clock.advance(90)
    assert exam.remaining() == 510 and not exam.expired
    exam.select(0)
    assert exam.tick() is None and not exam.submitted
    clock.advance(509.5)
    assert exam.remaining() == pytest.approx(0.5) and exam.tick() is None
    clock.advance(1)
    assert exam.expired and exam.remaining() == 0
    result = exam.tick()
    assert result is not None and result.auto_submitted
    assert result.time_used == 600  # capped at the limit even when the tick came late
    assert result.right == 1 and result.answered == 1
    assert exam.tick() is None  # once


def test_after_the_deadline_an_answer_is_not_taken_and_the_exam_is_submitted():
    clock = FakeClock()
    exam = exam_of(["alpha-0", "beta-0"], time_limit=60, clock=clock)
    exam.select(0)
    clock.advance(61)
    assert exam.next() is False
    assert exam.submitted and exam.result.auto_submitted
    assert exam.select(1) is None and exam.flag() is None
    assert exam.result.items[0].picked == {0} and exam.result.items[1].picked == frozenset()


def test_an_untimed_exam_never_expires():
    clock = FakeClock()
    exam = exam_of(["alpha-0"], clock=clock)
    clock.advance(10 ** 6)
    assert exam.remaining() is None and not exam.expired and exam.tick() is None
    assert exam.submit().time_used == 10 ** 6


def test_moving_back_and_forth_flagging_and_the_map():
    exam = exam_of(["alpha-0", "alpha-3", "beta-0", "gamma-0"])
    assert exam.previous() is False and exam.position == 0
    exam.select(2)
    exam.next()
    exam.flag()
    exam.select(0)
    exam.select(1)               # multiple choice: toggles
    assert exam.picked == {0, 1}
    exam.select(0)
    assert exam.picked == {1}
    exam.goto(3)
    exam.flag()
    assert [e.status for e in exam.map()] == ["answered", "flagged", "open", "flagged"]
    assert [(e.answered, e.flagged) for e in exam.map()] == [(True, False), (True, True), (False, False),
                                                              (False, True)]
    assert [e.current for e in exam.map()] == [False, False, False, True]
    assert exam.counts() == {"answered": 2, "flagged": 2, "open": 2}
    exam.flag(1)                 # unflag from the map
    assert exam.map()[1].status == "answered"
    assert exam.goto(9) is False and exam.position == 3
    exam.goto(0)
    exam.select(0)               # single choice: the new pick replaces the old one
    assert exam.picks[0] == {0}
    exam.clear()
    assert exam.map()[0].status == "open"
    exam.goto(2)
    assert exam.next_open() and exam.position == 3  # flagged
    assert exam.next_open() and exam.position == 0  # open, wrapping round


def test_no_feedback_before_the_end_then_a_full_review():
    clock = FakeClock()
    exam = exam_of(["alpha-0", "alpha-3", "beta-0", "gamma-0", "delta-0"], time_limit=1200, clock=clock)
    assert not hasattr(exam, "answers")  # picks only; correctness is computed at submission
    for pick in ([0], [0, 1], [2], [0]):     # right, right (exact set), wrong, right; delta-0 left open
        clock.advance(30)
        for p in pick:
            exam.select(p)
        exam.next()
    exam.flag(4)
    clock.advance(15)
    result = exam.submit()
    assert (result.right, result.total, result.answered, round(result.percent)) == (3, 5, 4, 60)
    assert result.passed and not result.auto_submitted and result.time_used == 135
    assert [r.correct for r in result.items] == [True, True, False, True, False]
    assert [r.seconds for r in result.items] == [30, 30, 30, 30, 15]
    review = result.items[2]
    assert review.picked == {2} and review.item.correct_positions == {0} and review.as_answer() is not None
    assert result.items[4].flagged and result.items[4].as_answer() is None
    assert {(t.topic, t.right, t.total, t.answered) for t in result.by_topic} == {
        ("alpha", 2, 2, 2), ("beta", 0, 1, 1), ("gamma", 1, 1, 1), ("delta", 0, 1, 0)}
    assert exam.submit() is result
    assert exam.select(0) is None  # closed


@pytest.mark.parametrize("right, pass_mark, passed", [
    (6, 0.6, True), (5, 0.6, False), (7, 0.7, True), (10, 1.0, True), (9, 1.0, False), (5, 0.5, True)])
def test_pass_mark(right, pass_mark, passed):
    ids = [f"{t}-{i}" for t in ("alpha", "beta") for i in (0, 1, 2, 4)] + ["gamma-0", "gamma-1"]
    exam = exam_of(ids, pass_mark=pass_mark)
    for i in range(right):
        exam.goto(i)
        exam.select(0)
    result = exam.submit()
    assert result.right == right and result.passed is passed and result.pass_mark == pass_mark


def test_pass_mark_must_be_a_fraction():
    with pytest.raises(ValueError):
        exam_of(["alpha-0"], pass_mark=60)


def test_restored_state_goes_on_from_where_it_was():
    clock = FakeClock()
    items = [Item(BY_ID[i], (0, 1, 2, 3)) for i in ("alpha-0", "beta-0", "gamma-0")]
    exam = ExamSession(items, 300, clock=clock, picks={0: {1}, 2: {0}}, flags=[1], position=2, used=200)
    assert exam.remaining() == 100 and exam.current.question.id == "gamma-0"
    assert [e.status for e in exam.map()] == ["answered", "flagged", "answered"]
    clock.advance(100)
    result = exam.tick()
    assert result.auto_submitted and result.right == 1
