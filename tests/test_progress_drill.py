"""Drill weak topics: the topics with the lowest recent accuracy, wrong answers first."""
import pytest

from progress_packs import make_pack
from quizapp.progress import open_store
from quizapp.study.drill import draw_drill, weak_topics

PACK = make_pack(topics=("alpha", "beta", "gamma", "delta"))


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "progress.sqlite3") as s:
        yield s


def give(store, results):
    """results: (question id, correct) in the order answered."""
    sid = store.start_session("practice", "demo", [])
    for i, (qid, correct) in enumerate(results):
        store.record_answer(sid, i, f"demo/{qid}", {0}, {0}, correct, 2.0, answered_at=1000.0 + i)


def test_nothing_answered_nothing_to_drill(store):
    assert weak_topics(store, PACK) == []
    assert draw_drill(store, PACK, count=5) == []


def test_topics_rank_by_recent_accuracy(store):
    give(store, [("alpha-0", False), ("alpha-1", False), ("alpha-2", True), ("alpha-0", True),   # 2/4
                 ("beta-0", True), ("beta-1", False),                                        # 1/2
                 ("gamma-0", False), ("gamma-1", True), ("gamma-2", True), ("gamma-0", True),  # 3/4
                 ("delta-0", False)])                                                         # 0/1
    ranked = [(t.topic, t.accuracy, t.attempts) for t in weak_topics(store, PACK)]
    assert ranked == [("delta", 0.0, 1), ("alpha", 0.5, 4), ("beta", 0.5, 2), ("gamma", 0.75, 4)]
    recent = [(t.topic, t.accuracy) for t in weak_topics(store, PACK, recent_n=2)]
    assert recent[:2] == [("delta", 0.0), ("beta", 0.5)] and ("alpha", 1.0) in recent  # alpha got better lately


def test_drill_draws_from_the_weakest_topics_wrong_answers_first(store):
    give(store, [("alpha-0", True), ("alpha-1", False), ("alpha-2", True),
                 ("beta-0", False), ("beta-1", True), ("beta-2", False),
                 ("gamma-0", True), ("delta-0", True)])
    drawn = draw_drill(store, PACK, count=6, topics=2, seed=1)
    assert {q.topic for q in drawn} == {"alpha", "beta"}  # gamma and delta are at 100 %
    assert len(drawn) == 6 and len(set(drawn)) == 6
    beta, alpha = [q.id for q in drawn if q.topic == "beta"], [q.id for q in drawn if q.topic == "alpha"]
    assert drawn[0].topic == "beta"                       # the weakest topic leads
    assert set(beta[:2]) == {"beta-0", "beta-2"} and beta[2] == "beta-3"  # wrong, then unseen
    assert alpha[:2] == ["alpha-1", "alpha-3"]                            # wrong, then unseen


def test_when_every_topic_is_perfect_the_lowest_still_get_drilled(store):
    give(store, [("alpha-0", True), ("beta-0", True)])
    drawn = draw_drill(store, PACK, count=4, topics=1)
    assert len(drawn) == 4 and {q.topic for q in drawn} == {"alpha"}  # a tie: topic order decides
