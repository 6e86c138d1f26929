"""A rich progress bar for the fine-tuning stages (or nothing, when it is switched off).

    with progress_bar("ppo", total=60) as bar:
        bar(step, "reward 0.31")
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def progress_bar(label: str, total: int, enabled: bool = True) -> Iterator[Callable[[int, str], None]]:
    if not enabled:
        yield lambda step, status="": None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
               TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task(label, total=total, status="")

        def update(step: int, status: str = "") -> None:
            progress.update(task, completed=step, status=status)
        yield update
