"""What the progress store hands back: plain, immutable records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Mapping

from quizapp.i18n import N_, _

Mode = Literal["practice", "exam", "review", "drill"]
MODES: tuple[str, ...] = ("practice", "exam", "review", "drill")
MODE_NAMES = {"practice": N_("Practice"), "exam": N_("Exam"), "review": N_("Review"), "drill": N_("Drill")}
Status = Literal["open", "finished", "abandoned"]


@dataclass(frozen=True)
class ItemRecord:
    """One question of a session as it was shown: its key and its choice order."""
    position: int
    question_key: str
    order: tuple[int, ...]  # order[display position] = pack choice index
    drawn: Mapping[str, Any] | None = None  # a calculated question's parameter values


@dataclass(frozen=True)
class AnswerRecord:
    id: int
    session_id: int
    position: int
    question_key: str
    picked: frozenset[int]        # display positions
    picked_choices: tuple[int, ...]  # pack choice indices, sorted
    correct: bool
    seconds: float
    answered_at: float            # Unix seconds


@dataclass(frozen=True)
class ResultRow:
    """One counting answer with what an exported result line needs from its session."""
    session_id: int
    mode: str
    pack_version: str | None      # the pack's version when the session started (None: not recorded)
    question_key: str
    picked_choices: tuple[int, ...]  # pack choice indices (a drawn calculated question: its own order)
    correct: bool
    seconds: float
    answered_at: float
    drawn: Mapping[str, Any] | None  # a calculated question's parameter values


@dataclass(frozen=True, eq=False)
class SessionRecord:
    id: int
    mode: str
    pack_id: str | None
    settings: Mapping[str, Any]
    status: str
    started_at: float
    finished_at: float | None
    items: tuple[ItemRecord, ...]
    answers: Mapping[int, AnswerRecord]  # the current answer per position
    remaining_seconds: float | None = None  # exams: time left when last saved (None: untimed)
    used_seconds: float | None = None       # exams: time spent when last saved
    flags: frozenset[int] = frozenset()
    current_position: int = 0
    state_saved_at: float | None = None
    summary: Mapping[str, Any] | None = None
    owner: str | None = None

    @property
    def answered(self) -> int:
        return len(self.answers)

    @property
    def last_activity(self) -> float:
        times = [self.started_at, self.state_saved_at or 0.0, *(a.answered_at for a in self.answers.values())]
        return max(times)

    def describe(self) -> str:
        """One line for a resume prompt: mode, pack, progress, time left, when it started."""
        mode = MODE_NAMES.get(self.mode)
        parts = [_(mode) if mode else self.mode.capitalize(), self.pack_id or _("several packs"),
                 _("{answered} of {total} answered").format(answered=self.answered, total=len(self.items))]
        if self.remaining_seconds is not None:
            left = max(0, int(self.remaining_seconds))
            parts.append(_("{clock} left").format(clock=f"{left // 60}:{left % 60:02d}"))
        parts.append(_("started {when}").format(
            when=datetime.fromtimestamp(self.started_at).strftime("%Y-%m-%d %H:%M")))
        return " · ".join(parts)


@dataclass(frozen=True)
class CardRecord:
    """The FSRS card of one question, as fsrs.Card.to_dict() wrote it."""
    question_key: str
    card: Mapping[str, Any]
    due: float
    state: int
    updated_at: float


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    question_key: str
    session_id: int | None
    rating: int
    suggested: int
    reviewed_at: float
    duration_ms: int | None
    card_before: Mapping[str, Any] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PredictionPair:
    """A forecast stored before an answer, with that answer's outcome (the counting answer)."""
    question_key: str
    predicted_at: float
    probability: float            # the forecast that the answer would be right
    running: float                # the running-accuracy baseline at that moment
    retrievability: float | None  # FSRS retrievability then; None: never seen before
    prior: float                  # the topic estimate for the question then
    correct: bool
    answered_at: float
