"""`quizapp preview PACK`: the author's view of one pack.

Every question with its key marked, the why of every choice, the explanation, the live
blocks as written and their evidence computed now (the panel learners see after an answer),
one question at a time (←/→); the pack's validation problems at the top. The pack's files are polled for changes; a change reloads the pack in a worker
thread and keeps the same question on screen. While the pack has errors, the last version
that loaded stays visible under the list of errors.
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from question_bank.evidence import describe_claim
from question_bank.models import AnyQuestion, CalculatedQuestion, Pack, Question, ValueSpec
from quizapp.authoring.snapshot import Snapshot, read_pack
from quizapp.authoring.watch import PackWatcher
from quizapp.evidence.panel import EvidencePanel
from quizapp.i18n import N_, _, ngettext, shown_title
from quizapp.screens.translated import TranslatedBindings
from quizapp.widgets.footer import KeyFooter
from quizapp.widgets.markdown_text import MarkdownText

LETTERS = "ABCDEFGH"
SHOWN_PROBLEMS = 6
DEFAULT_INTERVAL = 1.0  # seconds between two looks at the files' modification times


class PreviewScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "preview.tcss"
    BINDINGS = [
        Binding("left", "move(-1)", N_("Previous"), key_display="←", priority=True),
        Binding("right", "move(1)", N_("Next"), key_display="→", priority=True),
        Binding("t", "language", N_("Language")),
        Binding("r", "reload", N_("Reload")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    class Loaded(Message):
        def __init__(self, snapshot: Snapshot, seconds: float) -> None:
            super().__init__()
            self.snapshot = snapshot
            self.seconds = seconds

    def __init__(self, path: Path, interval: float | None = DEFAULT_INTERVAL, engine: bool = True) -> None:
        super().__init__()
        self.path = path
        self.interval = interval  # None: only poll() when asked (tests)
        self.engine = engine  # run calculations and evidence claims, as `quizapp validate` does
        self.watcher = PackWatcher(path)
        self.snapshot: Snapshot | None = None
        self.pack: Pack | None = None  # the last version that loaded
        self.index = 0
        self.lang: str | None = None
        self.loads = 0
        self.loaded_at = ""

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="problems")
        with VerticalScroll(id="body"):
            yield Static(id="meta")
            yield MarkdownText(id="prompt")
            yield Static(id="choices")
            yield MarkdownText(id="explanation")
            yield Static(id="extra")
            yield EvidencePanel(id="evidence")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#status", Static).update(Text(" " + _("Reading {path} ...").format(path=self.path), no_wrap=True))
        self.reload()
        if self.interval is not None:
            self.set_interval(self.interval, self.poll)
        self.query_one("#body").focus()

    # -- loading --------------------------------------------------------------------------------

    def poll(self) -> bool:
        """Look at the files once; reload when one changed. True when a reload started."""
        if self.watcher.changed():
            self.reload()
            return True
        return False

    @work(thread=True, exclusive=True, group="load")
    def reload(self) -> None:
        start = time.perf_counter()
        snapshot = read_pack(self.path, self.engine)
        self.post_message(self.Loaded(snapshot, time.perf_counter() - start))

    def on_preview_screen_loaded(self, message: Loaded) -> None:
        current = self.question_id()
        self.snapshot = message.snapshot
        self.loads += 1
        self.loaded_at = time.strftime("%H:%M:%S")
        if message.snapshot.pack is not None:
            self.pack = message.snapshot.pack
            ids = [q.id for q in self.pack.questions]
            self.index = ids.index(current) if current in ids else min(self.index, max(0, len(ids) - 1))
            if self.lang is not None and self.lang not in self.languages():
                self.lang = None
        self.show_problems()
        self.show_question()

    def action_reload(self) -> None:
        self.reload()

    # -- moving ---------------------------------------------------------------------------------

    def question_id(self) -> str | None:
        if self.pack is None or not self.pack.questions:
            return None
        return self.pack.questions[self.index].id

    def action_move(self, step: int) -> None:
        if self.pack is None or not self.pack.questions:
            return
        self.index = max(0, min(len(self.pack.questions) - 1, self.index + step))
        self.show_question()
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def languages(self) -> list[str]:
        if self.pack is None:
            return []
        return sorted({lang for q in self.pack.questions for lang in q.translations} - {self.pack.language})

    def action_language(self) -> None:
        cycle = [None, *self.languages()]
        self.lang = cycle[(cycle.index(self.lang) + 1) % len(cycle)] if self.lang in cycle else None
        self.show_question()
        shown = (self.lang or (self.pack.language if self.pack else "")).upper()
        self.notify((_("Showing {language}") if len(cycle) > 1 else
                     _("Showing {language}: the pack has no translations")).format(language=shown), timeout=2)

    # -- drawing --------------------------------------------------------------------------------

    def show_problems(self) -> None:
        snapshot = self.snapshot
        panel = self.query_one("#problems", Static)
        if snapshot is None:
            return
        problems = snapshot.result.problems
        if not problems:
            panel.update(Text(_("✓ No problems: the pack is valid."), style="bold green"))
            panel.set_classes("clean")
            return
        counts = _("{errors}, {warnings}").format(
            errors=ngettext("{n} error", "{n} errors", snapshot.errors).format(n=snapshot.errors),
            warnings=ngettext("{n} warning", "{n} warnings", snapshot.warnings).format(n=snapshot.warnings))
        lines = [Text(counts + self.shown_note(), style="bold")]
        for problem in problems[:SHOWN_PROBLEMS]:
            lines.append(Text(str(problem), style="red" if problem.severity == "error" else "yellow"))
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(Text(_("... and {n} more: quizapp validate {path}").format(
                n=len(problems) - SHOWN_PROBLEMS, path=self.path), style="dim"))
        panel.update(Group(*lines))
        panel.set_classes("errors" if snapshot.errors else "warnings")

    def shown_note(self) -> str:
        snapshot = self.snapshot
        if snapshot is None or not snapshot.errors or self.pack is None:
            return ""
        if snapshot.engine_errors_only:
            return " · " + _("only the engine's checks fail: the questions are shown as written")
        return " · " + _("the pack does not load: showing the last version that did")

    def show_question(self) -> None:
        status = self.query_one("#status", Static)
        pack = self.pack
        if pack is None or not pack.questions:
            status.update(Text(" " + _("Preview · {path}").format(path=self.path), no_wrap=True, overflow="ellipsis"))
            for name in ("#meta", "#choices", "#extra"):
                self.query_one(name, Static).update("")
            self.query_one("#prompt", MarkdownText).set_markdown(
                "*" + (_("The pack has never loaded: fix the errors above and save.") if pack is None
                       else _("The pack has no questions yet.")) + "*")
            self.query_one("#explanation", MarkdownText).set_markdown("")
            self.query_one(EvidencePanel).clear()
            return
        q = pack.questions[self.index]
        version = f" {pack.version}" if pack.version else ""
        lang = (self.lang or pack.language).upper()
        status.update(Text(" " + _("Question {number}/{total} · {language} · loaded {time} (#{loads}) · {title} "
                                   "({pack})").format(number=self.index + 1, total=len(pack.questions), language=lang,
                                                      time=self.loaded_at, loads=self.loads, title=shown_title(pack),
                                                      pack=pack.id + version), no_wrap=True, overflow="ellipsis"))
        topic = pack.topic(q.topic)
        meta = Text.assemble((q.id, "bold"), "  ·  " + _("{topic}  ·  {type}  ·  difficulty {difficulty}").format(
            topic=shown_title(topic) if topic else q.topic, type=q.type, difficulty=q.difficulty))
        if q.tags:
            meta.append("  ·  " + _("tags: {tags}").format(tags=", ".join(q.tags)))
        if q.source:
            meta.append("\n" + _("source: {source}").format(source=q.source), style="dim")
        self.query_one("#meta", Static).update(meta)
        lang = self.lang or pack.language
        if isinstance(q, CalculatedQuestion):
            example = self.show_calculated(q)
            self.query_one("#extra", Static).update(live_blocks(q))
            self.query_one(EvidencePanel).show(example.live if example else (), lang)  # args drawn
        else:
            shown = q.localized(self.lang) if self.lang else q
            self.show_ordinary(shown)
            self.query_one("#extra", Static).update(live_blocks(shown))
            self.query_one(EvidencePanel).show(shown.live, lang)

    def show_ordinary(self, q: Question) -> None:
        self.query_one("#prompt", MarkdownText).set_markdown(q.prompt)
        self.query_one("#choices", Static).update(choice_lines(q))
        self.query_one("#explanation", MarkdownText).set_markdown(explanation_markdown(q.explanation))

    def show_calculated(self, q: CalculatedQuestion) -> Question | None:
        """The recipe and one draw; returns the drawn question (None when none can be drawn)."""
        example = self.snapshot.examples.get(q.id) if self.snapshot else None
        prompt = q.prompt if self.lang is None or self.lang not in q.translations else q.translations[self.lang].prompt
        self.query_one("#prompt", MarkdownText).set_markdown(prompt)
        lines = [Text(_("Calculated: numbers drawn per attempt."), style="bold"),
                 Text(_("parameters: {params}").format(params="; ".join(
                     f"{name} ∈ {{{', '.join(map(str, values))}}}" for name, values in q.params.items()))),
                 Text(_("answer: {spec}").format(spec=spec_text(q.answer)), style="green"),
                 *(Text(_("distractor {number}: {spec}").format(number=i + 1, spec=spec_text(spec))
                        + ("\n   " + _("why: {why}").format(why=spec.why) if spec.why else ""))
                   for i, spec in enumerate(q.distractors))]
        if isinstance(example, Question):
            shown = example.localized(self.lang) if self.lang else example
            drawn = ", ".join(f"{k} = {v}" for k, v in example.drawn.items())
            lines += [Text("\n" + _("One draw ({values}):").format(values=drawn), style="bold"), Text(shown.prompt),
                      choice_lines(shown)]
            explanation = shown.explanation
        else:
            lines.append(Text("\n" + _("No example can be drawn: {reason}").format(reason=example), style="red"))
            explanation = q.explanation
        self.query_one("#choices", Static).update(Group(*lines))
        self.query_one("#explanation", MarkdownText).set_markdown(explanation_markdown(explanation))
        return example if isinstance(example, Question) else None


def explanation_markdown(explanation: str | None) -> str:
    if not explanation:
        return "*" + _("No explanation (a warning).") + "*"
    return "**" + _("Explanation.") + "** " + explanation


def choice_lines(q: Question) -> Table:
    """Every choice, the key marked, each with its why; long texts wrap under themselves, not under the letter."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for i, choice in enumerate(q.choices):
        text = Text(choice.text.strip(), style="bold green" if choice.correct else "")
        if choice.correct:
            text.append("  " + _("✓ key"), style="bold green")
        if choice.pin:
            text.append("  " + _("(pinned)"), style="dim")
        why = (Text(_("why: {why}").format(why=choice.why.strip()), style="italic") if choice.why
               else Text(_("(no why)"), style="dim"))
        gap = [Text("")] if i < len(q.choices) - 1 else []  # a grid's own padding collapses between rows
        grid.add_row(Text(LETTERS[i], style="bold"), Group(text, why, *gap))
    return grid


def shown_value(value: object) -> str:
    """A probe argument as the pack writes it: lists in brackets, texts quoted."""
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(shown_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {shown_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def spec_text(spec: ValueSpec) -> str:
    if spec.probe is not None:  # a text argument that names a parameter stands for its drawn value: unquoted
        args = ", ".join(f"{k}={v if isinstance(v, str) else shown_value(v)}" for k, v in spec.args.items())
        return f"probe {spec.probe}({args})" + (f" → {spec.field}" if spec.field else "")  # as written in the pack
    if spec.param is not None:
        return _("the parameter {name}").format(name=spec.param)
    return _("the value {value}").format(value=repr(spec.value))


def live_blocks(q: AnyQuestion) -> Text:
    """The evidence as the pack writes it: probe, arguments, caption and claims."""
    if not q.live:
        return Text(_("No live blocks."), style="dim")
    text = Text(_("Live blocks as written:"), style="bold")
    for block in q.live:
        args = ", ".join(f"{k}={shown_value(v)}" for k, v in block.args.items())
        text.append(f"\n  {block.probe}", style="cyan")
        text.append(f"({args})")
        if block.caption:
            text.append("\n    " + _("caption: {problem}").format(problem=block.caption), style="italic")
        for claim in block.expect:
            text.append("\n    " + _("expects {claim}").format(claim=describe_claim(claim)), style="green")
    return text


class PreviewApp(App[None]):
    TITLE = N_("quizapp preview")  # the command's name, the same in every language
    BINDINGS = [Binding("ctrl+q", "quit", N_("Quit"), priority=True, show=False)]

    def __init__(self, path: Path, interval: float | None = DEFAULT_INTERVAL, engine: bool = True) -> None:
        super().__init__()
        self.path = path
        self.interval = interval
        self.engine = engine

    def on_mount(self) -> None:
        self.push_screen(PreviewScreen(self.path, self.interval, self.engine))
