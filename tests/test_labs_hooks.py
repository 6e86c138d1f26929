"""From the quiz into the labs: `l` after answering a question with live blocks, `L` on the home screen."""
from pathlib import Path

from textual.widgets import Input

from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.labs.menu import LabsMenuScreen
from quizapp.labs.ppo import PPOLab
from quizapp.screens.home import HomeScreen
from quizapp.screens.question import QuestionScreen

PACK = """\
format: 1
pack: {id: livepack, title: "Live pack", language: en}
topics:
  - {id: ppo, title: "PPO"}
questions:
  - id: clip
    topic: ppo
    prompt: "What does the clip do when r = 1.5, Â = 1, ε = 0.2?"
    choices:
      - {text: "It caps r·Â at 1.2.", correct: true}
      - {text: "Nothing."}
    explanation: "The min keeps clip(r)·Â = 1.2."
    live:
      - probe: ppo_clip
        args: {ratio: 1.5, advantage: 1, epsilon: 0.2}
"""


def live_app(tmp_path: Path) -> QuizApp:
    path = tmp_path / "live.yaml"
    path.write_text(PACK, encoding="utf-8")
    pack = load_pack(path).pack
    return QuizApp(Catalog((pack,), (), ("livepack",)), Options(user_packs=None, seed=1))


def footer_keys(screen) -> set[str]:
    return {b.binding.action for b in screen.active_bindings.values() if b.enabled and b.binding.show}


async def test_l_opens_the_questions_lab_after_the_answer_and_escape_returns(tmp_path):
    app = live_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert "open_lab" not in footer_keys(screen)  # not before the answer
        await pilot.press("l")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("a")
        await pilot.pause()
        assert "open_lab" in footer_keys(screen)
        await pilot.press("l")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        lab = app.screen
        assert isinstance(lab, PPOLab)
        assert lab.query_one("#ratio", Input).value == "1.5"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.answer is not None


async def test_shift_l_on_home_opens_the_labs_menu(tmp_path):
    app = live_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LabsMenuScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
