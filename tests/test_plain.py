"""`quizapp --plain`: a whole session through a pipe, as a screen reader or a script would run it."""
import io
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from question_bank.loader import load_pack
from quizapp.catalog import Catalog
from quizapp.options import Options
from quizapp.plain.console import Console, FdReader, wants_colour
from quizapp.plain.run import PlainSettings, parse_answer, run_plain
from quizapp.progress.db import open_store
from quizapp.study.clock import FakeClock

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
PACK = load_pack(MINI).pack
CORRECT = {c.text for q in PACK.questions for c in q.choices if c.correct}  # the reference: the fixture itself
BOX_DRAWING = re.compile("[\u2500-\u257f]")


class Piped:
    """quizapp --plain in a subprocess whose stdin and stdout are pipes; reads up to each prompt."""

    def __init__(self, *args: str, home: Path, env: dict | None = None) -> None:
        environ = {**os.environ, "QUIZAPP_HOME": str(home), **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "quizapp", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ)
        self.out = b""
        self.seen = 0  # bytes of `out` already matched: a later prompt may arrive in the same read

    def until(self, pattern: str, timeout: float = 180.0) -> str:  # generous: CI machines can be busy
        """Read until `pattern` (a regex) matches the output after the previous match; returns the text
        from there up to the end of this match."""
        start, deadline = self.seen, time.monotonic() + timeout
        while not (match := re.search(pattern, self.out[start:].decode("utf-8", "replace"))):
            left = deadline - time.monotonic()
            assert left > 0, f"no {pattern!r} in: {self.out[start:].decode()[-500:]}"
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                assert chunk, f"quizapp ended early; no {pattern!r} in: {self.out[start:].decode()[-500:]}"
                self.out += chunk
        text = self.out[start:].decode("utf-8", "replace")
        self.seen = start + len(text[:match.end()].encode("utf-8"))
        return text[:match.end()]

    def send(self, line: str) -> None:
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def finish(self) -> str:
        rest, err = self.proc.communicate(timeout=180)
        self.out += rest
        assert self.proc.returncode == 0, err.decode()
        return self.out.decode("utf-8")


def choices_of(block: str) -> dict[str, str]:
    """letter → choice text, from the lines "  A. text" of one question."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^  ([A-H])\. (.*)$", block, re.M)}


RATINGS = {"Again": 1, "Hard": 2, "Good": 3, "Easy": 4}
ANSWER_PROMPT = r"Your answer \(a–[a-h] or 1–\d\): $"
RATING_PROMPT = r"Next review scheduled as (\w+)\. To change it: 1 Again  2 Hard  3 Good  4 Easy; Enter keeps it: $"


def test_a_practice_session_through_a_pipe_answers_records_and_rates(tmp_path):
    home = tmp_path / "home"
    run = Piped("--pack", str(MINI), "--seed", "5", home=home, env={"NO_COLOR": "1"})
    verdicts, proposed = [], []
    for n in range(3):
        block = run.until(ANSWER_PROMPT)
        shown = choices_of(block)
        right = [letter for letter, text in shown.items() if text in CORRECT]
        wrong = [letter for letter in shown if letter not in right]
        # first answer right, second wrong, third right (all letters of a multiple question)
        answer = wrong[0] if n == 1 else " ".join(right).lower()
        if n == 0:
            run.send("zz")  # not a choice: asked again, nothing recorded
            assert "Please answer with" in run.until(ANSWER_PROMPT)
        run.send(answer)
        feedback = run.until(RATING_PROMPT)
        verdicts.append(("✓ Right" in feedback, "✗ Not quite" in feedback))
        assert "Explanation: " in feedback
        proposed.append(RATINGS[re.search(RATING_PROMPT, feedback).group(1)])
        if n == 1:  # the learner disagrees with the rating of the wrong answer: "Easy" by number, after a typo
            run.send("7")
            assert "Please answer with a number 1–4, or press Enter to keep" in run.until(RATING_PROMPT)
            run.send("4")
            assert "Next review scheduled as Easy." in run.until(r"Easy\.\n")
        else:
            run.send("")  # Enter keeps the proposed rating
    out = run.finish()
    assert verdicts == [(True, False), (False, True), (True, False)]
    assert proposed[1] == 1  # a wrong answer is proposed as Again
    assert "Session complete: 2 of 3 right (67\u00a0%)." in out
    assert "Missed questions (1)" in out
    assert not BOX_DRAWING.search(out) and "\x1b" not in out  # no boxes, no colour through a pipe
    store = open_store(home / "progress.sqlite3")
    try:
        sessions = store.sessions(status="finished")
        assert [s.mode for s in sessions] == ["practice"]
        answers = store.answers()
        assert [a.correct for a in answers] == [True, False, True]
        cards = store.cards()
        assert len(cards) == 3  # every answer gave its question an FSRS card
        ratings = [(log.rating, log.suggested) for a in answers for log in store.review_logs(a.question_key)]
        assert ratings == [(proposed[0], proposed[0]), (4, proposed[1]), (proposed[2], proposed[2])]
    finally:
        store.close()


def answer_right(run: "Piped", prompt: str = ANSWER_PROMPT) -> str:
    """Wait for the next question and answer it right; returns the question's block."""
    block = run.until(prompt)
    run.send(" ".join(letter for letter, text in choices_of(block).items() if text in CORRECT).lower())
    return block


def prompt_of(block: str) -> str:
    """The question's prompt: the line after its "Question n of m" heading."""
    return re.search(r"(?:Question|Frage) \d of \d · .*\n(.*)\n", block).group(1)


@pytest.mark.parametrize("interrupt", ["q", "end of input", "ctrl+c"])
def test_an_interrupted_session_is_kept_and_the_next_start_resumes_it(tmp_path, interrupt):
    home = tmp_path / "home"
    run = Piped("--pack", str(MINI), "--seed", "5", home=home, env={"NO_COLOR": "1"})
    first = prompt_of(answer_right(run))
    run.until(RATING_PROMPT)
    run.send("")
    second = prompt_of(run.until(ANSWER_PROMPT))
    if interrupt == "q":
        run.send("q")
    elif interrupt == "ctrl+c":
        run.proc.send_signal(signal.SIGINT)
    out = run.finish()  # closes standard input: the end of input
    assert "Session paused after 1 of 3 questions. Your answers so far are saved. " \
           "Start quizapp --plain again to resume it." in out
    store = open_store(home / "progress.sqlite3")
    try:
        [open_session] = store.unfinished_sessions()
        assert open_session.answered == 1 and store.sessions(status="finished") == []
    finally:
        store.close()

    # Another seed: what comes next is the stored session's, not a new draw.
    run = Piped("--pack", str(MINI), "--seed", "99", home=home, env={"NO_COLOR": "1"})
    offer = run.until(r"n starts a new session: $")
    assert "Unfinished sessions (every answer you gave is saved):" in offer and "1 of 3 answered" in offer
    run.send("")
    block = answer_right(run)
    assert "Resumed: 1 of 3 answered." in block and "Question 2 of 3" in block
    assert prompt_of(block) == second
    run.until(RATING_PROMPT)
    run.send("")
    third = prompt_of(answer_right(run))
    assert "Question 3 of 3" in run.out.decode()[-2000:]
    run.until(RATING_PROMPT)
    run.send("")
    out = run.finish()
    assert "Session complete: 3 of 3 right (100\u00a0%)." in out  # the first run's answer counts
    store = open_store(home / "progress.sqlite3")
    try:
        [session] = store.sessions(status="finished")
        assert session.summary["total"] == 3 and store.unfinished_sessions() == []
        assert len(store.answers()) == 3 and len({first, second, third}) == 3
    finally:
        store.close()


def test_german_prompts_from_the_first_question_to_the_resume_offer(tmp_path):
    home = tmp_path / "home"
    env = {"NO_COLOR": "1"}
    german_prompt = r"Deine Antwort \(a–[a-h] oder 1–\d\): $"
    run = Piped("--pack", str(MINI), "--seed", "1", "--lang", "de", home=home, env=env)
    answer_right(run, german_prompt)
    run.until(r"Wiederholung eingeplant als (Nochmal|Schwer|Gut|Leicht)\. "
              r"Ändern mit 1 Nochmal  2 Schwer  3 Gut  4 Leicht; Enter lässt es so: $")
    run.send("leicht")  # a rating by its name
    run.until(r"Wiederholung eingeplant als Leicht\.\n")
    run.until(german_prompt)
    run.send("q")
    paused = run.finish()
    assert "Sitzung nach 1 von 3 Fragen unterbrochen. Deine bisherigen Antworten sind gespeichert. " \
           "Starte quizapp --plain erneut, um sie fortzusetzen." in paused
    out = subprocess.run([sys.executable, "-m", "quizapp", "--pack", str(MINI), "--lang", "de"], input="d\n\n",
                         capture_output=True, text=True, timeout=180,
                         env={**os.environ, "QUIZAPP_HOME": str(home), **env})
    assert out.returncode == 0, out.stderr
    assert "Unbeendete Sitzungen (jede gegebene Antwort ist gespeichert):" in out.stdout
    assert "Verworfen: Üben · mini · 1 von 3 beantwortet" in out.stdout  # d: a new session starts instead
    assert "Frage 1 von 3" in out.stdout and "Fortgesetzt" not in out.stdout
    for english in ("Your answer", "Next review", "Session", "Unfinished", "Resume", "Question", "Enter keeps"):
        assert english not in paused + out.stdout, english


def test_end_of_input_before_any_answer_keeps_nothing(tmp_path):
    home = tmp_path / "home"
    out = subprocess.run([sys.executable, "-m", "quizapp", "--pack", str(MINI), "--seed", "1", "--lang", "de"],
                         input="", capture_output=True, text=True, timeout=180,
                         env={**os.environ, "QUIZAPP_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    assert "Frage 1 von 3" in out.stdout and "Keine Frage beantwortet; nichts gespeichert." in out.stdout
    store = open_store(home / "progress.sqlite3")
    try:
        assert store.answers() == [] and store.unfinished_sessions() == []
    finally:
        store.close()


@pytest.mark.parametrize("text, n, expected", [
    ("b", 4, {1}), ("2", 4, {1}), ("a c", 4, {0, 2}), ("a,c", 4, {0, 2}), ("AC", 4, {0, 2}), ("1 3", 4, {0, 2}),
    ("e", 4, None), ("5", 4, None), ("", 4, None), ("a?", 4, None), ("x" * 5000, 8, None),
])
def test_answers_are_letters_or_numbers(text, n, expected):
    assert parse_answer(text, n) == expected


class ScriptedReader:
    """Answers typed after a delay on an injected clock; a delay past the timeout times out."""

    def __init__(self, clock: FakeClock, script: list[tuple[float, str]]) -> None:
        self.clock = clock
        self.script = list(script)

    def readline(self, timeout=None):
        if not self.script:
            return None
        delay, line = self.script[0]
        if timeout is not None and delay > timeout:
            self.clock.advance(timeout)
            self.script[0] = (delay - timeout, line)
            raise TimeoutError
        self.clock.advance(delay)
        self.script.pop(0)
        return line


def run_exam(tmp_path, script, minutes=2, count=3, clock=None):
    clock = clock or FakeClock()
    out = io.StringIO()
    store = open_store(tmp_path / "progress.sqlite3")
    catalog = Catalog((PACK,), (), ("mini",))
    options = Options(count=count, seed=4, user_packs=None)
    code = run_plain(catalog, options, store, PlainSettings("exam", minutes * 60, 0.6),
                     Console(ScriptedReader(clock, script), out), clock)
    return code, out.getvalue(), store


def test_a_timed_exam_prints_the_time_left_and_submits_itself_when_it_runs_out(tmp_path):
    # 50 s for the first answer, 60 s for the second, and the third would take 30 s more than is left.
    code, out, store = run_exam(tmp_path, [(50, "a"), (60, "b"), (40, "a")], minutes=2)
    try:
        assert code == 0
        lefts = re.findall(r"⏱ (\d+:\d\d) left", out)
        assert lefts == ["2:00", "1:10", "0:10"]
        assert "Time is up: the exam was submitted." in out
        assert "(time ran out)" in out and "time used 2:00 of 2:00" in out
        session = store.sessions(status="finished")[0]
        assert session.mode == "exam" and session.summary["auto_submitted"] is True
        assert session.summary["answered"] == 2  # the late answer does not count
    finally:
        store.close()


def test_a_skipped_exam_question_comes_back_once(tmp_path):
    code, out, store = run_exam(tmp_path, [(1, ""), (1, "a"), (1, "b"), (1, "c")], minutes=10)
    try:
        assert "Back to the 1 skipped question." in out
        assert store.sessions(status="finished")[0].summary["answered"] == 3
        assert re.search(r"(PASSED|NOT PASSED): \d of 3 right", out)
    finally:
        store.close()


def test_a_paused_exam_resumes_with_its_answers_and_the_time_it_had_left(tmp_path):
    clock = FakeClock()
    code, out, store = run_exam(tmp_path, [(50, "a"), (10, "q")], minutes=2, clock=clock)
    store.close()
    assert code == 0 and "Exam paused with 1:00 left. Your answers so far are saved." in out
    clock.advance(3600)  # an hour away: the exam's clock stands still meanwhile
    code, out, store = run_exam(tmp_path, [(0, ""), (20, "b"), (30, "a")], minutes=2, clock=clock)
    try:
        assert "Unfinished sessions" in out and "1 of 3 answered" in out and "Resumed: 1 of 3 answered." in out
        assert re.findall(r"Question (\d) of 3 · ⏱ (\d+:\d\d) left", out) == [("2", "1:00"), ("3", "0:40")]
        [session] = store.sessions(status="finished")
        assert session.mode == "exam" and session.summary["answered"] == 3
        assert session.summary["auto_submitted"] is False and store.unfinished_sessions() == []
        assert "time used 1:50 of 2:00" in out  # 50 s + 10 s before the pause, 20 s + 30 s after it
    finally:
        store.close()


def test_the_submit_word_hands_an_exam_in_early(tmp_path):
    code, out, store = run_exam(tmp_path, [(5, "a"), (5, "submit")], minutes=10)
    try:
        [session] = store.sessions(status="finished")
        assert session.summary["answered"] == 1 and session.summary["auto_submitted"] is False
        assert re.search(r"(PASSED|NOT PASSED): \d of 3 right", out) and "Back to the" not in out
    finally:
        store.close()


class Learner:
    """Reads what quizapp printed so far and answers the prompt on screen: `right` or wrong answers,
    and `ratings` (typed at the rating prompts, in order; Enter when they run out)."""

    def __init__(self, out: io.StringIO, clock: FakeClock, right: bool, ratings: list[str]) -> None:
        self.out, self.clock, self.right, self.ratings = out, clock, right, list(ratings)

    def readline(self, timeout=None):
        self.clock.advance(5)
        screen = self.out.getvalue()
        if screen.endswith("Enter keeps it: "):
            return self.ratings.pop(0) if self.ratings else ""
        if not re.search(ANSWER_PROMPT, screen):
            return None
        block = screen[screen.rindex("Question "):]
        shown = choices_of(block)
        right = [letter for letter, text in shown.items() if text in CORRECT]
        return " ".join(right).lower() if self.right else next(letter for letter in shown if letter not in right)


def test_review_mode_asks_what_is_due_and_takes_a_changed_rating(tmp_path):
    clock = FakeClock()
    store = open_store(tmp_path / "progress.sqlite3")
    catalog = Catalog((PACK,), (), ("mini",))
    options = Options(count=3, seed=4, user_packs=None)
    try:
        out = io.StringIO()  # practice: every answer wrong, so every question is due again today
        run_plain(catalog, options, store, PlainSettings("practice"), Console(Learner(out, clock, False, []), out),
                  clock)
        assert "Session complete: 0 of 3 right" in out.getvalue()
        clock.advance(3600)
        out = io.StringIO()
        code = run_plain(catalog, options, store, PlainSettings("review"),
                         Console(Learner(out, clock, True, ["2"]), out), clock)
        text = out.getvalue()
        assert code == 0 and "Review · Mini pack · 3 questions" in text
        assert text.count("Enter keeps it: ") == 3 and "Next review scheduled as Hard." in text
        assert "Session complete: 3 of 3 right" in text
        assert sorted(s.mode for s in store.sessions(status="finished")) == ["practice", "review"]
        first = store.answers()[3].question_key  # the review's first answer
        assert store.review_logs(first)[-1].rating == 2
    finally:
        store.close()


def test_colour_only_on_a_terminal_without_no_color():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert wants_colour(Tty(), {"TERM": "xterm-256color"})
    assert not wants_colour(Tty(), {"TERM": "xterm-256color", "NO_COLOR": ""})
    assert not wants_colour(Tty(), {"TERM": "dumb"})
    assert not wants_colour(io.StringIO(), {"TERM": "xterm-256color"})


def test_a_long_line_without_newline_is_cut_not_hoarded():
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"x" * 10000 + b"\nb\n")
    os.close(write_fd)
    reader = FdReader(read_fd)
    lines = [reader.readline(1), reader.readline(1), reader.readline(1), reader.readline(1)]
    os.close(read_fd)
    assert [len(line) for line in lines[:3]] == [4096, 4096, 1808] and lines[3] == "b"


def test_mode_flags_without_plain_are_a_usage_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "quizapp", "--tui", "--mode", "exam"], capture_output=True,
                         text=True, timeout=180, env={**os.environ, "QUIZAPP_HOME": str(tmp_path)})
    assert out.returncode == 2 and "--mode, --minutes and --pass-mark are for --plain" in out.stderr


from test_evidence_tui import PACK as EVIDENCE_PACK  # noqa: E402  (a softmax block with a translated caption)


def test_the_evidence_caption_is_printed_with_the_engines_numbers_in_the_language(tmp_path):
    import math

    pack = tmp_path / "ev.yaml"
    pack.write_text(EVIDENCE_PACK, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "quizapp", "--pack", str(pack), "--lang", "de"], input="a\n",
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QUIZAPP_HOME": str(tmp_path / "home")})
    assert out.returncode == 0, out.stderr
    total = sum(math.exp(s) for s in (2, 1, 0))  # the reference: softmax written out
    p0, p1 = (f"{math.exp(s) / total:.3f}".replace(".", ",") for s in (2, 1))
    assert f"Beleg: Die Scores werden zu {p0} und {p1}." in out.stdout
    assert "Beleg: Die Engine rechnet das nach mit: quizapp engine softmax --scores 2,1,0" in out.stdout
    assert "Üben · Evidence · 1 Frage\n" in out.stdout


def test_pack_and_topic_titles_are_shown_in_the_language_of_the_session(tmp_path):
    from question_bank.loader import bundled_pack_paths

    tour = next(p for p in bundled_pack_paths() if "format-tour" in str(p))
    pack = load_pack(tour).pack
    german = pack.translations["de"].title
    assert german != pack.title  # the reference: the pack's own translation
    for lang, title in (("de", german), ("en", pack.title)):
        out = subprocess.run([sys.executable, "-m", "quizapp", "--pack", str(tour), "--lang", lang, "--count", "1"],
                             input="q\n", capture_output=True, text=True, timeout=180,
                             env={**os.environ, "QUIZAPP_HOME": str(tmp_path / lang), "NO_COLOR": "1"})
        first = out.stdout.splitlines()[0]
        assert f"· {title} ·" in first, first
        topic = next(t for t in pack.topics if f"· {t.title_in(lang)}\n" in out.stdout + "\n")
        assert topic.title_in(lang) == (topic.translations["de"].title if lang == "de" and "de" in topic.translations
                                        else topic.title)


@pytest.mark.parametrize("markdown, plain", [
    ("Why does L^CLIP take the **minimum**?", "Why does L^CLIP take the minimum?"),
    ("Write `type: calculated` and d_model = 2*i", "Write type: calculated and d_model = 2*i"),
    ("a ** b stays, as does 2 * 3 * 4", "a ** b stays, as does 2 * 3 * 4"),
])
def test_bold_and_code_marks_are_left_out_but_formulas_stay(markdown, plain):
    from quizapp.plain.console import without_markdown_marks

    assert without_markdown_marks(markdown) == plain


def test_a_question_in_markdown_reaches_the_pipe_without_its_marks(tmp_path):
    pack = tmp_path / "md.yaml"
    pack.write_text(MINI.read_text(encoding="utf-8").replace("prompt: \"", "prompt: \"Is it **bold**? `code`? "),
                    encoding="utf-8")
    marked = pack.read_text(encoding="utf-8").count("**bold**")
    assert marked == MINI.read_text(encoding="utf-8").count('prompt: "') > 0  # the reference: every prompt marked
    out = subprocess.run([sys.executable, "-m", "quizapp", "--plain", "--pack", str(pack), "--count", "1"],
                         input="q\n", capture_output=True, text=True, timeout=180,
                         env={**os.environ, "QUIZAPP_HOME": str(tmp_path / "home"), "NO_COLOR": "1"})
    assert "Is it bold? code? " in out.stdout and "**" not in out.stdout and "`" not in out.stdout
