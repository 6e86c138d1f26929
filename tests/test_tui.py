"""The practice session through the real app, driven by Pilot as a learner would."""
from pathlib import Path



from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog, load_catalog
from quizapp.options import Options
from quizapp.screens.home import HomeScreen
from quizapp.screens.question import QuestionScreen
from quizapp.screens.summary import SummaryScreen
from quizapp.widgets.choice import ChoiceRow

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def mini_app(**options) -> QuizApp:
    pack = load_pack(MINI).pack
    return QuizApp(Catalog((pack,), (), ("mini",)), Options(user_packs=None, **options))


def correct_key(screen: QuestionScreen) -> str:
    return "abcdefgh"[min(screen.session.current.correct_positions)]


def wrong_key(screen: QuestionScreen) -> str:
    item = screen.session.current
    return "abcdefgh"[min(set(range(len(item.order))) - item.correct_positions)]


async def test_enter_on_home_starts_practice_with_selection():
    app = mini_app(seed=3, count=10)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert len(app.screen.session.items) == 3  # count 10, only 3 in the pack


async def test_answer_right_and_wrong_then_summary_and_review():
    app = mini_app(seed=7, topics=())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        answered = []
        while isinstance(app.screen, QuestionScreen):
            screen = app.screen
            item = screen.session.current
            right = len(answered) != 1  # the second answer is wrong
            if item.question.type == "multiple":
                keys = ["abcdefgh"[p] for p in sorted(item.correct_positions)] if right else [wrong_key(screen)]
                await pilot.press(*keys, "enter")
            else:
                await pilot.press(correct_key(screen) if right else wrong_key(screen))
            await pilot.pause()
            verdict = str(screen.query_one("#hint").render())
            assert ("Right" in verdict) == right and ("Not quite" in verdict) == (not right)
            feedback = screen.query_one("#feedback")
            assert feedback.display and item.question.explanation.strip()[:30] in feedback.source
            rows = screen.query(ChoiceRow)
            assert {r.position for r in rows if r.has_class("-correct")} == set(item.correct_positions)
            answered.append((item.question.id, right))
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen.summary
        assert (summary.right, summary.total) == (2, 3)
        assert [a.item.question.id for a in summary.missed] == [answered[1][0]]
        await pilot.press("enter")  # reopen the missed question
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert app.screen.answer.item.question.id == answered[1][0]


async def test_escape_mid_session_asks_before_leaving():
    app = mini_app(seed=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(correct_key(app.screen) if app.screen.session.current.question.type == "single" else "a")
        if app.screen.session.position == 0:  # a multiple question: submit
            await pilot.press("enter")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)  # ended early: the summary of what was answered
        assert app.screen.summary.total == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_language_key_shows_the_translation():
    app = mini_app(seed=2, topics=("attention",))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert screen.session.current.question.id == "dot-product"
        await pilot.press("t")
        await pilot.pause()
        texts = [r.text for r in screen.query(ChoiceRow)]
        assert "Den Attention-Score." in texts
        right = texts.index("Den Attention-Score.")
        wrong = texts.index("Die Lernrate.")
        await pilot.press("abcd"[wrong])
        await pilot.pause()
        rows = list(screen.query(ChoiceRow))
        assert rows[right].why == "q·k ist groß, wenn Query und Key in dieselbe Richtung zeigen."  # translated why
        assert rows[wrong].why == "That is an optimiser setting."  # no German why given: the original


async def test_broken_pack_is_named_on_home_screen(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("format: 1\npack: {id: broken, title: B}\ntopics: []\nquestions: 7\n")
    catalog = load_catalog([MINI, bad], None)
    assert [b.path for b in catalog.broken] == [str(bad)]
    app = QuizApp(catalog, Options(user_packs=None))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#broken").render())
        assert "broken.yaml" in shown


async def test_clicking_a_choice_answers_it():
    app = mini_app(seed=5, topics=("attention",))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        position = min(screen.session.current.correct_positions)
        row = next(r for r in screen.query(ChoiceRow) if r.position == position)
        await pilot.click(row)
        await pilot.pause()
        assert screen.session.answers and screen.session.answers[0].correct
        assert "Right" in str(screen.query_one("#hint").render())


async def test_multiple_question_toggles_then_submits_with_enter():
    app = mini_app(seed=5)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        while screen.session.current.question.type != "multiple":
            await pilot.press(correct_key(screen), "enter")
            await pilot.pause()
        correct = sorted(screen.session.current.correct_positions)
        await pilot.press("abcdefgh"[correct[0]])
        assert not screen.session.answers or screen.session.answers[-1].item.question.type != "multiple"
        await pilot.press("abcdefgh"[correct[0]])            # toggled off again
        await pilot.press(*["abcdefgh"[p] for p in correct])  # toggled on, all of them
        rows = list(screen.query(ChoiceRow))
        assert {r.position for r in rows if r.has_class("-toggled")} == set(correct)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.session.answers[-1].correct


async def test_newcomer_enter_starts_the_course_pack_and_pack_flag_selects_its_pack():
    catalog = load_catalog([], None)
    app = QuizApp(catalog, Options(user_packs=None, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.pack.id == "llm-foundations"
        assert len(app.screen.session.items) == 10
    catalog = load_catalog([MINI], None)
    app = QuizApp(catalog, Options(user_packs=None, seed=1, topics=("ppo",)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.pack.id == "mini"
        assert {i.question.topic for i in app.screen.session.items} == {"ppo"}
