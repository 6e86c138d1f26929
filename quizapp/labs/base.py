"""What every lab shares: probes run in thread workers, a status line, Escape back, the question's examples.

A lab asks for numbers with `run_probes([(name, args), ...], on_done)`. The
calls run one after the other in a thread worker (`quizapp.engine_process.run_probe`:
engine.probes.run_probe in that thread, or, for the probes that need torch, in
the engine process while the worker waits). The outcomes come back to the UI thread as a message; a result is
dropped when a newer request of the same group was made meanwhile, so the
screen only ever shows the answer to the latest question the learner asked.
Errors never escape: a ProbeError carries a sentence for the learner, any
other exception becomes one line, both shown in the status line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static, TabbedContent

from engine import probes
from question_bank.models import LiveLink
from quizapp import engine_process
from quizapp.i18n import N_, _
from quizapp.screens.translated import TranslatedBindings
from quizapp.widgets.footer import KeyFooter

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
MODEL_NAMES = {"word": N_("word model: sub-word tokens"), "char": N_("character model: one token per character")}
# Probes whose "note" is about the learner's input (a text cut to the model's context): the status line
# shows it. Other probes' notes explain their numbers and are shown by their lab.
INPUT_NOTES = frozenset({"embedding", "attention", "next_token"})

# Models already loaded in this process (the engine caches them): the first probe that needs
# one says "loading the model…" instead of "computing…".
_warm: set[str] = set()


@dataclass(frozen=True)
class Outcome:
    """One probe call's result (plain JSON data) or the one-line reason it has none."""

    probe: str
    args: Mapping[str, Any]
    result: dict[str, Any] | None = None
    error: str | None = None


Call = tuple[str, Mapping[str, Any]]


def models_needed(probe: str, args: Mapping[str, Any]) -> set[str]:
    """The checkpoints (and torch) a probe call loads, to tell a first, slow call from the others."""
    model = str(args.get("model", "char"))
    if model not in probes.MODELS:
        return set()
    if probe in ("tokenize", "embedding"):
        stages = {"pretrain"}
    elif probe in ("attention", "next_token"):
        stages = {str(args.get("checkpoint", "pretrain"))}
    elif probe == "kl":
        stages = {str(args.get("checkpoint_a", "sft")), str(args.get("checkpoint_b", "rlhf"))}
    elif probe == "compare_stages":
        stages = {"pretrain", "sft", "rlhf", "reward"}
    elif probe in engine_process.TORCH_PROBES:
        return {engine_process.torch_key(model)}
    else:
        return set()
    return {probes.checkpoint_name(model, stage) for stage in stages}


def warm_models() -> frozenset[str]:
    """The checkpoints (and "torch") that probes have loaded so far: torch's in the engine process while
    one computes the torch probes (a restarted one has loaded nothing yet)."""
    if engine_process.in_process():
        return frozenset(_warm)
    return frozenset(name for name in _warm if not name.startswith("torch")) | engine_process.torch_loaded()


def mark_warm() -> None:
    """What engine.probes.warm_up loads (torch and every stage of both models) is loaded already:
    the first probe that needs it says "computing…", not "loading…" (quizapp.warm calls this)."""
    stages = ("pretrain", "sft", "rlhf", "reward")
    _warm.update(map(engine_process.torch_key, probes.MODELS))
    _warm.update(probes.checkpoint_name(model, stage) for model in probes.MODELS for stage in stages)


def run_calls(calls: Sequence[Call], cancelled: Callable[[], bool] = lambda: False) -> list[Outcome]:
    """Run probe calls in order (in the worker thread); stop early once the request is stale."""
    outcomes = []
    for name, args in calls:
        if cancelled():
            break
        try:
            outcomes.append(Outcome(name, args, result=engine_process.run_probe(name, args)))
        except probes.ProbeError as exc:
            outcomes.append(Outcome(name, args, error=engine_process.one_line(str(exc))))
        except Exception as exc:  # a bug or an environment problem
            outcomes.append(Outcome(name, args, error=engine_process.failure_line(name, exc)))
    return outcomes


class LabScreen(TranslatedBindings, Screen[None]):
    """Base of every lab screen: compose_lab() for the body, start() to compute the first view."""

    CSS_PATH: ClassVar = "base.tcss"
    # The widgets a lab shows (each lab adds its own), whose default styles the app reads ahead with the
    # labs' style files (QuizApp.read_styles_ahead): a lab then opens without parsing styles.
    WIDGET_CLASSES: ClassVar[tuple] = (Static, Horizontal, KeyFooter, Label, Input, Vertical)
    AUTO_FOCUS = ""  # each lab puts the focus where its learner starts (start())
    LAB_TITLE: ClassVar[str] = N_("Lab")
    HINT: ClassVar[str] = ""  # shown in the status line when nothing else is
    # Actions bound to single letters: active (and shown) only when no text field has the focus.
    EXPLORE_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    # Labs that show a trained model: ctrl+o switches between the word and the character model.
    MODEL_LAB: ClassVar[bool] = False

    BINDINGS = [
        Binding("escape", "back", N_("Back"), priority=True),
        Binding("ctrl+n", "next_example", N_("Next example"), priority=True),
        Binding("ctrl+o", "switch_model", N_("Word/char"), priority=True),
        # Tab leaves a text field for the letter keys (shown only when the lab has some), or moves on.
        Binding("tab", "explore", N_("Explore")),
        Binding("tab", "next_field", N_("Next field"), show=False),
        Binding("slash", "edit", N_("Edit")),
    ]

    class ProbesDone(Message):
        """Outcomes of one request, delivered on the UI thread."""

        def __init__(self, group: str, request: int, outcomes: list[Outcome],
                     on_done: Callable[[list[Outcome]], None], on_error: Callable[[str], None] | None,
                     warm: set[str]) -> None:
            super().__init__()
            self.group = group
            self.request = request
            self.outcomes = outcomes
            self.on_done = on_done
            self.on_error = on_error
            self.warm = warm

    def __init__(self, probe: str | None = None, args: Mapping[str, Any] | None = None,
                 links: Sequence[LiveLink] = (), index: int = 0) -> None:
        super().__init__()
        self.probe = probe
        self.initial: dict[str, Any] = dict(args or {})
        self.links = tuple(links)
        self.link_index = index
        self._requests: dict[str, int] = {}
        self._busy: dict[str, str] = {}
        self._messages: dict[str, tuple[str, str]] = {}  # group → (kind, text), latest last
        self._debounces: dict[str, Timer] = {}
        self._spin = 0
        self._spinner: Timer | None = None
        self.model = self.initial_model()

    # --- layout ---

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="lab-title")
        yield from self.compose_lab()
        yield Static(id="lab-status")
        yield KeyFooter()

    def compose_lab(self) -> ComposeResult:
        yield from ()

    def initial_model(self) -> str:
        """A question's example keeps the model its pack names (char when it names none, as the probes do);
        a lab opened on its own starts with the word model."""
        model = self.initial.get("model")
        if model in probes.MODELS:
            return str(model)
        return "char" if self.probe is not None else "word"

    def _title_text(self) -> Text:
        text = Text(f" {_(self.LAB_TITLE)}", style="bold", no_wrap=True, overflow="ellipsis")
        if self.MODEL_LAB:
            text.append("  ·  ", style="not bold")
            text.append(f" {_(MODEL_NAMES[self.model])} ", style="bold reverse")
        if len(self.links) > 1:
            link = self.links[self.link_index]
            text.append("   " + _("example {n}/{total} from the question:").format(n=self.link_index + 1, total=len(self.links))
                        + " ", style="not bold")
            text.append(describe_link(link), style="italic not bold")
            text.append("  " + _("(ctrl+n: next)"), style="dim not bold")
        elif self.links:
            text.append("   " + _("with the question's example"), style="dim not bold")
        return text

    def on_mount(self) -> None:
        self.start()
        self._show_status()

    def on_unmount(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()

    def start(self) -> None:
        """Fill the inputs from self.initial and run the first computation."""

    def fill(self, selector: str, value: object) -> Input:
        """Set a field as if typed, without firing Input.Changed (no recomputation per field)."""
        field = self.query_one(selector, Input)
        text = str(value)
        with field.prevent(Input.Changed):
            field.value = text
            field.cursor_position = len(text)
        return field

    # --- keys ---

    @property
    def typing(self) -> bool:
        return isinstance(self.focused, Input)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_example":
            return len(self.links) > 1
        if action == "switch_model":
            return self.MODEL_LAB
        if action == "explore":
            return self.explore_keys() and self.typing
        if action == "next_field":
            return not (self.explore_keys() and self.typing)
        if action == "edit":
            return not self.typing
        if action in self.EXPLORE_ACTIONS and self.typing:
            return False
        return True

    def explore_keys(self) -> bool:
        """Does the lab (in its current state) have letter keys for when no field has the focus?"""
        return bool(self.EXPLORE_ACTIONS)

    def action_next_tab(self) -> None:
        """Labs with a TabbedContent: show the next tab and put the focus in its first field."""
        from textual.widgets import TabPane

        tabs = self.query(TabbedContent).first()
        panes = [pane.id for pane in tabs.query(TabPane)]
        if not panes:
            return
        pane = panes[(panes.index(tabs.active) + 1) % len(panes)] if tabs.active in panes else panes[0]
        # Leave the old pane's field first: Textual would hand the focus to a sibling in the hidden pane,
        # and a focused widget in a pane makes TabbedContent switch back to it.
        self.set_focus(None)
        tabs.active = pane
        # Once the switch has settled (the tabs take the focus from a field that was hidden), go to the
        # new pane's first field.
        self.set_timer(0.05, lambda: self.focus_pane(pane))

    def focus_pane(self, pane: str) -> None:
        """Focus the first field of a tab, unless the learner has moved to another tab meanwhile."""
        tabs = self.query(TabbedContent).first()
        target = tabs.get_pane(pane) if tabs.active == pane else None
        if target is not None and not (self.focused and target in self.focused.ancestors):
            self.focus_first_field(target)

    def focus_first_field(self, within=None) -> None:
        fields = (within or self).query(Input)
        field = next((w for w in self.focus_chain if w in fields), None)
        if field is not None:
            self.set_focus(field)  # at once: a result that arrives meanwhile may move the focus on (ppo)
        self._show_status()

    def action_explore(self) -> None:
        self.focus_next()

    def action_next_field(self) -> None:
        self.focus_next()

    def action_edit(self) -> None:
        self.focus_first_field()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        for timer in self._debounces.values():
            timer.stop()
        self.workers.cancel_node(self)
        self.dismiss()

    def action_switch_model(self) -> None:
        """Word ↔ character model: the title names the new one and the lab recomputes what it shows."""
        self.model = "char" if self.model == "word" else "word"
        self.query_one("#lab-title", Static).update(self._title_text())
        self.model_changed()

    def model_changed(self) -> None:
        """Recompute after the model switched (model labs override this)."""

    def action_next_example(self) -> None:
        if len(self.links) < 2:
            return
        from quizapp.labs import lab_for_probe, open_lab_for

        index = (self.link_index + 1) % len(self.links)
        link = self.links[index]
        if lab_for_probe(link.probe)[0] is type(self):
            self.link_index = index
            self.probe, self.initial = link.probe, dict(link.args)
            self.model = self.initial_model()
            self.query_one("#lab-title", Static).update(self._title_text())
            self.start()
        else:
            self.app.switch_screen(open_lab_for(self.links, index))

    # --- computing ---

    def debounce(self, key: str, callback: Callable[[], None], delay: float = 0.15) -> None:
        """Call back after `delay` seconds without another debounce of the same key (typing)."""
        timer = self._debounces.pop(key, None)
        if timer is not None:
            timer.stop()

        def fire() -> None:
            self._debounces.pop(key, None)
            callback()

        self._debounces[key] = self.set_timer(delay, fire)

    @property
    def idle(self) -> bool:
        """Nothing typed is waiting to be computed and no answer is outstanding (tests wait for this)."""
        return not self._debounces and not self._busy

    def run_probes(self, calls: Sequence[Call], on_done: Callable[[list[Outcome]], None], *, group: str = "main",
                   on_error: Callable[[str], None] | None = None, busy: str | None = None) -> int:
        """Run the calls in a thread worker; on_done(outcomes) on the UI thread if still the latest request.

        If every call failed, the first error goes to the status line and on_error(message) is
        called instead of on_done. Returns the request number.
        """
        request = self._requests.get(group, 0) + 1
        self._requests[group] = request
        calls = [(name, dict(args)) for name, args in calls]
        needed = set().union(*(models_needed(n, a) for n, a in calls)) if calls else set()
        cold = needed - warm_models()
        if busy is None:
            if any(name.startswith("torch") for name in cold):
                busy = _("loading torch and the RLHF models (first time only)…")
            elif cold:
                busy = _("loading the model ({names})…").format(names=", ".join(sorted(cold)))
            else:
                busy = _("computing…")
        self._busy[group] = busy
        self._show_status()

        def work() -> None:
            outcomes = run_calls(calls, cancelled=lambda: self._requests.get(group) != request)
            try:
                self.post_message(self.ProbesDone(group, request, outcomes, on_done, on_error, needed))
            except Exception:  # the screen or the app has closed meanwhile: nobody to tell
                pass

        self.run_worker(work, name=calls[0][0] if calls else "probe", group=f"lab-{group}",
                        exclusive=True, thread=True, exit_on_error=False)
        return request

    def run_probe(self, name: str, args: Mapping[str, Any], on_result: Callable[[dict], None], *,
                  group: str = "main", on_error: Callable[[str], None] | None = None,
                  busy: str | None = None) -> int:
        """One probe call; on_result(result) with the plain result dict."""
        return self.run_probes([(name, args)], lambda outcomes: on_result(outcomes[0].result), group=group,
                               on_error=on_error, busy=busy)

    def is_latest(self, group: str, request: int) -> bool:
        return self._requests.get(group) == request

    def on_lab_screen_probes_done(self, message: ProbesDone) -> None:
        message.stop()
        if not self.is_latest(message.group, message.request):
            return  # a newer request of this group is on its way
        self._busy.pop(message.group, None)
        outcomes = message.outcomes
        if outcomes and all(o.error for o in outcomes):
            self.set_message(message.group, "error", outcomes[0].error or "")
            if message.on_error:
                message.on_error(outcomes[0].error or "")
        else:
            _warm.update(message.warm)
            self._messages.pop(message.group, None)
            errors = [o.error for o in outcomes if o.error]
            notes = [o.result["note"] for o in outcomes
                     if o.probe in INPUT_NOTES and o.result and isinstance(o.result.get("note"), str)]
            if errors:
                self.set_message(message.group, "error", errors[0])
            elif notes:
                self.set_message(message.group, "note", notes[0])
            message.on_done(outcomes)
        self._show_status()

    # --- status line ---

    def set_message(self, group: str, kind: str, text: str | None) -> None:
        """Show an 'error', 'note' or 'info' line for a group (None clears it)."""
        self._messages.pop(group, None)
        if text:
            self._messages[group] = (kind, text)
        self._show_status()

    def status_group(self) -> str | None:
        """The group whose messages the status line shows: the active tab's, or any (None)."""
        tabs = self.query(TabbedContent)
        return tabs.first().active or None if tabs else None

    def _shown_message(self) -> tuple[str, str] | None:
        group = self.status_group()
        if group is None:
            return next(reversed(self._messages.values()), None)
        return self._messages.get(group)

    def on_tabbed_content_tab_activated(self) -> None:
        self._show_status()

    def _tick(self) -> None:
        self._spin += 1
        # Only the spinner's character changes: no layout of the screen, ten times a second, while a probe
        # (which needs the same interpreter lock) computes.
        self._show_status(layout=False)

    def _show_status(self, layout: bool = True) -> None:
        try:
            status = self.query_one("#lab-status", Static)
        except Exception:  # not composed yet, or being removed
            return
        if self._busy and self._spinner is None:
            self._spinner = self.set_interval(0.1, self._tick)
        elif not self._busy and self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
        text = Text(no_wrap=True, overflow="ellipsis")
        if self._busy:
            text.append(f" {SPINNER[self._spin % len(SPINNER)]} {next(reversed(self._busy.values()))}",
                        style="bold")
            status.set_classes("-busy")
        elif self._shown_message() is not None:
            kind, message = self._shown_message()
            text.append(" ✗ " if kind == "error" else " ⓘ ", style="bold")
            text.append(message)
            status.set_classes(f"-{kind}")
        else:
            text.append(f" {_(self.HINT) if self.HINT else ''}")
            status.set_classes("")
        status.update(text, layout=layout)
        status.tooltip = text.plain.strip() or None


def text_field(value: str = "", **kwargs: Any) -> Input:
    """A one-line text field that keeps its text on focus (the cursor goes to the end, nothing selected)."""
    return Input(value, select_on_focus=False, **kwargs)


def describe_link(link: LiveLink) -> str:
    """`probe(arg=value, …)` in one short line."""
    parts = []
    for key, value in link.args.items():
        shown = repr(value) if isinstance(value, str) else str(value)
        parts.append(f"{key}={shown if len(shown) <= 24 else shown[:23] + '…'}")
    return f"{link.probe}({', '.join(parts)})"
