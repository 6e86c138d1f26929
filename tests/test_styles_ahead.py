"""Styles read ahead: once the warm-up has read them, the question screen and every lab open without
adding a style source, so without parsing the app's styles again on the way (QuizApp.read_styles_ahead)."""
from textual.widgets import TabbedContent

from quizapp.app import QuizApp
from quizapp.catalog import load_catalog
from quizapp.labs import LABS, open_lab
from quizapp.options import Options


async def test_the_question_screen_and_every_lab_with_every_tab_open_without_a_new_style_source():
    app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1), warm=False)
    async with app.run_test(size=(160, 40), tooltips=True, notifications=True) as pilot:  # as in a terminal
        await pilot.pause()
        app._read_study_styles()  # what the warm-up does once the study modes are imported
        app._read_lab_styles()  # ... and once the labs are
        known = set(app.stylesheet.source)
        added: dict[str, list[str]] = {}

        def new_sources(screen: str) -> None:
            fresh = [where for where in app.stylesheet.source if where not in known]
            if fresh:
                added[screen] = [what or file for file, what in fresh]
            known.update(fresh)

        await pilot.press("enter", "a")  # a question, answered: its explanation and evidence shown
        await pilot.pause()
        new_sources("question")
        for info in LABS:
            await app.push_screen(open_lab(info.key))
            await pilot.pause()
            for tabs in app.screen.query(TabbedContent):
                for pane in list(tabs.query("TabPane")):
                    tabs.active = pane.id or ""
                    await pilot.pause()
            new_sources(info.key)
            app.pop_screen()
            await pilot.pause()
    # A widget class missing from a screen's WIDGET_CLASSES shows up here with the screen's name.
    assert added == {}
