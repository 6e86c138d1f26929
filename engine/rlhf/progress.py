"""Progress reports from the training loops, with no display of their own.

    with progress_bar("ppo", total=60) as bar:
        bar(step, "reward 0.31")

What draws the bar is the caller's choice: `quizapp engine train` installs a
rich bar (engine/cli/progress.py); library use and tests get nothing, so the
training code never imports a terminal library.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, ContextManager, Iterator

Update = Callable[[int, str], None]
Display = Callable[[str, int], ContextManager[Update]]

_display: Display | None = None


def set_display(display: Display | None) -> None:
    """Install what draws progress (None: draw nothing)."""
    global _display
    _display = display


@contextmanager
def progress_bar(label: str, total: int, enabled: bool = True) -> Iterator[Update]:
    if not enabled or _display is None:
        yield lambda step, status="": None
        return
    with _display(label, total) as update:
        yield update
