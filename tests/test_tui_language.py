"""`t` switches the questions and the whole interface at once, and the choice is remembered."""
import json
from pathlib import Path

from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.cli import start_language
from quizapp.options import Options
from quizapp.progress.db import open_store
from quizapp.screens.home import HomeScreen
from quizapp.screens.question import QuestionScreen
from quizapp.widgets.choice import ChoiceRow

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def footer_text(app) -> str:
    from quizapp.widgets.footer import KeyFooter
    return app.screen.query_one(KeyFooter).render().plain  # the line as drawn: keys and their descriptions


async def test_t_switches_interface_and_question_and_is_remembered(private_home):
    pack = load_pack(MINI).pack
    store = open_store()
    app = QuizApp(Catalog((pack,), (), ("mini",)), Options(user_packs=None, seed=2, topics=("attention",),
                                                            lang="en"), store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "Practice" in footer_text(app)
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, QuestionScreen)
            assert "End session" in footer_text(app)
            await pilot.press("t")
            await pilot.pause()
            assert [r.text for r in screen.query(ChoiceRow)][0] in {
                "Den Attention-Score.", "Die Position des Tokens.", "Die Token-ID.", "Die Lernrate."}
            footer = footer_text(app)
            assert "Sprache" in footer and "Schluss" in footer and "Language" not in footer
            assert "Eine wählen" in str(screen.query_one("#hint").render())
            await pilot.press("a")
            await pilot.pause()
            hint = str(screen.query_one("#hint").render())
            assert "Richtig" in hint or "Nicht ganz" in hint
            await pilot.press("enter")  # the summary, in German
            await pilot.pause()
            assert "Sitzung beendet" in str(app.screen.query_one("#score").render())
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert "Üben" in footer_text(app)
            assert "Enter startet das Üben" in str(app.screen.query_one("#plan").render())
    finally:
        store.close()
    assert json.loads((private_home / "settings.json").read_text())["lang"] == "de"
    assert start_language([]) == "de"  # the next start: no --lang, the saved choice wins over the locale
    assert start_language(["--lang", "en"]) == "en"
