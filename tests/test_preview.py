"""`quizapp preview PACK`: an author sees every question with its key and whys, the pack's
problems at the top, and the screen follows edits of the pack's files (polled, no sleeps)."""
import io
import os
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from quizapp.authoring.preview import PreviewApp, PreviewScreen
from quizapp.authoring.preview_cli import preview_main
from quizapp.authoring.watch import PackWatcher

REPO = Path(__file__).resolve().parents[1]
TOUR = REPO / "question_bank" / "packs" / "format-tour"
CALCULATED = (REPO / "question_bank" / "packs" / "llm-foundations" / "calculated.yaml").read_text(encoding="utf-8")


def text_of(screen, selector: str) -> str:
    widget = screen.query_one(selector)
    content = getattr(widget, "source", None)  # MarkdownText keeps its source
    if content is not None:
        return content
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def until_loaded(pilot, screen: PreviewScreen, loads: int) -> None:
    """Wait for the reload worker and its message; fail after ~20 s rather than hang."""
    for _ in range(1000):
        if screen.loads >= loads and not any(w.is_running for w in pilot.app.workers):
            break
        await pilot.pause(0.02)
    await pilot.pause()
    assert screen.loads >= loads, "the pack was not (re)loaded"


def touch_later(path: Path) -> None:
    """Make sure the modification time moves, even on file systems with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def tour(tmp_path):
    folder = tmp_path / "tour"
    shutil.copytree(TOUR, folder)
    return folder


async def test_every_question_shows_its_key_whys_and_explanation(tour):
    app = PreviewApp(tour, interval=None)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        await until_loaded(pilot, screen, 1)
        assert "Question 1/5" in text_of(screen, "#status")
        assert "No problems" in text_of(screen, "#problems")
        assert text_of(screen, "#prompt").strip() == "What does a softmax turn a list of scores into?"
        choices = text_of(screen, "#choices")
        assert "A  Probabilities that are positive and sum to 1.  ✓ key" in choices
        assert choices.count("✓ key") == 1
        assert "why: Softmax keeps the order of the scores but changes their values." in choices
        assert "Softmax maps scores" in text_of(screen, "#explanation")

        await pilot.press("right")
        assert "Question 2/5" in text_of(screen, "#status")
        assert text_of(screen, "#choices").count("✓ key") == 3  # a select-all-that-apply question
        await pilot.press("left", "left")
        assert "Question 1/5" in text_of(screen, "#status")
        await pilot.press("t")
        assert text_of(screen, "#prompt").strip() == "Was macht eine Softmax aus einer Liste von Scores?"
        assert "DE" in text_of(screen, "#status")

        while "tour-live-lab" not in text_of(screen, "#meta"):
            await pilot.press("right")
        extra = text_of(screen, "#extra")
        assert "ppo_clip(ratio=1.5, advantage=1, epsilon=0.2)" in extra
        await until_loaded(pilot, screen, 1)  # the evidence worker
        evidence = "".join(text_of(screen, f"#{block.id}") for block in screen.query(".evidence--block"))
        assert "min = 1,200" in evidence  # computed now; German (t was pressed) writes a decimal comma


async def test_an_edit_on_disk_shows_up_on_the_same_question(tour):
    app = PreviewApp(tour, interval=None)
    pack_yaml = tour / "pack.yaml"
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        await until_loaded(pilot, screen, 1)
        await pilot.press("right")
        assert screen.poll() is False  # nothing changed: no reload

        text = pack_yaml.read_text(encoding="utf-8")
        pack_yaml.write_text(text.replace("(Select all that apply.)", "(Pick every step that applies.)"),
                             encoding="utf-8")
        touch_later(pack_yaml)
        assert screen.poll() is True
        await until_loaded(pilot, screen, 2)
        assert "Question 2/5" in text_of(screen, "#status")
        assert "(Pick every step that applies.)" in text_of(screen, "#prompt")

        broken = pack_yaml.read_text(encoding="utf-8").replace("    topic: basics              # one of",
                                                               "    topic: basix               # one of")
        pack_yaml.write_text(broken, encoding="utf-8")
        touch_later(pack_yaml)
        assert screen.poll() is True
        await until_loaded(pilot, screen, 3)
        problems = text_of(screen, "#problems")
        assert "1 error" in problems and "showing the last version that did" in problems
        line = broken[:broken.index("basix")].count("\n") + 1  # where an editor shows the edit
        assert f"{pack_yaml}:{line}:12: error: question 'tour-single-choice'" in problems
        assert "(Pick every step that applies.)" in text_of(screen, "#prompt")  # the last good version stays

        pack_yaml.write_text(text, encoding="utf-8")
        touch_later(pack_yaml)
        (tour / "more.yaml").write_text("questions: []\n", encoding="utf-8")  # a new file counts too
        assert screen.poll() is True
        await until_loaded(pilot, screen, 4)
        assert "No problems" in text_of(screen, "#problems")
        assert "(Select all that apply.)" in text_of(screen, "#prompt")


async def test_a_calculated_question_shows_its_recipe_and_one_draw(tmp_path):
    head = ('format: 1\npack: {id: calc, title: Calc}\ntopics: [{id: ppo-objective, title: PPO}]\n')
    path = tmp_path / "calc.yaml"
    first = CALCULATED[CALCULATED.index("  - id: calc-clip-objective"):]
    first = first[:min(i for i in (first.find("\n  - id:", 1), first.find("\n  # ---")) if i > 0)]
    path.write_text(f"{head}questions:\n{first}\n", encoding="utf-8")
    app = PreviewApp(path, interval=None)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        await until_loaded(pilot, screen, 1)
        choices = text_of(screen, "#choices")
        assert "parameters: r ∈ {0.6, 0.7, 1.3, 1.4, 1.6}" in choices
        assert "answer: probe ppo_clip(ratio=r, advantage=A, epsilon=eps) → objective" in choices
        assert "One draw (r = " in choices and choices.count("✓ key") == 1


async def test_a_pack_that_never_loaded_lists_its_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("format: 1\npack: {id: Bad Id, title: x}\n", encoding="utf-8")
    app = PreviewApp(path, interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until_loaded(pilot, screen, 1)
        assert f"{path}:2:" in text_of(screen, "#problems")
        assert "never loaded" in text_of(screen, "#prompt")
        await pilot.press("right", "t")  # nothing to move to: no crash
        assert screen.index == 0


def test_the_watcher_sees_changes_once(tour):
    watcher = PackWatcher(tour)
    assert watcher.changed() is False
    touch_later(tour / "extras.yaml")
    assert watcher.changed() is True
    assert watcher.changed() is False
    (tour / "extras.yaml").unlink()
    assert watcher.changed() is True


def test_an_unknown_pack_is_a_usage_error():
    err = io.StringIO()
    assert preview_main(["no-such-pack"], err) == 2
    assert "quizapp preview: no such pack file or folder: no-such-pack" in err.getvalue()


async def test_evidence_shows_caption_and_claims_and_a_failed_claim_is_a_problem(tmp_path):
    path = tmp_path / "evidence.yaml"
    path.write_text("""format: 1
pack: {id: evidence, title: Evidence}
topics: [{id: t, title: T}]
questions:
  - id: q
    topic: t
    prompt: What does softmax give for 2, 1, 0?
    explanation: Exponentiate and normalise.
    choices: [{text: "Probabilities", correct: true}, {text: "Scores"}]
    live:
      - probe: softmax
        args: {scores: [2, 1, 0]}
        caption: "The first becomes {probabilities[0]:.2f}."
        expect:
          - {at: "probabilities[0]", between: [0.1, 0.2]}
""", encoding="utf-8")
    app = PreviewApp(path, interval=None)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        await until_loaded(pilot, screen, 1)
        extra = text_of(screen, "#extra")
        assert "softmax(scores=[2, 1, 0])" in extra
        assert "caption: The first becomes {probabilities[0]:.2f}." in extra
        assert "expects probabilities[0] between 0.1 and 0.2" in extra
        evidence = "".join(text_of(screen, f"#{block.id}") for block in screen.query(".evidence--block"))
        assert "The first becomes 0.67." in evidence  # computed now, by the engine
        problems = text_of(screen, "#problems")
        assert "1 error" in problems and "expects probabilities[0] between 0.1 and 0.2, got 0.66" in problems
