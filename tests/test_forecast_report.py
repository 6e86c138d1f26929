"""`quizapp stats --json` and the readiness report: the figures equal a hand computation on a tiny
history; the home line and the statistics screen show the forecast, and `n` starts the drill."""
import json
import math
from pathlib import Path

import pytest

from progress_packs import make_pack
from quizapp.progress import open_store
from quizapp.study.forecast.report import collect_readiness, score_line
from quizapp.study.stats import collect_stats, stats_json, stats_main

TINY = make_pack("tiny", topics=("a", "b"), per_topic=2)  # four single-choice questions, difficulty 3
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def logit(p):
    return math.log(p / (1 - p))


def test_calibration_figures_equal_a_hand_computation(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    forecasts = [(0.8, 0.5, True), (0.3, 0.6, False), (0.6, 0.4, True)]  # forecast, running, outcome
    with open_store() as store:
        sid = store.start_session("practice", "mini", [("mini/q", (0, 1, 2, 3))] * 3, started_at=10)
        for position, (p, running, correct) in enumerate(forecasts):
            assert store.save_prediction(sid, position, f"mini/q{position}", probability=p, running=running,
                                         retrievability=None, prior=0.5, predicted_at=20 + position)
            store.record_answer(sid, position, f"mini/q{position}", {0}, {0}, correct, 3.0, answered_at=30 + position)
        store.save_prediction(sid, 3, "mini/q3", probability=0.9, running=0.5, retrievability=None, prior=0.5,
                              predicted_at=40)  # never answered: not a pair
    assert stats_main(["--json", "--pack", str(MINI)]) == 0
    calibration = json.loads(capsys.readouterr().out)["calibration"]
    assert calibration["pairs"] == 3
    assert calibration["base_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert calibration["brier"]["forecast"] == pytest.approx((0.2 ** 2 + 0.3 ** 2 + 0.4 ** 2) / 3, abs=1e-4)
    assert calibration["brier"]["running"] == pytest.approx((0.5 ** 2 + 0.6 ** 2 + 0.6 ** 2) / 3, abs=1e-4)
    assert calibration["brier"]["constant"] == pytest.approx(((1 / 3) ** 2 * 2 + (2 / 3) ** 2) / 3, abs=1e-4)
    assert calibration["calibration_error"]["forecast"] == pytest.approx((0.2 + 0.3 + 0.4) / 3, abs=1e-4)
    assert calibration["calibration_error"]["constant"] == 0
    filled = {(b["low"], b["count"], b["mean_forecast"], b["observed"]) for b in calibration["reliability"] if b["count"]}
    assert filled == {(0.3, 1, 0.3, 0.0), (0.6, 1, 0.6, 1.0), (0.8, 1, 0.8, 1.0)}
    assert len(calibration["reliability"]) == 10


def test_forecast_figures_equal_a_hand_computation(tmp_path):
    with open_store(tmp_path / "p.sqlite3") as store:
        sid = store.start_session("practice", "tiny", [], started_at=1)
        store.record_answer(sid, 0, "tiny/a-0", {0}, {0}, True, 3.0, answered_at=2)  # no card, no pairs
        readiness = collect_readiness(store, [TINY], now=100)
        data = stats_json(collect_stats(store, [TINY], now=100), readiness)
    # Every question: 4 choices, difficulty 3 → prior 0.25 + 0.75 · 0.55. One first attempt, right:
    prior = 0.25 + 0.75 * 0.55
    pack_rate = (1 + 4 * prior) / (1 + 4)                 # 4 pseudo-answers at the prior
    topic_a = (1 + 4 * pack_rate) / (1 + 4)               # topic a: 4 pseudo-answers at the pack level
    topic_b = pack_rate                                   # topic b: nothing of its own
    score = (2 * topic_a + 2 * topic_b) / 4               # 4 questions: the exam asks all, 2 per topic
    luck = 2 * topic_a * (1 - topic_a) + 2 * topic_b * (1 - topic_b)
    unknown = 2 ** 2 * topic_a * (1 - topic_a) / (1 + 4 + 1) + 2 ** 2 * topic_b * (1 - topic_b) / (0 + 4 + 1)
    variance = (luck + unknown) / 4 ** 2 + score * (1 - score) / (1 + 4 + 1)
    z = 1.2815515655446004
    [pack] = data["packs"]
    assert pack["forecast"]["score"] == pytest.approx(score, abs=1e-4)
    assert pack["forecast"]["low"] == pytest.approx(score - z * math.sqrt(variance), abs=1e-4)
    assert pack["forecast"]["high"] == pytest.approx(min(1, score + z * math.sqrt(variance)), abs=1e-4)
    assert (pack["forecast"]["exam_questions"], pack["forecast"]["never_seen"], pack["forecast"]["weakest"]) == (4, 3, "a")
    a, b = (t["forecast"] for t in pack["topics"])
    assert a["expected"] == pytest.approx(topic_a, abs=1e-4) and b["expected"] == pytest.approx(topic_b, abs=1e-4)
    spread_a = z * math.sqrt(topic_a * (1 - topic_a) / 6 + score * (1 - score) / 6)
    assert a["low"] == pytest.approx(topic_a - spread_a, abs=1e-4)
    assert (a["started"], a["never_seen"], b["started"], b["never_seen"]) == (True, 1, False, 2)
    assert data["calibration"]["pairs"] == 0 and data["calibration"]["brier"] is None
    assert pack["study_next"]["topic"] in ("a", "b") and pack["study_next"]["gain"] > 0


def test_the_home_line_says_when_nothing_is_answered_yet(tmp_path):
    with open_store(tmp_path / "p.sqlite3") as store:
        [ready] = collect_readiness(store, [TINY], now=100).packs
        assert score_line(ready.forecast).endswith("nothing answered yet")
        sid = store.start_session("practice", "tiny", [], started_at=1)
        store.record_answer(sid, 0, "tiny/b-1", {1}, {1}, False, 3.0, answered_at=2)
        [ready] = collect_readiness(store, [TINY], now=100).packs
    line = score_line(ready.forecast)
    assert line.startswith("Exam today: about ") and line.endswith("weakest: B")
