"""The Evidence section after an answer: the numbers are the engine's, the caption follows the language."""
from __future__ import annotations

import math
from collections import OrderedDict

import pytest
from rich.text import Text

from engine.probes import run_probe
from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.evidence import panel as panel_module
from quizapp.evidence.cache import SESSION, ProbeCache
from quizapp.evidence.draw import draw
from quizapp.evidence.panel import EvidencePanel
from quizapp.screens.exam import ExamScreen
from quizapp.options import Options
from quizapp.screens.question import QuestionScreen
from quizapp.screens.review import ReviewScreen

PACK = """\
format: 1
pack: {id: ev, title: Evidence}
topics: [{id: t, title: T}]
questions:
  - id: soft
    topic: t
    prompt: Which score gets the largest probability?
    choices:
      - {text: "The largest score.", correct: true}
      - {text: "The smallest score."}
    explanation: The softmax keeps the order of the scores.
    live:
      - probe: softmax
        args: {scores: [2, 1, 0]}
        caption: "The scores become {probabilities[0]:.3f} and {probabilities[1]:.3f}."
      - probe: ppo_clip
        args: {ratio: 1.5, advantage: 1}
    translations:
      de:
        prompt: Welcher Score bekommt die größte Wahrscheinlichkeit?
        choices: ["Der größte Score.", "Der kleinste Score."]
        captions: ["Die Scores werden zu {probabilities[0]:.3f} und {probabilities[1]:.3f}.", null]
"""


def app_for(tmp_path) -> QuizApp:
    path = tmp_path / "ev.yaml"
    path.write_text(PACK, encoding="utf-8")
    pack = load_pack(path).pack
    return QuizApp(Catalog((pack,), (), ("ev",)), Options(user_packs=None, seed=1))


def panel_text(screen) -> str:
    panel = screen.query_one(EvidencePanel)
    return "\n".join(str(block.render()) for block in panel.query(".evidence--block"))


async def settled(pilot, screen) -> None:
    await pilot.pause()
    await screen.query_one(EvidencePanel).workers.wait_for_complete()
    await pilot.pause()


async def computed_ahead(pilot, screen) -> None:
    """Until the evidence worker of the question shown has started (after the first paint) and finished."""
    panel = screen.query_one(EvidencePanel)
    for _ in range(500):
        if panel.running == panel.request:
            break
        await pilot.pause(0.02)
    await settled(pilot, screen)


async def answer(pilot, app) -> QuestionScreen:
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, QuestionScreen)
    assert not screen.query_one(EvidencePanel).display  # nothing before the answer
    await pilot.press("abcdefgh"[min(screen.session.current.correct_positions)])
    await settled(pilot, screen)
    return screen


async def test_evidence_shows_the_probes_numbers_and_the_filled_caption(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await answer(pilot, app)
        text = panel_text(screen)
        exps = [math.exp(2), math.exp(1), math.exp(0)]
        p = [e / sum(exps) for e in exps]  # an independent softmax
        assert f"The scores become {p[0]:.3f} and {p[1]:.3f}." in text
        assert f"{p[0]:.3f}" in text and f"{p[2]:.3f}" in text  # the bars' numbers
        clip = run_probe("ppo_clip", {"ratio": 1.5, "advantage": 1})
        assert clip["objective"] == 1.2 and "min = 1.200" in text and "clipped: no gradient" in text


async def test_language_switch_changes_the_caption_and_the_decimal_mark(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await answer(pilot, app)
        await pilot.press("t")
        await settled(pilot, screen)
        text = panel_text(screen)
        exps = [math.exp(2), math.exp(1), math.exp(0)]
        p0 = exps[0] / sum(exps)
        assert f"Die Scores werden zu {p0:.3f}".replace(".", ",") in text
        assert "The scores become" not in text


async def test_review_screen_shows_the_same_evidence(tmp_path):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await answer(pilot, app)
        answered = screen.session.answers[-1]
        review = ReviewScreen(answered, screen.pack)
        app.push_screen(review)
        await settled(pilot, review)
        assert "The scores become" in panel_text(review)


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The probes the evidence runs from now on (the session's cache starts empty)."""
    calls: list[str] = []

    def run(probe: str, args: dict) -> dict:
        calls.append(probe)
        return run_probe(probe, args)
    monkeypatch.setattr(panel_module, "_run", run)
    monkeypatch.setattr(SESSION, "_results", OrderedDict())
    return calls


async def test_evidence_is_computed_while_the_question_is_read_and_shown_only_after_the_answer(tmp_path, computed):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        await computed_ahead(pilot, screen)
        assert computed == ["softmax", "ppo_clip"]  # done before the answer…
        panel = screen.query_one(EvidencePanel)
        assert not panel.display and not panel.query(".evidence--block")  # …and not shown
        await pilot.press("t")  # the German question: the same calls, not computed again
        await computed_ahead(pilot, screen)
        assert not panel.display
        await pilot.press("abcdefgh"[min(screen.session.current.correct_positions)])
        await settled(pilot, screen)
        exps = [math.exp(2), math.exp(1), math.exp(0)]
        p = [e / sum(exps) for e in exps]
        assert f"Die Scores werden zu {p[0]:.3f} und {p[1]:.3f}".replace(".", ",") in panel_text(screen)
        assert "min = 1,200" in panel_text(screen)
        assert computed == ["softmax", "ppo_clip"]


async def test_an_exam_computes_no_evidence(tmp_path, computed):
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        await pilot.press("abcdefgh"[min(screen.exam.current.correct_positions)])
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert computed == []


def test_cache_runs_a_probe_once_per_arguments():
    calls = []

    def compute(probe, args):
        calls.append((probe, args))
        return {"n": len(calls)}
    cache = ProbeCache(max_entries=2)
    assert cache.run("softmax", {"scores": [1, 2]}, compute) == {"n": 1}
    assert cache.run("softmax", {"scores": (1, 2)}, compute) == {"n": 1}  # the same arguments
    assert cache.run("softmax", {"scores": [2, 1]}, compute) == {"n": 2}
    cache.run("gae", {"rewards": [1]}, compute)
    assert cache.get("softmax", {"scores": [1, 2]}) is None  # the oldest went first
    assert len(calls) == 3


def test_every_probe_has_a_drawing_that_names_its_numbers():
    cases = {
        "tokenize": {"text": "the cat"},
        "next_token": {"text": "The model reads the "},
        "attention": {"text": "the cat sat"},
        "gae": {"rewards": [0, 1], "values": [0.5, 0.5]},
        "softmax": {"scores": [1, 0]},
        "scaled_softmax": {"scores": [1, 2], "d_k": 4},
        "pe_entry": {"pos": 1, "i": 0, "d_model": 8},
    }
    for probe, args in cases.items():
        result = run_probe(probe, args)
        text = draw(probe, result)
        assert isinstance(text, Text) and text.plain.strip(), probe
        assert max(len(line) for line in text.plain.splitlines()) <= 78, probe
    gae = run_probe("gae", cases["gae"])
    assert f"{gae['advantages'][0]:.4f}" in draw("gae", gae).plain
    top = run_probe("next_token", cases["next_token"])["top"][0]
    assert f"{top['probability']:.3f}" in draw("next_token", run_probe("next_token", cases["next_token"])).plain
