"""The study modes line by line: the same sessions, recorder and FSRS ratings as the TUI, as text.

practice, review and drill: the question, numbered choices, a prompt; then the verdict,
the whys, the explanation and the evidence captions, and the review rating, which the
learner may change (1–4) as in the TUI; a summary at the end. exam: the remaining time with
every question, no feedback until the end, skipped questions offered once more, submitted
when the time runs out. q, Ctrl+C or the end of input pause a session: it stays open in the
progress database and the next start (here or in the TUI) offers to resume it.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from question_bank.models import LiveLink, Pack, Question
from quizapp.catalog import Catalog
from quizapp.evidence.slow import SLOW_PROBES
from quizapp.i18n import _, ngettext, percent, shown_title
from quizapp.options import Options
from quizapp.plain.console import Console, console_for_stdio
from quizapp.plain.resume import Stop, choose_unfinished
from quizapp.progress.db import Store, StoreError
from quizapp.progress.records import SessionRecord
from quizapp.study.clock import Clock, SystemClock, clock_text
from quizapp.study.exam import ExamResult, ExamSession
from quizapp.study.feedback import letters, verdict
from quizapp.study.persist import ResumeError, Tracker, resume_session, track_exam, track_practice
from quizapp.study.practice import LETTERS, Answer, Item, PracticeSession
from quizapp.study.ratings import parse_rating, rating_keys, rating_name
from quizapp.study.review import ReviewScheduler

QUIT = {"q", "quit"}
PAUSE, SUBMIT = "pause", "submit"  # what read_answer returns instead of picked choices


@dataclass(frozen=True)
class PlainSettings:
    mode: str = "practice"
    time_limit: float = 1800.0  # exam seconds
    pass_mark: float = 0.6


def pick_pack(catalog: Catalog) -> Pack | None:
    """As the home screen: the first --pack, else the largest pack."""
    first = catalog.first_id()
    return catalog.pack(first) if first else None


def run_plain(catalog: Catalog, options: Options, store: Store | None, settings: PlainSettings,
              console: Console | None = None, clock: Clock | None = None) -> int:
    console = console or console_for_stdio()
    clock = clock or SystemClock()
    for broken in catalog.broken:
        console.say(_("Pack not loaded: {path}: {error}").format(path=broken.path, error=broken.first_error))
    scheduler = ReviewScheduler(store, clock) if store is not None else None
    if store is not None and store.message:
        console.say(store.message)
    runner = PlainRun(console, catalog, options, store, scheduler, clock)
    try:
        if store is not None:
            record = choose_unfinished(console, store)
            if record is not None and (code := runner.resume(record)) is not None:
                return code
        pack = pick_pack(catalog)
        if pack is None:
            console.say(_("No packs loaded. Give one with --pack PATH."))
            return 1
        topics = sorted(set(options.topics) & {t.id for t in pack.topics}) or None
        if settings.mode == "exam":
            return runner.exam(pack, topics, settings)
        return runner.practice(pack, settings.mode, topics)
    except Stop:
        return 0
    except StoreError as error:
        console.say(_("quizapp: error: {error}").format(error=error))
        return 1


def parse_answer(text: str, n: int) -> set[int] | None:
    """Letters or numbers, one or several ("b", "2", "a c", "a,c", "ac", "1 3"); None when not that."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip().lower()) if t]
    picked: set[int] = set()
    for token in tokens:
        for ch in token:
            if ch in "abcdefgh"[:n]:
                picked.add("abcdefgh".index(ch))
            elif ch.isdigit() and 1 <= int(ch) <= n:
                picked.add(int(ch) - 1)
            else:
                return None
    return picked or None


def engine_command(link: LiveLink) -> str:
    """The `quizapp engine` command that prints a live block's numbers."""
    parts = ["quizapp", "engine", link.probe.replace("_", "-")]
    for key, value in link.args.items():
        shown = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
        parts += [f"--{key.replace('_', '-')}", shlex.quote(shown)]
    return " ".join(parts)


def evidence_caption(link: LiveLink, lang: str | None) -> str | None:
    """A live block's caption filled with the engine's numbers (as the TUI's evidence panel shows it);
    None without a caption, or for the slow probes (their command is printed instead)."""
    if not link.caption or link.probe in SLOW_PROBES:
        return None
    from engine import probes
    from question_bank.evidence import EvidenceError, render_caption
    from quizapp.evidence.cache import SESSION

    try:
        result = SESSION.run(link.probe, link.args, probes.run_probe)
        return render_caption(link.caption, result, lang)
    except (probes.ProbeError, EvidenceError) as error:
        return _("{probe}: could not be computed: {reason}").format(probe=link.probe, reason=error)


class PlainRun:
    def __init__(self, console: Console, catalog: Catalog, options: Options, store: Store | None,
                 scheduler: ReviewScheduler | None, clock: Clock) -> None:
        self.console = console
        self.catalog = catalog
        self.options = options
        self.lang = options.lang
        self.store = store
        self.scheduler = scheduler
        self.clock = clock
        self.pack: Pack | None = None  # the pack of the session under way

    def shown(self, question: Question) -> Question:
        return question.localized(self.lang) if self.lang else question

    def topic_title(self, topic_id: str) -> str:
        topic = self.pack.topic(topic_id) if self.pack else None
        return shown_title(topic) if topic else topic_id

    def predictor(self):
        """What stores the exam forecast before each answer, as in the TUI (quizapp.screens.launch)."""
        if self.store is None or self.scheduler is None:
            return None
        from quizapp.study.forecast.predictor import Predictor
        return Predictor(self.store, self.catalog.packs, self.scheduler.fsrs.parameters)

    # -- resuming ---------------------------------------------------------------------------

    def resume(self, record: SessionRecord) -> int | None:
        """Go on with an unfinished session; None when it cannot be resumed (a new one starts)."""
        assert self.store is not None
        try:
            resumed = resume_session(self.store, record, self.catalog.packs, clock=self.clock,
                                     scheduler=self.scheduler, predictor=self.predictor())
        except (ResumeError, StoreError) as error:
            self.console.say(_("This session cannot be resumed: {error}").format(error=error))
            return None
        pack = self.catalog.pack(record.pack_id) if record.pack_id else None
        self.pack = pack or self.catalog.pack(resumed.session.items[0].question.pack_id)
        if resumed.message:
            self.console.say(resumed.message)
        if isinstance(resumed.session, ExamSession):
            return self.run_exam(resumed.session, resumed.tracker)
        return self.run_practice(resumed.session, resumed.tracker, resumed.mode)

    # -- practice, review, drill ------------------------------------------------------------

    def draw(self, pack: Pack, mode: str) -> list[Question] | None:
        if mode == "review":
            if self.scheduler is None:
                return []
            return self.scheduler.draw_review(pack.questions, limit=self.options.count)
        if mode == "drill":
            if self.store is None:
                return []
            from quizapp.study.drill import draw_drill
            return draw_drill(self.store, pack, count=self.options.count, seed=self.options.seed)
        return None  # practice draws inside PracticeSession.start

    def practice(self, pack: Pack, mode: str, topics: list[str] | None) -> int:
        say = self.console.say
        self.pack = pack
        drawn = self.draw(pack, mode)
        if drawn is not None and not drawn:
            say(_("Nothing is due for review today in this pack. Practise to fill the schedule.") if mode == "review"
                else _("No weak topics yet: answer some questions first, then drill what you missed."))
            return 0
        if drawn is None:
            session = PracticeSession.start(pack.questions, topics, self.options.count, self.options.seed,
                                            clock=self.clock)
        else:
            session = PracticeSession.start(drawn, None, None, self.options.seed, clock=self.clock)
        if not session.items:
            say(_("Select at least one topic with questions."))
            return 1
        tracker = None
        if self.store is not None:
            try:
                tracker = track_practice(self.store, session, mode, {"count": len(session.items), "plain": True},
                                         self.scheduler, pack_id=pack.id, pack_version=pack.version,
                                         predictor=self.predictor())
            except StoreError as error:
                say(_("This session will not be saved: {error}").format(error=error))
        return self.run_practice(session, tracker, mode)

    def run_practice(self, session: PracticeSession, tracker: Tracker | None, mode: str) -> int:
        say = self.console.say
        assert self.pack is not None
        say(ngettext("{mode} · {pack} · {n} question", "{mode} · {pack} · {n} questions", len(session.items)).format(
            mode=mode_name(mode), pack=shown_title(self.pack), n=len(session.items)), style="bold")
        if session.answers:
            say(_("Resumed: {answered} of {total} answered.").format(
                answered=len(session.answers), total=len(session.items)))
        say(_("Answer with a letter or a number (several for \"select all that apply\"); "
              "q pauses the session (the next start offers to resume it)."))
        try:
            while not session.finished:
                item = session.show()
                say()
                say(_("Question {number} of {total} · {topic}").format(
                    number=session.position + 1, total=len(session.items),
                    topic=self.topic_title(item.question.topic)), style="bold")
                self.show_question(item)
                picked = self.read_answer(item)
                if not isinstance(picked, set):
                    return self.pause_practice(session, tracker)
                self.show_feedback(self.give_answer(session, picked))
                if not self.ask_rating(tracker) and not session.finished:
                    return self.pause_practice(session, tracker)
        except KeyboardInterrupt:  # Ctrl+C while the feedback was being written: as q
            if not session.finished:
                return self.pause_practice(session, tracker)
        self.finish_practice(session, tracker)
        return 0

    def give_answer(self, session: PracticeSession, picked: set[int]) -> Answer:
        try:
            return session.answer(frozenset(picked))
        except StoreError as error:  # the answer counts in this session; saving it failed (as in the TUI)
            self.console.say(_("Your answer could not be saved: {error}").format(error=error), style="wrong")
            return session.answers[-1]

    def ask_rating(self, tracker: Tracker | None) -> bool:
        """The review rating the answer got, which the learner may change (1–4) or keep (Enter), as
        the TUI's keys 1–4 after an answer; False when the learner pauses here (q, Ctrl+C, no input)."""
        if tracker is None or tracker.last_rating is None:
            return True
        proposed = tracker.last_rating
        while True:
            line = self.console.ask(_("Next review scheduled as {rating}. To change it: {keys}; Enter keeps it: ")
                                    .format(rating=rating_name(proposed), keys=rating_keys()))
            if line is None or line.strip().lower() in QUIT:
                return False
            if not line.strip():
                return True
            chosen = parse_rating(line)
            if chosen is None:
                self.console.say(_("Please answer with a number 1–4, or press Enter to keep {rating}.").format(
                    rating=rating_name(proposed)))
                continue
            try:
                tracker.override(chosen)
            except (StoreError, ValueError) as error:
                self.console.say(str(error), style="wrong")
                return True
            self.console.say(_("Next review scheduled as {rating}.").format(rating=rating_name(chosen)))
            return True

    def pause_practice(self, session: PracticeSession, tracker: Tracker | None) -> int:
        """q, Ctrl+C or the end of input before the last answer: keep the session open to resume it
        (as quitting the TUI does); with nothing answered there is nothing to keep."""
        if tracker is None or not session.answers:
            self.finish_practice(session, tracker)
            return 0
        note = tracker.saved_note()
        try:
            tracker.release()
        except StoreError:
            pass  # the session stays open in the database either way
        self.console.say()
        self.console.say(_("Session paused after {answered} of {total} questions.").format(
            answered=len(session.answers), total=len(session.items)) + " " + resume_note(note), style="bold")
        return 0

    def show_question(self, item: Item) -> None:
        shown = self.shown(item.question)
        self.console.say(shown.prompt.strip())
        for pos, index in enumerate(item.order):
            text = " ".join(shown.choices[index].text.split())
            self.console.say(f"  {LETTERS[pos]}. {text}")
        if item.question.type == "multiple":
            self.console.say(_("Select all that apply: give every letter you choose, such as \"a c\"."))

    def read_answer(self, item: Item, timeout: float | None = None, exam: bool = False) -> set[int] | str:
        """The picked positions; PAUSE when the learner quits or the input ends; in an exam, SUBMIT
        for the submit word and set() (skipped) for an empty line. TimeoutError when time runs out."""
        n = len(item.order)
        prompt = (_("Your answer (a–{last} or 1–{n}, Enter skips): ") if exam
                  else _("Your answer (a–{last} or 1–{n}): ")).format(last=LETTERS[n - 1].lower(), n=n)
        while True:
            line = self.console.ask(prompt, timeout)
            if line is None or line.strip().lower() in QUIT:
                return PAUSE
            if exam and not line.strip():
                return set()
            if exam and line.strip().lower() in {SUBMIT, _("submit").lower()}:
                return SUBMIT
            picked = parse_answer(line, n)
            if picked is not None and (item.question.type == "multiple" or len(picked) == 1):
                return picked
            self.console.say(_("Please answer with one letter a–{last} or one number 1–{n}.").format(
                last=LETTERS[n - 1].lower(), n=n) if item.question.type == "single" else
                _("Please answer with letters a–{last} or numbers 1–{n}.").format(last=LETTERS[n - 1].lower(), n=n))

    def show_feedback(self, answer: Answer) -> None:
        say = self.console.say
        say(verdict(answer), style="right" if answer.correct else "wrong")
        item = answer.item
        shown = self.shown(item.question)
        for pos in sorted(answer.picked | item.correct_positions):
            choice = shown.choices[item.order[pos]]
            role = _("correct") if pos in item.correct_positions else _("your answer")
            say(f"  {LETTERS[pos]} ({role}): {' '.join(choice.text.split())}")
            if choice.why:
                say(f"    {' '.join(choice.why.split())}")
        if shown.explanation:
            say(_("Explanation: {text}").format(text=" ".join(shown.explanation.split())))
        for link in shown.live:
            caption = evidence_caption(link, self.lang)
            if caption:
                say(_("Evidence: {caption}").format(caption=caption))
            say(_("Evidence: the engine computes this with: {command}").format(command=engine_command(link)))

    def finish_practice(self, session: PracticeSession, tracker: Tracker | None) -> None:
        say = self.console.say
        summary = session.summary()
        if tracker is not None:
            if summary.total:
                tracker.finish(summary)
            else:
                tracker.abandon()
        say()
        if not summary.total:
            say(_("No question answered; nothing recorded."))
            return
        verdict_text = (_("Well done!") if summary.percent >= 80 else _("Keep practising.") if summary.percent >= 50
                        else _("Worth another round."))
        say(_("Session complete: [b]{right} of {total}[/b] right ({percent}).").format(
            right=summary.right, total=summary.total, percent=percent(summary.percent)) + " " + verdict_text,
            style="bold", markup=True)
        say(_("By topic"))
        for t in summary.by_topic:
            say(f"  {self.topic_title(t.topic)}: {t.right}/{t.total} ({percent(t.percent)})")
        if summary.missed:
            say(_("Missed questions ({n})").format(n=len(summary.missed)))
            for i, answer in enumerate(summary.missed, 1):
                prompt = " ".join(self.shown(answer.item.question).prompt.split())
                say(f"  {i}. {prompt[:100]}{'…' if len(prompt) > 100 else ''} · "
                    + _("correct: {letters}").format(letters=letters(answer.item.correct_positions)))

    # -- exam -------------------------------------------------------------------------------

    def exam(self, pack: Pack, topics: list[str] | None, settings: PlainSettings) -> int:
        self.pack = pack
        try:
            exam = ExamSession.start(pack.questions, topics, self.options.count, settings.time_limit,
                                     settings.pass_mark, self.options.seed, self.clock)
        except ValueError as error:
            self.console.say(_("quizapp: error: {error}").format(error=error))
            return 1
        tracker = None
        if self.store is not None:
            try:
                tracker = track_exam(self.store, exam, {"topics": topics, "count": len(exam.items), "plain": True},
                                     self.scheduler, pack_id=pack.id, pack_version=pack.version,
                                     predictor=self.predictor())
            except StoreError as error:
                self.console.say(_("This exam will not be saved: {error}").format(error=error))
        return self.run_exam(exam, tracker)

    def run_exam(self, exam: ExamSession, tracker: Tracker | None) -> int:
        """Every open question from the current one on, then the skipped ones once more, then the result.
        A resumed exam goes on where it was left, with its answers and the time it had left."""
        say = self.console.say
        assert self.pack is not None
        n = len(exam.items)
        say(_("Mock exam · {pack} · {n} questions · {clock} · pass mark {pass_mark}").format(
            pack=shown_title(self.pack), n=n, clock=clock_text(exam.time_limit) if exam.time_limit else _("no time limit"),
            pass_mark=percent(exam.pass_mark * 100)), style="bold")
        answered = exam.counts()["answered"]
        if answered:
            say(_("Resumed: {answered} of {total} answered.").format(answered=answered, total=n))
        say(_("No feedback until the end. Enter skips a question (it comes back once); "
              "\"{submit}\" hands the exam in now; q pauses it (the clock stops until you resume).").format(
            submit=_("submit")))
        try:
            outcome = exam.tick() is None and self.exam_round(exam, [i for i in range(exam.position, n)
                                                                     if not exam.is_answered(i)])
            skipped = [i for i in range(n) if not exam.is_answered(i)]
            if outcome is True and skipped and not exam.submitted:
                say()
                say(ngettext("Back to the {n} skipped question.", "Back to the {n} skipped questions.",
                             len(skipped)).format(n=len(skipped)), style="bold")
                outcome = self.exam_round(exam, skipped)
        except KeyboardInterrupt:  # Ctrl+C outside a prompt: as q
            outcome = PAUSE
        if outcome == PAUSE and tracker is not None and not exam.submitted:
            return self.pause_exam(exam, tracker)
        self.show_exam_result(exam.result or exam.submit())
        return 0

    def exam_round(self, exam: ExamSession, indices) -> bool | str:
        """Ask the questions at `indices`: True when all were asked; PAUSE or SUBMIT when the learner
        said so; False when the time ran out (the exam is submitted then)."""
        for index in indices:
            if exam.submitted or not exam.goto(index):
                return False
            outcome = self.exam_question(exam, index)
            if outcome is not True:
                return outcome
        return True

    def exam_question(self, exam: ExamSession, index: int) -> bool | str:
        """Ask question `index`: True when answered or skipped; PAUSE, SUBMIT, or False when the time ran out."""
        say = self.console.say
        remaining = exam.remaining()
        say()
        say(_("Question {number} of {total} · {left}").format(
            number=index + 1, total=len(exam.items),
            left=_("⏱ {clock} left").format(clock=clock_text(remaining)) if remaining is not None
            else _("no time limit")), style="bold")
        item = exam.current
        self.show_question(item)
        try:
            picked: set[int] | str = self.read_answer(item, timeout=remaining, exam=True)
        except TimeoutError:
            picked = PAUSE
        if exam.tick() is not None or exam.expired:
            exam.submit(auto=True)
            say(_("Time is up: the exam was submitted."), style="wrong")
            return False
        if isinstance(picked, str):
            return picked
        if picked:
            exam.set_answer(picked)
        return True

    def pause_exam(self, exam: ExamSession, tracker: Tracker) -> int:
        """Keep the exam open, with its answers and the time it has left, to resume it (as quitting the TUI does)."""
        try:
            tracker.state(exam)  # the time used up to now: the clock stops while the exam waits
        except StoreError:
            pass  # saved_note says what is lost
        note = tracker.saved_note()
        try:
            tracker.release()
        except StoreError:
            pass
        left = exam.remaining()
        self.console.say()
        self.console.say((_("Exam paused with {clock} left.").format(clock=clock_text(left)) if left is not None
                          else _("Exam paused.")) + " " + resume_note(note), style="bold")
        return 0

    def show_exam_result(self, result: ExamResult) -> None:
        say = self.console.say
        say()
        passed = _("PASSED") if result.passed else _("NOT PASSED")
        score = _("[b]{right} of {total}[/b] right ({percent}), pass mark {pass_mark}").format(
            right=result.right, total=result.total, percent=percent(result.percent),
            pass_mark=percent(result.pass_mark * 100))
        used = (_("time used {used} of {limit}").format(used=clock_text(result.time_used),
                                                        limit=clock_text(result.time_limit))
                if result.time_limit else _("time used {used}").format(used=clock_text(result.time_used)))
        auto = " " + _("(time ran out)") if result.auto_submitted else ""
        say(f"{passed}: {score} · {used}{auto}", style="right" if result.passed else "wrong", markup=True)
        say(_("By topic"))
        for t in result.by_topic:
            say(f"  {self.topic_title(t.topic)}: {t.right}/{t.total} ({percent(t.percent)})")
        for r in result.items:
            say()
            say(_("Question {number} of {total} · {topic}").format(
                number=r.index + 1, total=len(result.items), topic=self.topic_title(r.item.question.topic)),
                style="bold")
            say(" ".join(self.shown(r.item.question).prompt.split()))
            self.show_feedback(r.as_answer() or Answer(r.item, frozenset(), False))


def resume_note(saved: str) -> str:
    """What is kept of a paused session, and how to go on with it."""
    return _("{saved} Start quizapp --plain again to resume it.").format(saved=saved)


def mode_name(mode: str) -> str:
    from quizapp.progress.records import MODE_NAMES
    return _(MODE_NAMES.get(mode, mode))
