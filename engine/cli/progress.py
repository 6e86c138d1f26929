"""The rich progress bar that `quizapp engine train` shows while a stage trains."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from engine.rlhf.progress import Update


@contextmanager
def rich_bar(label: str, total: int) -> Iterator[Update]:
    if not Console().is_terminal:  # a log file gets the stages' own loss lines only
        yield lambda step, status="": None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
               TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task(label, total=total, status="")

        def update(step: int, status: str = "") -> None:
            progress.update(task, completed=step, status=status)
        yield update
