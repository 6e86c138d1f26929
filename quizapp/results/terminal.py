"""The item analysis in the terminal: one rich table, questions with the most serious flags first."""
from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from quizapp.results.analysis import SEVERITY, ChoiceStats, ItemStats, Report

SERIOUS = {"negative", "key-beaten"}
WIDE = 100  # from this many columns on, the question table has room for a topic column


def sorted_items(report: Report) -> list[ItemStats]:
    """Most serious flag first, then the most flags, then pack order."""
    order = {item.question: i for i, item in enumerate(report.items)}
    return sorted(report.items, key=lambda item: (item.severity, -len(item.flags), order[item.question]))


def figure(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def choices_cell(choices: tuple[ChoiceStats, ...]) -> Text:
    if not choices:
        return Text("drawn per attempt", style="dim")
    text = Text()
    for c in choices:
        if text:
            text.append("\n")
        text.append(f"{c.letter} {c.share * 100:3.0f}" + (" ✓" if c.key else ""), style="bold green" if c.key else "")
    return text


def item_table(report: Report, topics: bool = True) -> Table:
    """`topics`: a column with each question's topic (left out on narrow terminals)."""
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    table.add_column("question", overflow="fold", min_width=16)
    if topics:
        table.add_column("topic", no_wrap=True, overflow="ellipsis", max_width=14)
    for name in ("n", "p", "r", "D"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("chose %", no_wrap=True)
    table.add_column("flags", overflow="fold", ratio=1, min_width=16)
    for item in sorted_items(report):
        if any(f.kind in SERIOUS for f in item.flags):
            mark = Text("✗\u00a0", style="bold red")  # a no-break space: the mark stays with the id
        elif item.severity < len(SEVERITY):
            mark = Text("!\u00a0", style="yellow")
        else:
            mark = Text("\u00a0\u00a0")
        table.add_row(mark + item.question, *([item.topic] if topics else []), str(item.n), figure(item.facility),
                      figure(item.point_biserial, signed=True), figure(item.upper_lower, signed=True),
                      choices_cell(item.choices), "\n".join(f.short for f in item.flags))
    return table


def topic_table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    table.add_column("topic")
    table.add_column("questions", justify="right")
    table.add_column("answers", justify="right")
    table.add_column("mean facility", justify="right")
    for t in report.topics:
        table.add_row(t.title, str(t.questions), f"{t.n:,}", figure(t.mean_facility))
    return table


def left_out_lines(report: Report) -> list[Text]:
    """Answers that are not in the figures, and why; never silently dropped."""
    lines = []
    version = report.pack_version or "(none)"
    for g in report.other_versions:
        lines.append(Text(f"{g.answers:,} answers by {g.learners} learners are for version {g.name or '(none)'} of "
                          f"the pack, not {version}: left out", style="yellow"))
    for g in report.vanished:
        lines.append(Text(f"question '{g.name}' is not in the pack any more: {g.answers:,} answers by "
                          f"{g.learners} learners left out", style="yellow"))
    for g in report.other_packs:
        lines.append(Text(f"{g.answers:,} answers are for another pack ('{g.name}'): left out", style="dim"))
    if report.other_modes:
        lines.append(Text(f"{report.other_modes:,} answers from other modes than '{report.mode}': left out",
                          style="dim"))
    for g in report.key_disagreements:
        lines.append(Text(f"question '{g.name}': {g.answers:,} answers were marked against another key than the "
                          "pack's; was the key changed without a new pack version?", style="yellow"))
    if report.unanswered:
        shown = ", ".join(report.unanswered[:12]) + (" ..." if len(report.unanswered) > 12 else "")
        lines.append(Text(f"{len(report.unanswered)} questions without answers: {shown}", style="dim"))
    return lines


def render(report: Report, console: Console) -> None:
    version = f" {report.pack_version}" if report.pack_version else ""
    console.print(Text.assemble(("Item analysis", "bold"), f" · {report.pack_title} ({report.pack_id}{version})"
                                f" · mode {report.mode} · {_count(report.learners, 'learner')} · "
                                f"{_count(report.answers, 'first attempt')}"))
    if not report.items:
        console.print(Text("No answers to analyse.", style="yellow"))
    else:
        console.print(item_table(report, topics=console.width >= WIDE))
        console.print(Text("n answers · p facility · r point-biserial with the rest score · "
                           "D upper–lower 27 % index · choices: share choosing each, ✓ the key", style="dim"))
        console.print(Group(Text("Topics", style="bold"), topic_table(report)))
        console.print(Text(f"Reliability: {report.reliability.note}",
                           style="" if report.reliability.kr20 is not None else "yellow"))
    for line in left_out_lines(report):
        console.print(line)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
