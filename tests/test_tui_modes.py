"""Study modes through the real app with a real progress store: practice is recorded, the
exam screen (map, flag, submit, review), the resume offer and the statistics screen."""
import re
from pathlib import Path

from fsrs import Rating

from question_bank.loader import load_pack
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.progress.db import open_store
from quizapp.screens.exam import ExamScreen
from quizapp.screens.question import QuestionScreen
from quizapp.study.persist import track_practice
from quizapp.study.practice import PracticeSession
from quizapp.widgets.choice import ChoiceRow

MINI = load_pack(Path(__file__).parent / "fixtures" / "mini.yaml").pack


def app_with_store(tmp_path, **options):
    store = open_store(tmp_path / "progress.sqlite3")
    return QuizApp(Catalog((MINI,), (), ("mini",)), Options(user_packs=None, **options), store), store


def key_for(position: int) -> str:
    return "abcdefgh"[position]


async def test_practice_answers_are_committed_and_the_rating_can_be_changed(tmp_path):
    app, store = app_with_store(tmp_path, seed=4, topics=("attention",))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        item = screen.session.current
        await pilot.press(key_for(min(item.correct_positions)))
        await pilot.pause()
        # committed at once: another connection sees it while the session is still open
        other = open_store(tmp_path / "progress.sqlite3")
        rows = other.answers([item.question.key])
        assert [(r.question_key, r.correct) for r in rows] == [(item.question.key, True)]
        assert "Good" in str(screen.query_one("#rating").render())
        await pilot.press("2")  # the learner found it hard
        await pilot.pause()
        assert screen.tracker.last_rating == Rating.Hard
        assert "Hard" in str(screen.query_one("#rating").render())
        other.close()
    store.close()


async def test_exam_map_flag_submit_and_review(tmp_path):
    app, store = app_with_store(tmp_path, seed=2)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExamSetupScreen"
        await pilot.press("enter")  # defaults: every question of the 2 topics, 30 minutes, 60 %
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        exam = screen.exam
        assert len(exam.items) == 3
        # a 30-minute countdown has started (a loaded machine may take seconds to get here)
        assert re.search(r"⏱ (30:00|29:[0-5]\d) left", str(screen.query_one("#progress").render()))
        # answer the first correctly (no feedback shown), flag the second, leave the rest open
        first = exam.current
        for p in sorted(first.correct_positions) if first.question.type == "multiple" else [min(first.correct_positions)]:
            await pilot.press(key_for(p))
        assert not screen.query(".-correct") and not screen.query(".-wrong")  # no feedback in an exam
        assert {r.position for r in screen.query(ChoiceRow) if r.has_class("-toggled")} == set(first.correct_positions) \
            or first.question.type == "single"
        await pilot.press("right", "ctrl+f")
        await pilot.pause()
        assert [e.status for e in exam.map()] == ["answered", "flagged", "open"]
        assert "1 answered · 1 flagged" in str(screen.query_one("#progress").render())
        await pilot.press("left")
        await pilot.pause()
        assert exam.position == 0
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await pilot.pause()
        result_screen = app.screen
        assert type(result_screen).__name__ == "ExamResultScreen"
        assert (result_screen.result.right, result_screen.result.total) == (1, 3)
        assert not result_screen.result.passed
        assert "NOT PASSED" in str(result_screen.query_one("#score").render())
        await pilot.press("down", "enter")  # review the flagged, unanswered second question
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert "Not answered" in app.screen.query_one("#feedback").source
    finished = store.sessions("finished", 5)
    assert [s.mode for s in finished] == ["exam"]
    store.close()


async def test_unfinished_session_is_offered_and_resumes_with_its_answers(tmp_path):
    store = open_store(tmp_path / "progress.sqlite3")
    session = PracticeSession.start(MINI.questions, seed=9)
    tracker = track_practice(store, session, "practice", pack_id="mini")
    session.show()
    first = session.current
    session.answer({min(first.correct_positions)} if first.question.type == "single" else set(first.correct_positions))
    tracker.release()  # as if the terminal had closed
    store.close()

    app, store = app_with_store(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "ResumeScreen"
        assert "1 of 3 answered" in str(app.screen.query_one("#sessions").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.session.position == 1
        assert screen.session.answers[0].item.question.id == first.question.id
        assert screen.session.answers[0].correct
    store.close()


async def test_statistics_screen_shows_what_was_answered(tmp_path):
    app, store = app_with_store(tmp_path, seed=1, topics=("ppo",), count=1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        item = app.screen.session.current
        await pilot.press(*[key_for(p) for p in sorted(item.correct_positions)])
        if item.question.type == "multiple":
            await pilot.press("enter")
        await pilot.press("enter")  # to the summary
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "StatsScreen"
        shown = "\n".join(line.text for line in app.screen.query_one("#tables").render_lines(
            app.screen.query_one("#tables").region.reset_offset))
        ppo_row = next(line for line in shown.splitlines() if "RL and PPO" in line)
        cells = [c.strip() for c in ppo_row.split("│")[1:-1]]
        assert cells[:5] == ["RL and PPO", "2", "1", "1", "100%"], ppo_row  # questions, seen, attempts, accuracy
    store.close()
