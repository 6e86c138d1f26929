"""The command palette (ctrl+p): find a command by typing its name, run it; in English and in German."""
from pathlib import Path

from textual.command import CommandList

from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.palette.screen import Palette
from quizapp.progress.db import open_store
from waiting import until

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
PACK = load_pack(MINI).pack
ENGLISH_COMMANDS = ("Practice", "Mock exam", "Statistics", "Labs", "Quit", "Search for commands")


def shown_commands(app) -> list[str]:
    """The palette's list as the learner reads it: each command's name and help."""
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


def make_app(lang: str, store=None) -> QuizApp:
    return QuizApp(Catalog((PACK,), (), ("mini",)), Options(user_packs=None, seed=2, lang=lang), store)


async def search(pilot, app, text: str, expected: str) -> list[str]:
    """Open the palette, type `text`, wait for `expected` among the hits; returns the hits."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, Palette))
    await pilot.press(*text)
    await until(pilot, lambda: any(expected in hit for hit in shown_commands(app)))
    return shown_commands(app)


async def choose(pilot, app, name: str) -> None:
    """Move the highlight to the command called `name` (its first line) and run it with Enter."""
    commands = app.screen.query_one(CommandList)
    names = [hit.split("\n")[0] for hit in shown_commands(app)]
    assert name in names, names
    for _ in range(len(names) + 1):
        if commands.highlighted is not None and names[commands.highlighted] == name:
            break
        await pilot.press("down")
        await until(pilot, lambda: commands.highlighted is not None)
    await pilot.press("enter")


async def test_the_palette_finds_a_command_by_typing_and_runs_it():
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        hits = await search(pilot, app, "mock", "Mock exam")
        assert any("Set up a timed mock exam" in hit for hit in hits)  # the help line under the name
        await choose(pilot, app, "Mock exam")
        await until(pilot, lambda: type(app.screen).__name__ == "ExamSetupScreen")


async def test_the_palette_speaks_german_and_runs_the_german_command(private_home):
    store = open_store()
    app = make_app("de", store)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        # How the learner finds it, on the due line (filled in after the first paint):
        await until(pilot, lambda: "^p: Befehle" in str(app.screen.query_one("#due").render()))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, Palette))
        await until(pilot, lambda: len(shown_commands(app)) > 5)  # every command, before anything is typed
        everything = "\n".join(shown_commands(app))
        assert "Probeprüfung" in everything and "Labor: Attention" in everything and "Beenden" in everything
        assert not [word for word in ENGLISH_COMMANDS if word in everything], everything
        assert app.screen.query_one("CommandInput").placeholder == "Befehl suchen…"
        await pilot.press(*"xyzzy")
        await until(pilot, lambda: any("Kein passender Befehl" in hit for hit in shown_commands(app)))
        await pilot.press(*["backspace"] * 5, *"statistik")
        await until(pilot, lambda: any("Statistik" in hit for hit in shown_commands(app)))
        assert any("Dein Fortschritt pro Paket" in hit for hit in shown_commands(app))
        await choose(pilot, app, "Statistik")
        await until(pilot, lambda: type(app.screen).__name__ == "StatsScreen")
    store.close()


async def test_the_rating_of_an_answer_can_be_changed_from_the_palette(private_home):
    store = open_store()
    try:
        app = make_app("de", store)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "QuestionScreen")
            screen = app.screen
            hits = await search(pilot, app, "lab", "Labor")  # before the answer: no rating to change
            assert not any("Wiederholung bewerten" in hit for hit in hits)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            await pilot.press("a")  # a multiple-choice question takes Enter as well
            if screen.answer is None:
                await pilot.press("enter")
            await until(pilot, lambda: screen.tracker.last_rating is not None)
            key = screen.answer.item.question.key
            suggested = int(screen.tracker.last_rating)
            chosen = 4 if suggested != 4 else 2  # not the proposed one
            name = {2: "Schwer", 4: "Leicht"}[chosen]
            await search(pilot, app, "bewerten " + name.lower(), f"Wiederholung bewerten: {name}")
            await choose(pilot, app, f"Wiederholung bewerten: {name}")
            await until(pilot, lambda: app.screen is screen and int(screen.tracker.last_rating) == chosen)
        last = store.review_logs(key)[-1]
        assert (last.rating, last.suggested) == (chosen, suggested)
    finally:
        store.close()
