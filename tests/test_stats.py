"""Statistics per pack, topic and question, as data, JSON and the `quizapp stats` command."""
import json
from pathlib import Path

import pytest
from fsrs import Scheduler

from progress_packs import make_pack
from quizapp.progress import open_store
from quizapp.study.clock import FakeClock
from quizapp.study.review import ReviewScheduler
from quizapp.study.stats import collect_stats, render_stats, stats_json, stats_main

PACK = make_pack()
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def answer(store, sid, position, qid, correct, at, pack="demo"):
    store.record_answer(sid, position, f"{pack}/{qid}", {0}, {0}, correct, 4.0, answered_at=at)


@pytest.fixture
def history(tmp_path):
    """Two sessions: a practice, then an exam whose alpha-1 answer changed from wrong to right."""
    with open_store(tmp_path / "progress.sqlite3") as store:
        s1 = store.start_session("practice", "demo", [], started_at=100)
        answer(store, s1, 0, "alpha-0", True, 101)
        answer(store, s1, 1, "alpha-1", False, 102)
        answer(store, s1, 2, "beta-0", True, 103)
        answer(store, s1, 3, "gone", True, 104)  # a question since removed from the pack
        store.finish_session(s1, {}, 105)
        s2 = store.start_session("exam", "demo", [], started_at=200)
        answer(store, s2, 0, "alpha-0", True, 201)
        answer(store, s2, 1, "alpha-1", False, 202)
        answer(store, s2, 1, "alpha-1", True, 203)  # changed before submitting: counts once
        answer(store, s2, 2, "gamma-0", False, 204)
        store.finish_session(s2, {}, 205)
        clock = FakeClock()
        ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False)).rate("demo/gamma-0", False, 4.0, None)
        yield store, clock


def test_per_topic_and_per_pack_numbers(history):
    store, clock = history
    stats = collect_stats(store, [PACK], now=clock.time())
    [pack] = stats.packs
    topics = {t.topic: t for t in pack.topics}
    alpha, beta, gamma = topics["alpha"], topics["beta"], topics["gamma"]
    assert (alpha.questions, alpha.seen, alpha.attempts, alpha.right, alpha.accuracy) == (4, 2, 4, 3, 0.75)
    assert alpha.trend == (0.5, 1.0)     # session 1: 1 of 2, session 2: 2 of 2
    assert (beta.seen, beta.attempts, beta.accuracy, beta.trend) == (1, 1, 1.0, (1.0,))
    assert (gamma.attempts, gamma.accuracy, gamma.due) == (1, 0.0, 1)
    assert alpha.due == 0 and alpha.title == "Alpha"
    total = pack.total
    assert (total.questions, total.seen, total.attempts, total.right, total.due) == (12, 4, 6, 4, 1)
    assert total.trend == pytest.approx((2 / 3, 2 / 3))
    assert stats.orphaned_answers == 1
    assert stats.sessions == {"exam": 1, "practice": 1} and stats.unfinished == 0


def test_per_question_attempts_and_last_result(history):
    store, clock = history
    [pack] = collect_stats(store, [PACK], now=clock.time()).packs
    questions = {q.question_id: q for q in pack.questions}
    assert (questions["alpha-1"].attempts, questions["alpha-1"].right, questions["alpha-1"].last_correct) == (2, 1, True)
    assert questions["alpha-1"].last_answered == 203
    assert (questions["gamma-0"].last_correct, questions["gamma-0"].due is not None) == (False, True)
    assert (questions["beta-3"].attempts, questions["beta-3"].last_correct, questions["beta-3"].due) == (0, None, None)
    assert "gone" not in questions


def test_a_pack_never_practised_shows_zeros(tmp_path):
    with open_store(tmp_path / "p.sqlite3") as store:
        [pack] = collect_stats(store, [PACK]).packs
    assert (pack.total.attempts, pack.total.accuracy, pack.total.trend, pack.total.due) == (0, None, (), 0)


def test_json_is_plain_data(history):
    store, clock = history
    data = json.loads(json.dumps(stats_json(collect_stats(store, [PACK], now=clock.time()))))
    [pack] = data["packs"]
    assert pack["id"] == "demo" and pack["attempts"] == 6 and pack["accuracy"] == pytest.approx(0.6667, abs=1e-4)
    alpha = next(t for t in pack["topics"] if t["id"] == "alpha")
    assert alpha == {"id": "alpha", "title": "Alpha", "questions": 4, "seen": 2, "attempts": 4, "right": 3,
                     "accuracy": 0.75, "trend": [0.5, 1.0], "due": 0}
    assert pack["questions"] == 12
    q = next(q for q in pack["by_question"] if q["id"] == "gamma-0")
    assert q["last_result"] == "wrong" and q["due"].startswith("2025-01-06T12:01")
    assert data["orphaned_answers"] == 1 and data["generated_at"].startswith("2025-01-06T12:00")


def test_rendered_tables_name_the_topics(history):
    from rich.console import Console

    store, clock = history
    console = Console(width=120, record=True)
    console.print(render_stats(collect_stats(store, [PACK], now=clock.time()), questions=True))
    text = console.export_text()
    assert "Pack demo" in text and "Alpha" in text and "75%" in text and "50 → 100" in text
    assert "alpha-1" in text and "1 answers belong to questions no longer" in text


def test_stats_command_prints_json_and_tables(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    with open_store() as store:
        sid = store.start_session("practice", "mini", [("mini/dot-product", (0, 1, 2, 3))])
        store.record_answer(sid, 0, "mini/dot-product", {0}, {0}, True, 3.0)
    assert stats_main(["--json", "--pack", str(MINI)]) == 0
    data = json.loads(capsys.readouterr().out)
    mini = next(p for p in data["packs"] if p["id"] == "mini")
    assert (mini["attempts"], mini["right"], mini["seen"]) == (1, 1, 1)
    assert data["unfinished_sessions"] == 1
    assert stats_main(["--pack", str(MINI)]) == 0
    assert "Mini pack" in capsys.readouterr().out


def test_stats_command_on_a_corrupt_database_says_so_once_and_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    (tmp_path / "progress.sqlite3").write_bytes(b"\x00garbage" * 1024)
    assert stats_main(["--json", "--pack", str(MINI)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "could not be read" in captured.err
    assert json.loads(captured.out)["packs"]


def test_stats_command_usage_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    assert stats_main(["--pack", str(tmp_path / "nope.yaml")]) == 2
    assert "no such pack" in capsys.readouterr().err
    assert stats_main(["--bogus"]) == 2
