"""The exam forecast: it moves the right way with answers and with time, its range narrows
with evidence, unstarted topics are shown as such, and its parts agree with independent
references (fsrs's own retrievability, the mock exam's real draw, a simulation)."""
import math
import random
from datetime import datetime, timezone
from statistics import NormalDist, pstdev

import pytest
from fsrs import Card, Scheduler

from progress_packs import make_pack
from quizapp.progress import open_store
from quizapp.study.clock import FakeClock
from quizapp.study.exam import draw_per_topic
from quizapp.study.forecast import model
from quizapp.study.forecast.calibration import DEFAULT_WEIGHTS, Calibration, features, sigmoid
from quizapp.study.forecast.memory import chance, difficulty_prior, retrievability
from quizapp.study.forecast.model import exam_allocation, forecast_pack, predict_pack, read_snapshot
from quizapp.study.forecast.predictor import Predictor
from quizapp.study.persist import track_practice
from quizapp.study.practice import PracticeSession
from quizapp.study.review import ReviewScheduler

PACK = make_pack()  # alpha, beta, gamma: 4 questions each, every fourth one "select all that apply"
DAY = 86400.0


@pytest.fixture
def learner(tmp_path):
    """A store, a fake clock and a way to answer questions through a tracked practice session."""
    clock = FakeClock()
    with open_store(tmp_path / "progress.sqlite3") as store:
        scheduler = ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False))

        def answer(qids, correct=True):
            questions = [q for q in PACK.questions if q.id in qids]
            session = PracticeSession.start(questions, seed=0, clock=clock)
            tracker = track_practice(store, session, scheduler=scheduler, predictor=Predictor(store, [PACK]))
            while not session.finished:
                item = session.show()
                clock.advance(10)
                right = item.correct_positions
                session.answer(right if correct else frozenset({min(set(range(4)) - right)}))
                assert session.answers[-1].correct == correct
            tracker.finish(session.summary())

        yield store, clock, answer


def forecast(store, clock, at=None):
    return forecast_pack(PACK, read_snapshot(store, PACK), clock.time() if at is None else at)


def topic(f, topic_id):
    return next(t for t in f.topics if t.topic == topic_id)


def test_a_right_answer_raises_its_topic_and_a_wrong_one_lowers_it(learner):
    store, clock, answer = learner
    before = forecast(store, clock)
    answer(["alpha-0", "alpha-1"], correct=True)
    after_right = forecast(store, clock)
    assert topic(after_right, "alpha").expected.mean > topic(before, "alpha").expected.mean
    # the topic answered moves more than the others, which move only through the learner's pack level
    rise = {t: topic(after_right, t).expected.mean - topic(before, t).expected.mean for t in ("alpha", "beta")}
    assert rise["alpha"] > rise["beta"] >= 0
    assert after_right.score.mean > before.score.mean

    answer(["gamma-0", "gamma-1"], correct=False)
    after_wrong = forecast(store, clock)
    assert topic(after_wrong, "gamma").expected.mean < topic(after_right, "gamma").expected.mean
    assert after_wrong.score.mean < after_right.score.mean


def test_time_lowers_a_seen_question_through_retrievability(learner):
    store, clock, answer = learner
    answer(["beta-0"], correct=True)
    snapshot = read_snapshot(store, PACK)
    later = [predict_pack(PACK, snapshot, clock.time() + days * DAY)["demo/beta-0"] for days in (0, 1, 10, 60)]
    assert [p.retrievability for p in later] == sorted((p.retrievability for p in later), reverse=True)
    assert all(a.probability > b.probability for a, b in zip(later, later[1:]))
    unseen = [predict_pack(PACK, snapshot, clock.time() + days * DAY)["demo/beta-1"] for days in (0, 60)]
    assert unseen[0].probability == unseen[1].probability and unseen[0].retrievability is None
    assert topic(forecast(store, clock, clock.time() + 60 * DAY), "beta").expected.mean < \
        topic(forecast(store, clock), "beta").expected.mean


def test_retrievability_agrees_with_fsrs_at_whole_days():
    scheduler = Scheduler(enable_fuzzing=False)
    start = datetime(2025, 1, 6, 12, tzinfo=timezone.utc)
    card, _ = scheduler.review_card(Card(card_id=1, due=start), 3, review_datetime=start)  # Good
    for days in (0, 1, 3, 30):
        when = start.timestamp() + days * DAY
        ours = retrievability(card.to_dict(), when, scheduler.parameters)
        theirs = scheduler.get_card_retrievability(card, datetime.fromtimestamp(when, tz=timezone.utc))
        assert ours == pytest.approx(theirs, rel=1e-9)
    # between whole days ours keeps falling, where fsrs's stays put until the next day
    assert retrievability(card.to_dict(), start.timestamp() + 0.5 * DAY) < 1.0
    assert retrievability({"stability": None, "last_review": None}, start.timestamp()) is None


def test_the_range_narrows_with_evidence(learner):
    store, clock, answer = learner
    widths = [forecast(store, clock).score]
    answer(["alpha-0", "alpha-1", "alpha-2", "beta-0", "beta-1"], correct=True)
    answer(["gamma-0", "gamma-1", "beta-2"], correct=False)
    widths.append(forecast(store, clock).score)
    answer(["alpha-0", "alpha-1", "beta-0", "gamma-0", "gamma-1", "gamma-2", "alpha-3"], correct=True)
    widths.append(forecast(store, clock).score)
    spans = [e.high - e.low for e in widths]
    assert spans[0] > spans[1] > spans[2]
    first = topic(forecast_pack(PACK, model.Snapshot((), {}), clock.time()), "alpha")
    last = topic(forecast(store, clock), "alpha")
    assert last.expected.high - last.expected.low < first.expected.high - first.expected.low


def test_topics_never_started_are_shown_as_such(learner):
    store, clock, answer = learner
    f = forecast(store, clock)
    assert f.answers == 0 and f.weakest is None
    assert all(not t.started and t.never_seen == t.questions == 4 for t in f.topics)
    answer(["alpha-0", "alpha-1"], correct=False)
    f = forecast(store, clock)
    alpha, beta = topic(f, "alpha"), topic(f, "beta")
    assert (alpha.started, alpha.never_seen, alpha.answers) == (True, 2, 2)
    assert (beta.started, beta.never_seen) == (False, 4)
    assert f.weakest.topic == "alpha"  # a topic never started is new, not weak


def test_exam_allocation_matches_the_mock_exams_own_draw():
    pack = make_pack(topics=("a", "b", "c"), per_topic=9)
    small = [q for q in pack.questions if q.topic != "a" or q.id in ("a-0", "a-1")]  # a: 2, b: 9, c: 9
    small = [q for q in small if q.topic != "b" or int(q.id.split("-")[1]) < 5]       # b: 5
    sizes = {t: sum(q.topic == t for q in small) for t in "abc"}
    expected = exam_allocation(sizes, 10)
    assert expected == pytest.approx({"a": 2.0, "b": 4.0, "c": 4.0})
    expected_11 = exam_allocation(sizes, 11)
    rng = random.Random(7)
    runs = 3000
    counts = {t: 0 for t in "abc"}
    for _ in range(runs):
        for q in draw_per_topic(small, None, 11, rng):
            counts[q.topic] += 1
    assert {t: counts[t] / runs for t in "abc"} == pytest.approx(expected_11, abs=0.05)
    assert expected_11 == pytest.approx({"a": 2.0, "b": 4.5, "c": 4.5})


def test_luck_and_draw_terms_match_a_simulated_exam(learner, monkeypatch):
    """With what the model does not know set to zero, the range is the spread of real exam scores:
    exams drawn by draw_per_topic, each question right with its forecast probability."""
    store, clock, answer = learner
    answer(["alpha-0", "alpha-1", "beta-0"], correct=True)
    answer(["gamma-0", "beta-1"], correct=False)
    monkeypatch.setattr(model, "_rate_variance", lambda mean, evidence, weight: 0.0)
    snapshot = read_snapshot(store, PACK)
    f = forecast_pack(PACK, snapshot, clock.time(), exam_questions=7)
    p = {k: v.probability for k, v in predict_pack(PACK, snapshot, clock.time()).items()}
    rng = random.Random(3)
    scores = []
    for _ in range(20000):
        drawn = draw_per_topic(PACK.questions, None, 7, rng)
        scores.append(sum(rng.random() < p[q.key] for q in drawn) / 7)
    assert f.score.mean == pytest.approx(sum(scores) / len(scores), abs=0.005)
    z = NormalDist().inv_cdf(0.9)
    assert (f.score.high - f.score.mean) / z == pytest.approx(pstdev(scores), rel=0.05)


def test_calibration_fit_recovers_known_weights():
    truth = (0.3, 0.8, -0.4, 1.2, 0.5)
    rng = random.Random(11)
    samples = []
    for _ in range(6000):
        r = None if rng.random() < 0.4 else rng.uniform(0.2, 0.99)
        prior = rng.uniform(0.3, 0.9)
        p = sigmoid(sum(w * x for w, x in zip(truth, features(r, prior))))
        samples.append((r, prior, rng.random() < p))
    fitted = Calibration.fit(samples, ridge=0.01)
    assert fitted.weights == pytest.approx(truth, abs=0.15)
    assert fitted.pairs == 6000
    assert Calibration.fit([]).weights == DEFAULT_WEIGHTS
    # with the default weights an unseen question is forecast at its prior
    assert Calibration().probability(None, 0.7) == pytest.approx(0.7)


def test_difficulty_prior_counts_guessing():
    single, multiple = PACK.questions[0], PACK.questions[3]
    assert (single.type, multiple.type) == ("single", "multiple")
    assert chance(single) == 0.25 and chance(multiple) == pytest.approx(1 / 15)
    assert difficulty_prior(single) == pytest.approx(0.25 + 0.75 * 0.55)
    assert math.isclose(difficulty_prior(multiple), 1 / 15 + 14 / 15 * 0.55)
