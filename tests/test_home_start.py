"""The home screen's start-up work: the selected pack is filled in once, not after another pack first."""
from pathlib import Path

from quizapp.app import QuizApp
from quizapp.catalog import load_catalog
from quizapp.options import Options
from quizapp.screens.home import HomeScreen

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


async def test_the_selected_pack_is_shown_once_at_start_and_the_list_still_switches_packs(monkeypatch):
    shown: list[str | None] = []
    show = HomeScreen._show_topics
    monkeypatch.setattr(HomeScreen, "_show_topics", lambda self: (shown.append(self.pack_id), show(self))[1])
    catalog = load_catalog([MINI], None)
    app = QuizApp(catalog, Options(user_packs=None, packs=(MINI,), seed=1))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        # The packs list highlights its first pack (format-tour) on its own before on_mount moves it
        # to mini: that first highlight must not fill in format-tour's topics on the way.
        assert shown == ["mini"]
        await pilot.press("shift+tab", "up")
        await pilot.pause()
        assert app.screen.pack_id != "mini"
        assert shown == ["mini", app.screen.pack_id]
        topics = app.screen.query_one("#topics")
        assert topics.option_count == len(catalog.pack(app.screen.pack_id).topics)


async def test_the_first_screen_is_shown_without_parsing_every_style_twice(monkeypatch):
    from textual.css.stylesheet import Stylesheet

    reparses: list[int] = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparses.append(1), reparse(self))[1])
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#plan").styles.height.value == 1  # home.tcss applies
    assert reparses == []


async def test_the_forecast_worker_starts_without_describing_the_pack(monkeypatch):
    import pytest

    from question_bank.models import Pack
    from quizapp.progress.db import open_store
    from quizapp.widgets.readiness import ReadinessLine

    # Textual names a worker by repr() of its arguments unless told otherwise: for a 10,000-question pack
    # that repr took the UI thread a quarter of a second before the home screen could paint.
    monkeypatch.setattr(Pack, "__repr__", lambda self: pytest.fail("the pack was repr()'d"))
    forecasts: list[str] = []
    forecast = ReadinessLine._forecast
    monkeypatch.setattr(ReadinessLine, "_forecast", lambda self, pack: (forecasts.append(pack.id),
                                                                        forecast(self, pack))[1])
    store = open_store()
    try:
        app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1), store)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            while any(w.is_running for w in app.workers):
                await pilot.pause(0.02)
            assert forecasts and set(forecasts) == {app.screen.pack_id}
    finally:
        store.close()
