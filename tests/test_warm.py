"""Loading ahead of time: off the path to the first screen, off in tests, and what it loads is really loaded."""
from __future__ import annotations

import sys
import threading

import pytest

from quizapp import warm
from quizapp.app import QuizApp
from quizapp.catalog import load_catalog
from quizapp.options import Options
from quizapp.warm import Warmer, wanted


def test_warming_is_off_in_headless_runs_and_when_asked_by_the_environment(monkeypatch):
    monkeypatch.delenv("QUIZAPP_NO_WARM", raising=False)
    assert wanted(None, headless=False)
    assert not wanted(None, headless=True)
    assert wanted(True, headless=True)
    monkeypatch.setenv("QUIZAPP_NO_WARM", "1")
    assert not wanted(None, headless=False)
    assert wanted(True, headless=False)  # an app that asks for it gets it
    monkeypatch.setenv("QUIZAPP_NO_WARM", "0")
    assert wanted(None, headless=False)


def test_the_study_modules_come_first_and_the_labs_after_the_delay():
    order: list[str] = []
    gate = threading.Event()  # the labs step waits for this, standing in for the delay

    class Recording(Warmer):
        def _step(self, name, work):
            order.append(name)

    warmer = Recording(study=["s1", "s2"], labs=["l1"], engine=lambda: None, labs_delay=30)
    warmer._stop.wait = lambda timeout: not gate.wait(10)  # the delay ends when the test says so
    warmer.start()
    assert not warmer.done.wait(0.2)
    assert order == ["s1", "s2"]
    gate.set()
    assert warmer.done.wait(10)
    assert order == ["s1", "s2", "l1", "engine"]


def test_stop_skips_what_has_not_started():
    ran: list[str] = []
    warmer = Warmer(study=[], labs=["quizapp.labs.ppo"], engine=lambda: ran.append("engine"), labs_delay=30)
    warmer.start()
    warmer.stop()
    assert warmer.done.wait(10)
    assert ran == []


def test_a_failing_step_is_recorded_and_the_others_still_run():
    ran: list[str] = []

    def engine() -> None:
        ran.append("engine")
        raise RuntimeError("no weights")

    warmer = Warmer(study=["quizapp.no_such_module", "quizapp.labs.menu"], labs=[], engine=engine, labs_delay=0)
    warmer.start()
    assert warmer.done.wait(30)
    assert ran == ["engine"]
    assert "quizapp.labs.menu" in sys.modules
    assert [f.split(":")[0] for f in warmer.failures] == ["quizapp.no_such_module", "engine"]


async def test_the_app_starts_warming_only_once_the_home_screen_is_up(monkeypatch):
    seen: list[str] = []

    class Probe(Warmer):
        def start(self):
            seen.append(type(app.screen).__name__)
            self.done.set()
            return self

    monkeypatch.setattr(warm, "Warmer", Probe)
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1), warm=True)
    async with app.run_test(size=(100, 32)) as pilot:
        while app.warmer is None:  # a moment after the first paint (QuizApp.FIRST_FRAME_GRACE)
            await pilot.pause(0.02)
        assert app.warmer.done.is_set()
    assert seen == ["HomeScreen"]


async def test_tests_do_not_warm_unless_they_ask(monkeypatch):
    monkeypatch.setattr(warm, "Warmer", lambda *a, **k: pytest.fail("warmed in a headless run"))
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
    assert app.warmer is None


def test_the_engine_warm_up_loads_what_the_ppo_lab_needs():
    import torch

    from engine.probes import MODELS, checkpoint_name, rlhf
    from quizapp.labs.base import models_needed, warm_models

    threads = torch.get_num_threads()
    try:
        warm.warm_engine()
        assert rlhf._ppo_models.cache_info().currsize == len(MODELS)  # torch models of both
        for model in MODELS:  # the labs know them loaded: their first probe says "computing…"
            for probe in ("ppo_step", "compare_stages"):
                assert models_needed(probe, {"model": model}) <= warm_models()
        assert checkpoint_name("word", "rlhf") in warm_models()
    finally:
        torch.set_num_threads(threads)


class StudyOnly(Warmer):
    """The real thread, modules and style read-ahead, without torch or the checkpoints."""

    def __init__(self, after_study=None, after_labs=None, **_):
        super().__init__(engine=lambda: None, labs_delay=0, after_study=after_study, after_labs=after_labs)


async def question_screen_after_enter(preload: bool, monkeypatch) -> tuple[int, object]:
    """How often Enter re-parses the app's styles, and the question screen's progress line."""
    monkeypatch.setattr(warm, "Warmer", StudyOnly)
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1), warm=preload)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        if preload:
            while app.warmer is None or not app.warmer.done.is_set():
                await pilot.pause(0.01)
            assert app.warmer.failures == []
        reparse = app.stylesheet.reparse
        calls = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: (calls.append(1), reparse())[1])
        await pilot.press("enter")
        while type(app.screen).__name__ != "QuestionScreen" or not app.screen.query("ChoiceRow"):
            await pilot.pause(0.01)
        progress = app.screen.query_one("#progress")
        return len(calls), (progress.styles.height, progress.styles.background, progress.styles.text_style)


async def test_the_question_screen_styles_are_read_ahead_and_look_the_same(monkeypatch):
    cold_reparses, cold_look = await question_screen_after_enter(False, monkeypatch)
    warm_reparses, warm_look = await question_screen_after_enter(True, monkeypatch)
    assert cold_reparses == 1  # without the warm-up, Enter re-parses every style
    assert warm_reparses == 0
    assert warm_look == cold_look


async def test_reading_the_question_styles_ahead_leaves_the_home_screen_as_it_was(monkeypatch):
    def looks(app) -> list:
        return [(w.id, w.region, w.styles.background, w.styles.border, w.styles.height)
                for w in app.screen.walk_children() if w.id]

    plain = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
    async with plain.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        before = looks(plain)
    monkeypatch.setattr(warm, "Warmer", StudyOnly)
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1), warm=True)
    async with app.run_test(size=(100, 32)) as pilot:
        while app.warmer is None or not app.warmer.done.is_set():
            await pilot.pause(0.01)
        await pilot.pause()
        assert looks(app) == before


async def test_a_lab_opens_without_parsing_every_style_again_once_read_ahead(monkeypatch):
    from quizapp.labs import labs_menu

    monkeypatch.setattr(warm, "Warmer", StudyOnly)
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1), warm=True)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.warmer is None or not app.warmer.done.is_set():
            await pilot.pause(0.01)
        assert app.warmer.failures == []
        reparse = app.stylesheet.reparse
        calls = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: (calls.append(1), reparse())[1])
        app.push_screen(labs_menu())
        await pilot.pause()
        await pilot.press("5")  # the PPO lab
        await pilot.pause()
        assert type(app.screen).__name__ == "PPOLab"
        assert app.screen.query_one("#lab-title").styles.height.value == 1  # base.tcss applies
        assert calls == []
