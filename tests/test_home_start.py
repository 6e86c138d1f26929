"""The home screen's start-up work: the selected pack is filled in once, not after another pack first."""
from pathlib import Path

import pytest

from quizapp.app import QuizApp
from quizapp.catalog import load_catalog
from quizapp.options import Options
from quizapp.screens.home import HomeScreen
from waiting import until

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


async def test_the_home_screens_default_styles_are_read_in_one_parse_as_its_widgets_would_add_them(monkeypatch):
    from textual.css.stylesheet import Stylesheet

    async def start(read_ahead: bool) -> tuple[list, int]:
        parses: list[int] = []
        parse = Stylesheet.parse
        monkeypatch.setattr(Stylesheet, "parse", lambda self: (parses.append(1), parse(self))[1])
        if not read_ahead:  # each widget adds its class's styles when first mounted, as Textual does
            monkeypatch.setattr("quizapp.app.read_default_styles", lambda app, classes: 0)
        app = QuizApp(load_catalog([MINI], None), Options(user_packs=None, packs=(MINI,), seed=1))
        async with app.run_test(size=(100, 32), tooltips=True, notifications=True) as pilot:  # as in a terminal
            await pilot.pause()
            sources = [(where, source.tie_breaker, source.scope) for where, source in app.stylesheet.source.items()]
        monkeypatch.undo()
        return sources, len(parses)

    natural, natural_parses = await start(read_ahead=False)
    ahead, ahead_parses = await start(read_ahead=True)
    # The same styles in the same order with the same priorities (a widget class missing from
    # HomeScreen.WIDGET_CLASSES would come later and fail this), parsed once instead of in batches.
    assert ahead == natural
    assert (ahead_parses, natural_parses) == (1, 5)


async def test_the_topic_list_has_the_keys_when_the_app_starts_without_the_focus(monkeypatch):
    from textual import events
    from textual.drivers.headless_driver import HeadlessDriver

    # `quizapp serve`'s browser page (and a terminal window in the background) tells the app at start that it
    # does not have the focus; the keys must still reach the topic list once it has.
    start = HeadlessDriver.start_application_mode

    def start_unfocused(self) -> None:
        start(self)
        self._app.call_later(self._app.post_message, events.AppBlur())

    monkeypatch.setattr(HeadlessDriver, "start_application_mode", start_unfocused)
    app = QuizApp(load_catalog([MINI], None), Options(user_packs=None, packs=(MINI,), seed=1))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not app.app_focus
        app.post_message(events.AppFocus())
        await pilot.pause()
        topics = app.screen.query_one("#topics")
        before = len(topics.selected)
        await pilot.press("down", "space")
        await pilot.pause()
        assert app.focused is topics
        assert len(topics.selected) == before - 1  # space took the second topic out (the first is highlighted at start)


async def test_space_at_start_toggles_the_first_topic_as_the_list_title_says():
    app = QuizApp(load_catalog([MINI], None), Options(user_packs=None, packs=(MINI,), seed=1))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        plan = app.screen.query_one("#plan")
        assert "from 2 topics" in str(plan.render())
        await pilot.press("space")  # no arrow key first: the first topic is under the cursor from the start
        await pilot.pause()
        assert app.screen.query_one("#topics").selected == ["ppo"]  # "Attention", the first, is out
        assert "from 1 topic " in str(plan.render())
        await pilot.press("space")
        await pilot.pause()
        assert sorted(app.screen.query_one("#topics").selected) == ["attention", "ppo"]


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
            # It starts after the first paint.
            await until(pilot, lambda: forecasts and not any(w.is_running for w in app.workers))
            assert set(forecasts) == {app.screen.pack_id}
    finally:
        store.close()


def screen_cells(app) -> list[str]:
    """Every row of the screen as drawn: its text and each segment's style."""
    return ["".join(f"{segment.text}\0{segment.style}" for segment in strip)
            for strip in app.screen._compositor.render_strips()]


async def test_the_first_screen_drawn_without_a_second_styling_pass_is_the_fully_styled_one():
    # The home screen skips Textual's restyle of every widget when it is first shown (each was styled
    # as it was mounted): what it draws must be what a full restyle draws.
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
    async with app.run_test(size=(120, 40)) as pilot:
        # Compared once the screen is complete: the due line fills in 0.15 s after the first paint, and on a
        # slow run that fell between the two captures.
        due = app.screen.query_one("#due")
        await until(pilot, lambda: "t: Deutsch" in str(due.render()))
        await pilot.pause()
        first = screen_cells(app)
        app.screen.update_node_styles(animate=False)
        await pilot.pause()
        assert screen_cells(app) == first
        text = ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]
        assert any("Enter starts practice" in row for row in text)  # the screen is filled in


async def test_the_due_line_fills_in_after_the_first_paint_and_again_on_return_to_home():
    from textual.screen import Screen

    from quizapp.progress.db import open_store

    store = open_store()
    try:
        catalog = load_catalog([MINI], None)
        app = QuizApp(catalog, Options(user_packs=None, packs=(MINI,), seed=1), store)
        async with app.run_test(size=(100, 32)) as pilot:
            due = app.screen.query_one("#due")
            await until(pilot, lambda: "No reviews due today." in str(due.render()))
            app.push_screen(Screen())  # away from home (a session would be here) ...
            await pilot.pause()
            key = catalog.pack("mini").questions[0].key
            app.scheduler.rate(key, False, 5.0, None)  # ... where a question was missed: due again today
            app.pop_screen()
            await until(pilot, lambda: "1 question due for review today" in str(due.render()))
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["en", "de"])
async def test_the_home_screen_drawn_from_cached_summaries_is_the_one_drawn_from_loaded_packs(tmp_path, lang):
    from question_bank.cache import CachedPack

    cache = tmp_path / "cache"
    load_catalog([MINI], None, cache)  # writes the entries: the next load lists the packs from their summaries
    screens = []
    for catalog in (load_catalog([MINI], None), load_catalog([MINI], None, cache)):
        lazy = [p for p in catalog._sources if isinstance(p, CachedPack)]
        app = QuizApp(catalog, Options(user_packs=None, packs=(MINI,), seed=1, lang=lang))
        async with app.run_test(size=(120, 40)) as pilot:
            due = app.screen.query_one("#due")
            await until(pilot, lambda: "t: " in str(due.render()))  # filled in after the first paint
            screens.append(screen_cells(app))
            await pilot.press("enter")  # practice starts from the pack built on demand
            await pilot.pause()
            assert type(app.screen).__name__ == "QuestionScreen"
        assert [p.built for p in lazy] == [p.summary.id == "mini" for p in lazy]  # only the pack in use
    assert len(lazy) == 3  # the second catalog came from the cache
    assert screens[0] == screens[1]
