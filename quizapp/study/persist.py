"""Connects the study sessions to the progress store: record as they happen, rebuild to resume.

    store = open_store()
    scheduler = ReviewScheduler(store)

    # practice, review, drill: one call, then use the session as before
    session = PracticeSession.start(questions, topics, count, seed)
    tracker = track_practice(store, session, mode="practice", settings={...}, scheduler=scheduler)
    session.show()                       # when a question goes up: starts its timer
    answer = session.answer(picked)      # committed and FSRS-rated; tracker.last_rating holds the rating
    tracker.override(Rating.Easy)        # optional: the learner disagrees with the rating
    tracker.finish(session.summary())    # at the end (or when the learner ends the session)

    # exam
    exam = ExamSession.start(questions, topics, count, time_limit_seconds=1800, seed=seed)
    tracker = track_exam(store, exam, scheduler=scheduler)   # every select/flag/move/tick is saved
    ... exam.submit() or exam.tick() → answers rated, session finished with the result

    # next start
    for record in store.unfinished_sessions():
        resumed = resume_session(store, record, catalog.packs, scheduler=scheduler)
        resumed.session  # PracticeSession or ExamSession, answers in place, tracking again
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fsrs import Rating

from question_bank.calculated import CalculationError, instantiate_with
from question_bank.models import CalculatedQuestion, Pack, Question
from quizapp.i18n import _, ngettext
from quizapp.progress.db import Store, StoreError
from quizapp.progress.records import SessionRecord
from quizapp.study.clock import Clock, SystemClock
from quizapp.study.exam import CLOCK_PAUSED, CLOCK_POLICIES, CLOCK_RUNS_ON, DEFAULT_PASS_MARK, ExamResult, ExamSession
from quizapp.study.practice import Answer, Item, PracticeSession, Summary
from quizapp.study.review import ReviewScheduler

if TYPE_CHECKING:  # the forecast is attached by the caller; this module never needs it loaded
    from quizapp.study.forecast.predictor import Predictor

PRACTICE_MODES = ("practice", "review", "drill")


class ResumeError(Exception):
    """A session cannot be resumed; str(error) is one sentence for the learner."""


def summary_dict(summary: Summary) -> dict[str, Any]:
    return {"right": summary.right, "total": summary.total, "asked": summary.asked,
            "percent": round(summary.percent, 2),
            "by_topic": [{"topic": t.topic, "right": t.right, "total": t.total} for t in summary.by_topic]}


def _item_rows(items: Sequence[Item]) -> list[tuple[str, tuple[int, ...], dict[str, Any] | None]]:
    """What the store keeps per item: key, choice order, and a calculated question's drawn numbers."""
    return [(i.question.key, i.order, dict(i.question.drawn) or None) for i in items]


def _as_asked(question: Question | CalculatedQuestion, drawn: Mapping[str, Any] | None) -> Question | None:
    """The question as the session showed it: a calculated one rebuilt from its recorded numbers
    (None when they are missing or no longer compute, e.g. the pack changed its parameters)."""
    if not isinstance(question, CalculatedQuestion):
        return question
    if not drawn:
        return None
    try:
        return instantiate_with(question, drawn)
    except CalculationError:
        return None


def _pack_of(items: Sequence[Item]) -> str | None:
    packs = {i.question.pack_id for i in items}
    return packs.pop() if len(packs) == 1 else None


class Tracker:
    """Writes one session to the store as it happens. Attach with track_practice / track_exam
    (or resume_session); it is the PracticeSession's `on_answer` and the ExamSession's recorder.

    A write that fails (a full disk, a locked file) raises StoreError as before, but is kept
    and retried, in order, before every later write and by `retry()`: the answers given while
    the disk was full are saved once it has room again. `unsaved` counts the answers still
    waiting, so the app can tell the learner the truth when they quit.
    """

    def __init__(self, store: Store, session_id: int, mode: str, positions: Sequence[int],
                 scheduler: ReviewScheduler | None = None, clock: Clock | None = None,
                 predictor: Predictor | None = None) -> None:
        self.store = store
        self.session_id = session_id
        self.mode = mode
        self.positions = list(positions)  # session index → position stored in the database
        self.scheduler = scheduler
        self.clock: Clock = clock or (scheduler.clock if scheduler else SystemClock())
        self.predictor = predictor  # stores the exam forecast for each question before its answer
        self.last_key: str | None = None
        self.last_rating: Rating | None = None  # the FSRS rating of the latest practice answer
        self.closed = False
        self._pending: dict[Hashable, Callable[[], None]] = {}  # writes that failed, oldest first
        self.last_error: StoreError | None = None

    # -- writes that survive a failure --------------------------------------------------------

    def _write(self, *writes: tuple[Hashable, Callable[[], None]]) -> None:
        """Queue writes (each replacing a waiting one with the same key, e.g. the same exam position)
        and run every waiting write in order; StoreError when one still fails (it stays queued)."""
        for key, write in writes:
            self._pending.pop(key, None)
            self._pending[key] = write
        self.retry()

    def retry(self) -> None:
        """Run the writes that failed earlier, in order; StoreError when one still fails."""
        while self._pending:
            key, write = next(iter(self._pending.items()))
            try:
                write()
            except StoreError as error:
                self.last_error = error
                raise
            self._pending.pop(key)
        self.last_error = None

    @property
    def unsaved(self) -> int:
        """Answers given in this session that are not in the database yet."""
        return sum(1 for key in self._pending if key[0] == "answer")

    def saved_note(self) -> str:
        """One sentence on what is kept if the learner leaves now (after one more try to save)."""
        try:
            self.retry()
        except StoreError:
            pass
        n = self.unsaved
        if not n:
            return _("Your answers so far are saved.")
        return ngettext("{n} of your answers could not be saved ({error}) and will be lost; the others are saved.",
                        "{n} of your answers could not be saved ({error}) and will be lost; the others are saved.",
                        n).format(n=n, error=self.last_error)

    # -- forecasts, before the answers --------------------------------------------------------

    def predict(self, index: int, item: Item) -> bool:
        """Store the forecast for the question at session index `index` (it is on screen and not
        answered yet); False when none was stored: no predictor, the question is not in a loaded
        pack, it is answered already, or the database refused (the answer's own save will say so)."""
        return self.predict_all([item], [index]) == 1

    def predict_all(self, items: Sequence[Item], indices: Sequence[int] | None = None) -> int:
        """Store the forecasts of several questions (an exam's, as it starts or resumes) in one
        transaction; returns how many were stored."""
        if self.predictor is None:
            return 0
        at = self.clock.time()
        indices = range(len(items)) if indices is None else indices
        predictions = self.predictor.predict_many([item.question for item in items], at)
        stored = 0
        try:
            with self.store.writing():
                for index, item, prediction in zip(indices, items, predictions):
                    if prediction is not None:
                        stored += self.store.save_prediction(
                            self.session_id, self.positions[index], item.question.key,
                            probability=prediction.probability, running=prediction.running,
                            retrievability=prediction.retrievability, prior=prediction.prior, predicted_at=at)
        except StoreError:
            return 0
        return stored

    # -- practice / review / drill ------------------------------------------------------------

    def on_practice_answer(self, index: int, answer: Answer) -> None:
        item = answer.item
        key = item.question.key
        try:
            usual = self.scheduler.usual_seconds(key) if self.scheduler else None  # before this answer counts
        except StoreError:
            usual = None
        now = self.clock.time()
        position = self.positions[index]
        self.last_key = key
        self.last_rating = None
        writes: list[tuple[Hashable, Callable[[], None]]] = [(("answer", position), lambda: self.store.record_answer(
            self.session_id, position, key, answer.picked, [item.order[p] for p in answer.picked],
            answer.correct, answer.seconds, now))]
        if self.scheduler is not None:
            scheduler = self.scheduler

            def rate() -> None:
                rating = scheduler.rate(key, answer.correct, answer.seconds, usual, session_id=self.session_id, at=now)
                if self.last_key == key:
                    self.last_rating = rating
            writes.append((("rating", position), rate))
        self._write(*writes)

    def override(self, rating: Rating) -> Rating:
        """Change the FSRS rating of the latest answer (keys 1–4 after the feedback, say)."""
        if self.scheduler is None or self.last_key is None:
            raise ValueError("no rated answer to override")
        self.last_rating = self.scheduler.rerate(self.last_key, rating)
        return self.last_rating

    def finish(self, summary: Summary | Mapping[str, Any] | None = None) -> None:
        if self.closed:
            return
        data = summary_dict(summary) if isinstance(summary, Summary) else dict(summary or {})
        self.retry()
        self.store.finish_session(self.session_id, data, self.clock.time())
        self.closed = True

    def abandon(self) -> None:
        """Close the session without a result; it will not be offered for resuming."""
        if not self.closed:
            self.store.abandon_session(self.session_id)
            self.closed = True

    def release(self) -> None:
        """Stop tracking but leave the session open, to be offered for resuming next time."""
        self.store.release_session(self.session_id)

    # -- exam (the ExamRecorder protocol) -----------------------------------------------------

    def answer(self, index: int, item: Item, picked: frozenset[int], correct: bool, seconds: float) -> None:
        position, now = self.positions[index], self.clock.time()
        self._write((("answer", position), lambda: self.store.record_answer(
            self.session_id, position, item.question.key, picked, [item.order[p] for p in picked], correct,
            seconds, now)))

    def clear(self, index: int) -> None:
        position = self.positions[index]
        self._write((("answer", position), lambda: self.store.clear_answer(self.session_id, position)))

    def state(self, exam: ExamSession) -> None:
        args = (exam.remaining(), [self.positions[i] for i in exam.flags], self.positions[exam.position],
                exam.used(), self.clock.time())
        self._write((("state",), lambda: self.store.save_exam_state(self.session_id, *args)))

    def submitted(self, exam: ExamSession, result: ExamResult) -> None:
        """Rate every answered question and close the session, in one transaction (no double
        ratings if the process dies here)."""
        now = self.clock.time()
        self._pending.pop(("state",), None)  # saved below with the final numbers
        self.retry()
        with self.store.writing():
            self.store.save_exam_state(self.session_id, exam.remaining(),
                                       [self.positions[i] for i in exam.flags], self.positions[exam.position],
                                       result.time_used, now)
            if self.scheduler is not None:
                for r in result.items:
                    if r.answered:
                        key = r.item.question.key
                        usual = self.scheduler.usual_seconds(key, exclude_session=self.session_id)
                        self.scheduler.rate(key, r.correct, r.seconds, usual, session_id=self.session_id, at=now)
            self.store.finish_session(self.session_id, result.to_dict(), now)
        self.closed = True


def track_practice(store: Store, session: PracticeSession, mode: str = "practice",
                   settings: Mapping[str, Any] | None = None, scheduler: ReviewScheduler | None = None,
                   pack_id: str | None = None, pack_version: str | None = None,
                   predictor: Predictor | None = None) -> Tracker:
    """Start recording a new practice, review or drill session (sets `session.on_answer`, and
    `session.on_show`, which stores the forecast of each question as it goes up)."""
    if mode not in PRACTICE_MODES:
        raise ValueError(f"track_practice records {', '.join(PRACTICE_MODES)}, not {mode!r}")
    clock = scheduler.clock if scheduler else session.clock
    session_id = store.start_session(mode, pack_id or _pack_of(session.items),
                                     _item_rows(session.items), settings,
                                     started_at=clock.time(), pack_version=pack_version)
    tracker = Tracker(store, session_id, mode, range(len(session.items)), scheduler, clock, predictor)
    session.on_answer = tracker.on_practice_answer
    session.on_show = tracker.predict
    return tracker


def track_exam(store: Store, exam: ExamSession, settings: Mapping[str, Any] | None = None,
               scheduler: ReviewScheduler | None = None, clock_policy: str = CLOCK_PAUSED,
               pack_id: str | None = None, pack_version: str | None = None,
               predictor: Predictor | None = None) -> Tracker:
    """Start recording a new exam (sets `exam.recorder`). `clock_policy`: "paused" (default) or
    "runs-on" — what the countdown does while the app is closed."""
    if clock_policy not in CLOCK_POLICIES:
        raise ValueError(f"clock policy must be one of {', '.join(CLOCK_POLICIES)}, not {clock_policy!r}")
    stored = {**dict(settings or {}), "time_limit": exam.time_limit, "pass_mark": exam.pass_mark,
              "clock": clock_policy}
    session_id = store.start_session("exam", pack_id or _pack_of(exam.items),
                                     _item_rows(exam.items), stored,
                                     started_at=exam.clock.time(), remaining_seconds=exam.remaining(),
                                     pack_version=pack_version)
    tracker = Tracker(store, session_id, "exam", range(len(exam.items)), scheduler, exam.clock, predictor)
    exam.recorder = tracker
    tracker.predict_all(exam.items)
    return tracker


@dataclass
class Resumed:
    session: PracticeSession | ExamSession
    tracker: Tracker
    mode: str
    skipped: tuple[str, ...] = ()  # keys no longer in any loaded pack: left out
    changed: tuple[str, ...] = ()  # keys whose choices changed: kept, their answer dropped
    message: str | None = field(default=None)  # one sentence about skipped/changed, for the UI


def resume_session(store: Store, record: SessionRecord, packs: Iterable[Pack], *, clock: Clock | None = None,
                   scheduler: ReviewScheduler | None = None, predictor: Predictor | None = None) -> Resumed:
    """Rebuild an unfinished session from its record and the loaded packs and track it again.

    Questions that left their pack are skipped; a question whose number of choices changed is
    shown in pack order and its old answer dropped. An exam gets its time back as saved
    (settings "clock": "paused", the default) or minus the wall time since it was last saved
    ("runs-on"; it may then be over at once: call exam.tick()). Raises ResumeError.
    """
    clock = clock or (scheduler.clock if scheduler else SystemClock())
    if record.status != "open":
        raise ResumeError(_("session {id} is already closed").format(id=record.id))
    by_key: dict[str, Question | CalculatedQuestion] = {q.key: q for p in packs for q in p.questions}
    kept: list[tuple[int, Item, bool]] = []  # stored position, item, answer still valid
    skipped: list[str] = []
    changed: list[str] = []
    for rec in record.items:
        question = by_key.get(rec.question_key)
        if question is not None:
            question = _as_asked(question, rec.drawn)
        if question is None:
            skipped.append(rec.question_key)
            continue
        n = len(question.choices)
        if sorted(rec.order) == list(range(n)):
            kept.append((rec.position, Item(question, tuple(rec.order)), True))
        else:
            changed.append(rec.question_key)
            kept.append((rec.position, Item(question, tuple(range(n))), False))
    if not kept:
        raise ResumeError(_("none of this session's questions are in the loaded packs any more"))
    if not store.claim_session(record.id):
        raise ResumeError(_("this session is open in another quizapp window"))
    if record.mode == "exam":
        session, positions = _rebuild_exam(record, kept, clock)
    else:
        session, positions = _rebuild_practice(record, kept, clock)
    tracker = Tracker(store, record.id, record.mode, positions, scheduler, clock, predictor)
    if isinstance(session, ExamSession):
        session.recorder = tracker
        tracker.state(session)  # the new owner's start point (and, when running on, the time lost)
        tracker.predict_all(session.items)  # the open questions' (answered ones keep theirs)
    else:
        session.on_answer = tracker.on_practice_answer
        session.on_show = tracker.predict
    notes = []
    if skipped:
        notes.append(ngettext("{n} question is no longer in its pack and was left out",
                              "{n} questions are no longer in their packs and were left out",
                              len(skipped)).format(n=len(skipped)))
    if changed:
        notes.append(ngettext("{n} changed question must be answered again",
                              "{n} changed questions must be answered again", len(changed)).format(n=len(changed)))
    message = "; ".join(notes) + "." if notes else None
    return Resumed(session, tracker, record.mode, tuple(skipped), tuple(changed), message)


def _rebuild_practice(record: SessionRecord, kept: list[tuple[int, Item, bool]],
                      clock: Clock) -> tuple[PracticeSession, list[int]]:
    answered, open_ = [], []
    for position, item, valid in kept:
        stored = record.answers.get(position) if valid else None
        (answered if stored is not None else open_).append((position, item, stored))
    ordered = answered + open_  # answered questions first: the session goes on with the rest
    answers = [Answer(item, frozenset(a.picked), a.correct, seconds=a.seconds) for _, item, a in answered]
    session = PracticeSession([item for _, item, _ in ordered], answers, clock=clock)
    return session, [position for position, _, _ in ordered]


def _rebuild_exam(record: SessionRecord, kept: list[tuple[int, Item, bool]],
                  clock: Clock) -> tuple[ExamSession, list[int]]:
    settings = record.settings
    time_limit = settings.get("time_limit")
    pass_mark = float(settings.get("pass_mark", DEFAULT_PASS_MARK))
    positions = [position for position, _, _ in kept]
    index_of = {position: i for i, position in enumerate(positions)}
    picks, seconds = {}, {}
    for i, (position, _item, valid) in enumerate(kept):
        stored = record.answers.get(position)
        if stored is not None and valid:
            picks[i] = stored.picked
            seconds[i] = stored.seconds
    if record.used_seconds is not None:
        used = record.used_seconds
    elif time_limit is not None and record.remaining_seconds is not None:
        used = time_limit - record.remaining_seconds
    else:
        used = 0.0
    if settings.get("clock") == CLOCK_RUNS_ON and record.state_saved_at is not None:
        used += max(0.0, clock.time() - record.state_saved_at)
    current = min(index_of, key=lambda p: abs(p - record.current_position))
    exam = ExamSession([item for _, item, _ in kept], time_limit, pass_mark, clock, picks=picks,
                       flags=[index_of[f] for f in record.flags if f in index_of], position=index_of[current],
                       used=used, item_seconds=seconds)
    return exam, positions
