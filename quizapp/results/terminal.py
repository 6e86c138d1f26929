"""The item analysis in the terminal: one rich table, questions with the most serious flags first."""
from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from quizapp.i18n import _, ngettext, num
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
    return num(value, "+.2f" if signed else ".2f")


def choices_cell(choices: tuple[ChoiceStats, ...]) -> Text:
    if not choices:
        return Text(_("drawn per attempt"), style="dim")
    text = Text()
    for c in choices:
        if text:
            text.append("\n")
        text.append(f"{c.letter} {num(c.share * 100, '3.0f')}" + (" ✓" if c.key else ""),
                    style="bold green" if c.key else "")
    return text


def item_table(report: Report, topics: bool = True) -> Table:
    """`topics`: a column with each question's topic (left out on narrow terminals)."""
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    table.add_column(_("question"), overflow="fold", min_width=16)
    if topics:
        table.add_column(_("topic"), no_wrap=True, overflow="ellipsis", max_width=14)
    for name in ("n", "p", "r", "D"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(_("chose %"), no_wrap=True)
    table.add_column(_("flags"), overflow="fold", ratio=1, min_width=16)
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
    table.add_column(_("topic"))
    table.add_column(_("questions"), justify="right")
    table.add_column(_("answers"), justify="right")
    table.add_column(_("mean facility"), justify="right")
    for t in report.topics:
        table.add_row(t.title, str(t.questions), num(t.n, ","), figure(t.mean_facility))
    return table


def left_out_lines(report: Report) -> list[Text]:
    """Answers that are not in the figures, and why; never silently dropped."""
    lines = []
    none = _("(none)")
    version = report.pack_version or none
    for g in report.other_versions:
        lines.append(Text(_("{answers} by {learners} are for version {version} of the pack, not {current}: left "
                            "out").format(answers=_answers(g.answers), learners=_learners(g.learners),
                                          version=g.name or none, current=version), style="yellow"))
    for g in report.vanished:
        lines.append(Text(_("question '{id}' is not in the pack any more: {answers} by {learners} left out").format(
            id=g.name, answers=_answers(g.answers), learners=_learners(g.learners)), style="yellow"))
    for g in report.other_packs:
        lines.append(Text(_("{answers} for another pack ('{pack}'): left out").format(
            answers=_answers(g.answers), pack=g.name), style="dim"))
    if report.other_modes:
        lines.append(Text(_("{answers} from other modes than '{mode}': left out").format(
            answers=_answers(report.other_modes), mode=report.mode), style="dim"))
    for g in report.key_disagreements:
        lines.append(Text(_("question '{id}': {answers} marked against another key than the pack's; was the key "
                            "changed without a new pack version?").format(id=g.name, answers=_answers(g.answers)),
                          style="yellow"))
    if report.unanswered:
        shown = ", ".join(report.unanswered[:12]) + (" ..." if len(report.unanswered) > 12 else "")
        lines.append(Text(ngettext("{n} question without answers: {ids}", "{n} questions without answers: {ids}",
                                   len(report.unanswered)).format(n=len(report.unanswered), ids=shown), style="dim"))
    return lines


def render(report: Report, console: Console) -> None:
    console.print(Text.assemble((_("Item analysis"), "bold"), " · " + heading(report)))
    if not report.items:
        console.print(Text(_("No answers to analyse."), style="yellow"))
    else:
        console.print(item_table(report, topics=console.width >= WIDE))
        console.print(Text(_("n answers · p facility · r point-biserial with the rest score · D upper–lower 27 % index · "
                             "choices: share choosing each, ✓ the key"), style="dim"))
        console.print(Group(Text(_("Topics"), style="bold"), topic_table(report)))
        console.print(Text(_("Reliability: {note}").format(note=report.reliability.note),
                           style="" if report.reliability.kr20 is not None else "yellow"))
    for line in left_out_lines(report):
        console.print(line)


def heading(report: Report) -> str:
    """"LLM Foundations (llm-foundations 1.0.0) · mode all · 24 learners · 480 first attempts"."""
    version = f" {report.pack_version}" if report.pack_version else ""
    return _("{title} ({pack}) · mode {mode} · {learners} · {attempts}").format(
        title=report.pack_title, pack=report.pack_id + version, mode=report.mode, learners=_learners(report.learners),
        attempts=ngettext("{n} first attempt", "{n} first attempts", report.answers).format(n=num(report.answers, ",")))


def _answers(n: int) -> str:
    return ngettext("{n} answer", "{n} answers", n).format(n=num(n, ","))


def _learners(n: int) -> str:
    return ngettext("{n} learner", "{n} learners", n).format(n=num(n, ","))
