"""A mock exam: questions drawn per topic, a time limit, no feedback until it is submitted.

The learner moves freely between questions, changes answers and flags questions; the
map shows every question as answered, flagged or open. The exam ends when it is
submitted or, when timed, as soon as the time is up (`tick()` or any action after the
deadline submits it). Time comes from an injectable `Clock`, so tests drive it.

Persistence is a hook: an `ExamRecorder` (see quizapp.study.persist.Tracker) is told
about every answer, every change of state and the submission.

Clock on resume (the `clock` setting): "paused" (the default) means the countdown
stops while the app is closed, so a crash or a closed terminal costs no exam time;
"runs-on" means the time limit is a wall-clock deadline, as in a proctored exam.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from question_bank.models import Question
from quizapp.study.clock import Clock, SystemClock
from quizapp.i18n import _
from quizapp.study.draw import concrete, shuffle_choices
from quizapp.study.practice import Answer, Item

DEFAULT_PASS_MARK = 0.6
DEFAULT_EXAM_QUESTIONS = 20  # what the exam setup offers, when the topics have that many
CLOCK_PAUSED = "paused"
CLOCK_RUNS_ON = "runs-on"
CLOCK_POLICIES = (CLOCK_PAUSED, CLOCK_RUNS_ON)
SAVE_EVERY_SECONDS = 1.0  # tick() saves the remaining time at most this often
EXPIRY_TOLERANCE = 1e-3  # seconds: an exam with less time left than this is over

MapStatus = Literal["answered", "flagged", "open"]


@dataclass(frozen=True)
class MapEntry:
    """One square of the question map."""
    index: int
    answered: bool
    flagged: bool
    current: bool

    @property
    def status(self) -> MapStatus:
        """What the square shows first: a flag beats answered, answered beats open."""
        return "flagged" if self.flagged else "answered" if self.answered else "open"


@dataclass(frozen=True)
class TopicScore:
    pack_id: str
    topic: str
    right: int
    total: int
    answered: int

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExamItemResult:
    """One question in the result review: what was picked, what is correct."""
    index: int
    item: Item
    picked: frozenset[int]  # display positions; empty when unanswered
    correct: bool
    flagged: bool
    seconds: float

    @property
    def answered(self) -> bool:
        return bool(self.picked)

    def as_answer(self) -> Answer | None:
        """For quizapp.study.feedback (verdict, whys, explanation); None when unanswered."""
        return Answer(self.item, self.picked, self.correct) if self.picked else None


@dataclass(frozen=True)
class ExamResult:
    right: int
    total: int
    answered: int
    pass_mark: float  # a fraction, 0.6 = 60 %
    passed: bool
    by_topic: tuple[TopicScore, ...]
    time_used: float  # seconds
    time_limit: float | None
    auto_submitted: bool  # True when the time ran out
    items: tuple[ExamItemResult, ...]

    @property
    def score(self) -> int:
        return self.right

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0

    def to_dict(self) -> dict:
        """The summary stored with the session (no question texts, keys only)."""
        return {
            "right": self.right, "total": self.total, "answered": self.answered,
            "percent": round(self.percent, 2), "pass_mark": self.pass_mark, "passed": self.passed,
            "time_used": round(self.time_used, 3), "time_limit": self.time_limit,
            "auto_submitted": self.auto_submitted,
            "by_topic": [{"pack": t.pack_id, "topic": t.topic, "right": t.right, "total": t.total,
                          "answered": t.answered} for t in self.by_topic],
        }


class ExamRecorder(Protocol):
    def answer(self, index: int, item: Item, picked: frozenset[int], correct: bool, seconds: float) -> None: ...
    def clear(self, index: int) -> None: ...
    def state(self, exam: ExamSession) -> None: ...
    def submitted(self, exam: ExamSession, result: ExamResult) -> None: ...


def draw_per_topic(questions: Iterable[Question], topics: Iterable[str] | None, count: int,
                   rng: random.Random) -> list[Question]:
    """`count` questions, round-robin over the topics so every topic is represented.

    Topics are (pack, topic) pairs, so equal topic ids in two packs stay apart. The
    topic order of the round-robin is shuffled (which topics get one more question
    when `count` does not divide evenly is left to chance); a topic that runs out of
    questions drops out and the others fill up. The result is shuffled.
    Raises ValueError when `count` is smaller than the number of topics.
    """
    wanted = None if topics is None else set(topics)
    groups: dict[tuple[str, str], list[Question]] = {}
    for q in questions:
        if wanted is None or q.topic in wanted:
            groups.setdefault((q.pack_id, q.topic), []).append(q)
    if count < len(groups):
        raise ValueError(_("an exam over {n} topics needs at least {n} questions, one per topic (asked for {count})")
                         .format(n=len(groups), count=count))
    pools = list(groups.values())
    for pool in pools:
        rng.shuffle(pool)
    rng.shuffle(pools)
    drawn: list[Question] = []
    while len(drawn) < count and any(pools):
        for pool in pools:
            if pool and len(drawn) < count:
                drawn.append(pool.pop())
    rng.shuffle(drawn)
    return drawn


class ExamSession:
    def __init__(self, items: Sequence[Item], time_limit: float | None = None,
                 pass_mark: float = DEFAULT_PASS_MARK, clock: Clock | None = None, *,
                 picks: Mapping[int, Iterable[int]] | None = None, flags: Iterable[int] = (),
                 position: int = 0, used: float = 0.0, item_seconds: Mapping[int, float] | None = None,
                 recorder: ExamRecorder | None = None) -> None:
        """A new exam, or one restored from saved state (`picks`, `flags`, `position`, and
        `used`: exam seconds already spent in earlier runs)."""
        if not items:
            raise ValueError("an exam needs at least one question")
        if not 0.0 < pass_mark <= 1.0:
            raise ValueError(f"the pass mark is a fraction between 0 and 1, got {pass_mark}")
        if time_limit is not None and time_limit <= 0:
            raise ValueError("the time limit must be positive")
        self.items = list(items)
        self.time_limit = time_limit
        self.pass_mark = pass_mark
        self.clock: Clock = clock or SystemClock()
        n = len(self.items)
        self.picks: list[frozenset[int]] = [frozenset() for _ in range(n)]
        for index, picked in (picks or {}).items():
            if 0 <= index < n:
                self.picks[index] = frozenset(picked)
        self.flags: set[int] = {i for i in flags if 0 <= i < n}
        self.position = min(max(position, 0), n - 1)
        self.item_seconds = [0.0] * n
        for index, seconds in (item_seconds or {}).items():
            if 0 <= index < n:
                self.item_seconds[index] = float(seconds)
        self.recorder = recorder
        self.result: ExamResult | None = None
        self._used_before = float(used)
        self._run_start = self.clock.now()
        self._entered = self._run_start
        self._saved_at = self._run_start

    @classmethod
    def start(cls, questions: Iterable[Question], topics: Iterable[str] | None = None, count: int = 20,
              time_limit_seconds: float | None = None, pass_mark: float = DEFAULT_PASS_MARK,
              seed: int | None = None, clock: Clock | None = None) -> ExamSession:
        rng = random.Random(seed)
        drawn = [d for q in draw_per_topic(questions, topics, count, rng) if (d := concrete(q, rng)) is not None]
        if not drawn:
            raise ValueError(_("no questions in the chosen topics"))
        return cls([Item(q, shuffle_choices(q, rng)) for q in drawn], time_limit_seconds, pass_mark, clock)

    # -- time ---------------------------------------------------------------------------------

    def used(self) -> float:
        """Exam seconds spent so far (frozen once submitted)."""
        if self.result is not None:
            return self.result.time_used
        return self._used_before + (self.clock.now() - self._run_start)

    def remaining(self) -> float | None:
        """Seconds left, never below 0; None for an untimed exam."""
        if self.time_limit is None:
            return None
        left = self.time_limit - self.used()
        return 0.0 if left <= EXPIRY_TOLERANCE else left

    @property
    def expired(self) -> bool:
        """Out of time; within EXPIRY_TOLERANCE of the limit counts as out (clocks add in floats)."""
        return self.time_limit is not None and self.time_limit - self.used() <= EXPIRY_TOLERANCE

    def tick(self) -> ExamResult | None:
        """Call about once a second (the countdown refresh): submits the exam when the time is up
        and returns the result then; otherwise saves the time left now and then and returns None."""
        if self.result is not None:
            return None
        if self.expired:
            return self.submit(auto=True)
        if self.recorder is not None and self.clock.now() - self._saved_at >= SAVE_EVERY_SECONDS:
            self._save_state()
        return None

    check_time = tick

    # -- state --------------------------------------------------------------------------------

    @property
    def submitted(self) -> bool:
        return self.result is not None

    finished = submitted  # the name PracticeSession uses

    @property
    def under_way(self) -> bool:
        return self.result is None

    @property
    def current(self) -> Item:
        return self.items[self.position]

    @property
    def picked(self) -> frozenset[int]:
        """The current question's selection (display positions)."""
        return self.picks[self.position]

    def is_answered(self, index: int) -> bool:
        return bool(self.picks[index])

    def map(self) -> list[MapEntry]:
        return [MapEntry(i, bool(self.picks[i]), i in self.flags, i == self.position) for i in range(len(self.items))]

    def counts(self) -> dict[str, int]:
        """answered / flagged / open (unanswered) totals, e.g. for the submit confirmation."""
        answered = sum(1 for p in self.picks if p)
        return {"answered": answered, "flagged": len(self.flags), "open": len(self.items) - answered}

    def _accepting(self) -> bool:
        """False once submitted; an action after the deadline submits the exam first."""
        if self.result is not None:
            return False
        if self.expired:
            self.submit(auto=True)
            return False
        return True

    # -- navigation ---------------------------------------------------------------------------

    def goto(self, index: int) -> bool:
        """Show question `index`; False (and no move) when out of range or the exam is over."""
        if not self._accepting() or not 0 <= index < len(self.items):
            return False
        if index != self.position:
            now = self.clock.now()
            self.item_seconds[self.position] += now - self._entered
            self._entered = now
            self.position = index
            self._save_state()
        return True

    def next(self) -> bool:
        return self.goto(self.position + 1)

    def previous(self) -> bool:
        return self.goto(self.position - 1)

    def next_open(self) -> bool:
        """Go to the next unanswered or flagged question after the current one, wrapping around."""
        n = len(self.items)
        for step in range(1, n):
            i = (self.position + step) % n
            if not self.picks[i] or i in self.flags:
                return self.goto(i)
        return False

    # -- answering ----------------------------------------------------------------------------

    def select(self, position: int) -> frozenset[int] | None:
        """Pick display position `position` of the current question: a single-choice question
        takes it as its answer, a multiple-choice one toggles it. Saved at once.
        Returns the new selection, or None when the exam is over (check `submitted`)."""
        if not self._accepting():
            return None
        item = self.current
        if not 0 <= position < len(item.order):
            raise ValueError("no such choice")
        if item.question.type == "multiple":
            picked = self.picks[self.position] ^ {position}
        else:
            picked = frozenset({position})
        self._set(picked)
        return picked

    def set_answer(self, picked: Iterable[int]) -> frozenset[int] | None:
        """Replace the current question's selection wholesale (empty = clear)."""
        if not self._accepting():
            return None
        picked = frozenset(picked)
        item = self.current
        if not all(0 <= p < len(item.order) for p in picked):
            raise ValueError("no such choice")
        if item.question.type == "single" and len(picked) > 1:
            raise ValueError("a single-choice question takes exactly one answer")
        self._set(picked)
        return picked

    def clear(self) -> bool:
        return self.set_answer(()) is not None

    def _set(self, picked: frozenset[int]) -> None:
        index = self.position
        if picked == self.picks[index]:
            return
        self.picks[index] = picked
        if self.recorder is None:
            return
        if picked:
            item = self.items[index]
            seconds = self.item_seconds[index] + (self.clock.now() - self._entered)
            self.recorder.answer(index, item, picked, item.is_correct(picked), seconds)
        else:
            self.recorder.clear(index)

    def flag(self, index: int | None = None) -> bool | None:
        """Toggle the flag of question `index` (default: the current one); returns whether it is
        flagged now, or None when the exam is over."""
        if not self._accepting():
            return None
        index = self.position if index is None else index
        if not 0 <= index < len(self.items):
            raise IndexError(index)
        self.flags ^= {index}
        self._save_state()
        return index in self.flags

    # -- the end ------------------------------------------------------------------------------

    def submit(self, auto: bool = False) -> ExamResult:
        """Score the exam; a second call returns the same result."""
        if self.result is not None:
            return self.result
        now = self.clock.now()
        self.item_seconds[self.position] += now - self._entered
        self._entered = now
        used = self._used_before + (now - self._run_start)
        if self.time_limit is not None:
            used = min(used, float(self.time_limit))
        items = tuple(ExamItemResult(i, item, self.picks[i], bool(self.picks[i]) and item.is_correct(self.picks[i]),
                                     i in self.flags, self.item_seconds[i]) for i, item in enumerate(self.items))
        right = sum(r.correct for r in items)
        total = len(items)
        topics: dict[tuple[str, str], list[ExamItemResult]] = {}
        for r in items:
            topics.setdefault((r.item.question.pack_id, r.item.question.topic), []).append(r)
        by_topic = tuple(TopicScore(pack, topic, sum(r.correct for r in rs), len(rs), sum(r.answered for r in rs))
                         for (pack, topic), rs in sorted(topics.items()))
        self.result = ExamResult(
            right=right, total=total, answered=sum(r.answered for r in items), pass_mark=self.pass_mark,
            passed=right >= self.pass_mark * total - 1e-9, by_topic=by_topic, time_used=used,
            time_limit=self.time_limit, auto_submitted=auto, items=items)
        if self.recorder is not None:
            self.recorder.submitted(self, self.result)
        return self.result

    def _save_state(self) -> None:
        self._saved_at = self.clock.now()
        if self.recorder is not None:
            self.recorder.state(self)
