"""Right answers per topic, as the practice summary and the exam result show them."""
from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from question_bank.models import Pack
from quizapp.i18n import _, num, shown_title


def topic_table(pack: Pack, results: Iterable) -> Table:
    """`results`: objects with topic, right, total and percent (TopicResult, TopicScore)."""
    table = Table(expand=True, box=None, pad_edge=False)
    table.add_column(_("Topic"), ratio=1)
    table.add_column(_("Right"), justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    for r in results:
        topic = pack.topic(r.topic)
        style = "green" if r.percent >= 80 else "yellow" if r.percent >= 50 else "red"
        table.add_row(shown_title(topic) if topic else r.topic, f"{r.right}/{r.total}", f"[{style}]{num(r.percent, '.0f')}[/]")
    return table
