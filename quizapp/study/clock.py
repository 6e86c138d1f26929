"""Time for the study modes, injectable so tests can move it.

Two readings, kept apart on purpose:

- `now()`: monotonic seconds, for durations (exam countdown, time per question).
  It never jumps when the system clock is set, and means nothing across processes.
- `time()`: wall-clock Unix seconds, for timestamps that are stored and compared
  across runs (answers, FSRS due dates, "the clock runs on while the app is closed").
"""
from __future__ import annotations

import time as _time
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds, for measuring durations."""
        ...

    def time(self) -> float:
        """Wall-clock Unix seconds, for stored timestamps."""
        ...


def utc(clock: Clock) -> datetime:
    """The clock's wall time as a timezone-aware UTC datetime (what fsrs expects)."""
    return datetime.fromtimestamp(clock.time(), tz=timezone.utc)


class SystemClock:
    def now(self) -> float:
        return _time.monotonic()

    def time(self) -> float:
        return _time.time()

    def __repr__(self) -> str:
        return "SystemClock()"


# 2025-01-06 12:00:00 UTC, a Monday: fixed so tests do not depend on the day they run.
DEFAULT_FAKE_START = 1736164800.0


class FakeClock:
    """A clock that only moves when told to: `advance(seconds)` moves both readings."""

    def __init__(self, start: float | datetime = DEFAULT_FAKE_START, monotonic: float = 1000.0) -> None:
        self._wall = start.timestamp() if isinstance(start, datetime) else float(start)
        self._mono = float(monotonic)

    def now(self) -> float:
        return self._mono

    def time(self) -> float:
        return self._wall

    def advance(self, seconds: float = 1.0) -> None:
        if seconds < 0:
            raise ValueError("a clock does not run backwards")
        self._mono += seconds
        self._wall += seconds

    def __repr__(self) -> str:
        return f"FakeClock(time={self._wall!r}, now={self._mono!r})"


def clock_text(seconds: float) -> str:
    """Seconds as m:ss, for the exam countdown and the time used."""
    seconds = max(0, int(seconds + 0.999))  # count down in whole seconds, never show 0:00 early
    return f"{seconds // 60}:{seconds % 60:02d}"
