"""Exam readiness in the app: the home line, the statistics screen with its charts, the study-next
key; and nothing of it loads with the home screen."""
from pathlib import Path

from test_layering import heavy, loaded_modules
from textual_plotext import PlotextPlot

from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.progress.db import open_store
from quizapp.screens.question import QuestionScreen

MINI = load_pack(Path(__file__).parent / "fixtures" / "mini.yaml").pack


def text_of(app, selector: str) -> str:
    """What the widget shows, line by line, as a person would read it."""
    widget = app.screen.query_one(selector)
    return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))


async def settle(app, pilot) -> None:
    while type(app.screen).__name__ == "HomeScreen" and "t: " not in text_of(app, "#due"):
        await pilot.pause(0.02)  # the due line and the forecast start a moment after the first paint
    await pilot.pause()  # the forecast's worker starts after the due line's refresh
    await app.workers.wait_for_complete()
    await pilot.pause()


async def answer_one(app, pilot, right: bool) -> None:
    await pilot.press("enter")  # practice
    await pilot.pause()
    item = app.screen.session.current
    positions = sorted(item.correct_positions) if right else [min(set(range(len(item.order))) - item.correct_positions)]
    await pilot.press(*["abcdefgh"[p] for p in positions])
    if item.question.type == "multiple" and right:
        await pilot.press("enter")
    await pilot.pause()


async def test_home_line_forecasts_the_selected_pack_and_follows_answers(tmp_path):
    store = open_store(tmp_path / "progress.sqlite3")
    app = QuizApp(Catalog((MINI,), (), ("mini",)), Options(user_packs=None, seed=3, count=1), store)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        line = text_of(app, "#readiness").strip()
        assert line.startswith("Exam today: about ") and "nothing answered yet" in line
        await answer_one(app, pilot, right=False)
        assert len(store.prediction_pairs()) == 1  # the question screen stored its forecast first
        await pilot.press("enter")  # summary
        await pilot.pause()
        await pilot.press("escape")  # home
        await settle(app, pilot)
        assert "weakest: " in text_of(app, "#readiness")
    store.close()


async def test_statistics_screen_shows_forecast_charts_and_starts_the_suggested_drill(tmp_path):
    store = open_store(tmp_path / "progress.sqlite3")
    app = QuizApp(Catalog((MINI,), (), ("mini",)), Options(user_packs=None, seed=5, count=1), store)
    async with app.run_test(size=(120, 40)) as pilot:
        await answer_one(app, pilot, right=True)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "StatsScreen"
        head = text_of(app, "#readiness")
        assert "Exam today: about" in head and "Study next (n): " in head and "Forecasts so far (1 answer)" in head
        table = text_of(app, "#forecast-table")
        assert "Never seen" in table and "Mock exam score" in table
        plots = list(screen.query(PlotextPlot))
        assert len(plots) == 3 and all(p.region.height >= 10 for p in plots)
        suggested = screen.readiness.pack("mini").suggestion
        await pilot.press("n")
        await pilot.pause()
        question_screen = app.screen
        assert isinstance(question_screen, QuestionScreen) and question_screen.mode == "drill"
        assert {i.question.topic for i in question_screen.session.items} == {suggested.topic}
        assert len(question_screen.session.items) == suggested.questions
    store.close()


def test_nothing_of_the_forecast_or_the_charts_loads_with_the_home_screen():
    modules = loaded_modules("import quizapp.app, quizapp.screens.home, quizapp.screens.launch")
    assert not heavy(modules, "textual_plotext") and not heavy(modules, "plotext")
    assert not heavy(modules, "quizapp.study.forecast"), sorted(m for m in modules if "forecast" in m)
