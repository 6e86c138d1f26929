"""The Evidence section under an explanation: every live block of the question, computed now.

Probes run in one thread worker, block after block; each result is drawn as
soon as it arrives, with the block's caption filled in. A newer question (or
language) drops the results still on their way for the old one.

A question screen starts that worker when the question is shown
(`compute_ahead`), so that the answer (and the lab opened from it) finds the
numbers done or on their way; nothing is drawn until `show`.
"""
from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from engine import probes
from question_bank.evidence import EvidenceError, render_caption
from question_bank.models import LiveLink
from quizapp import engine_process
from quizapp.evidence.cache import SESSION, ProbeCache
from quizapp.evidence.draw import draw
from quizapp.evidence.slow import SLOW_PROBES
from quizapp.i18n import N_, _

def _run(probe: str, args: dict) -> dict:
    return engine_process.run_probe(probe, args)


class EvidencePanel(Vertical):
    DEFAULT_CSS = """
    EvidencePanel {
        height: auto;
        border-top: solid $primary;
        padding: 0;
    }
    EvidencePanel > .evidence--title {
        text-style: bold;
    }
    EvidencePanel > .evidence--block {
        margin: 0 0 1 0;
    }
    """

    def __init__(self, cache: ProbeCache = SESSION, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cache = cache
        self.links: tuple[LiveLink, ...] = ()
        self.lang: str | None = None
        self.request = 0  # results of an older request are dropped
        self.shown = False  # the blocks are drawn (after the answer), not only computed ahead
        self.outcomes: dict[int, dict | str] = {}  # the request's results so far, by block
        self.running = 0  # the request whose worker has started

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Evidence, computed by the bundled engine just now"), "bold"), classes="evidence--title")

    def show(self, links: Sequence[LiveLink], lang: str | None = None) -> None:
        """Compute and draw the blocks of one question (nothing when it has none). Blocks computed ahead
        are drawn from their results, or as they arrive: the same request, not a second computation."""
        links = tuple(links)
        if self.shown or not links or not same_calls(links, self.links):
            self._start(links)
        self.links, self.lang, self.shown = links, lang, True
        self._begin(self.request)
        self.display = bool(self.links)
        self.mount_all(Static(self._block_text(i), id=f"evidence-{self.request}-{i}", classes="evidence--block")
                       for i in range(len(self.links)))

    def compute_ahead(self, links: Sequence[LiveLink]) -> None:
        """Start computing an unanswered question's blocks once the screen is painted; nothing is shown.
        The same calls already under way (a language switch) go on."""
        links = tuple(links)
        if links and not self.shown and same_calls(links, self.links):
            self.links = links
            return
        self._start(links)
        if links:
            request = self.request
            self.call_after_refresh(lambda: self._begin(request))

    def clear(self) -> None:
        self._start(())

    def _start(self, links: tuple[LiveLink, ...]) -> None:
        """A new request: the old one's results are dropped, the blocks removed and the panel hidden."""
        self.request += 1
        self.links, self.shown, self.outcomes = links, False, {}
        self.query(".evidence--block").remove()
        self.display = False

    def _begin(self, request: int) -> None:
        if request != self.request or self.running == request or not self.links:
            return
        self.running = request
        self.run_worker(lambda: self._compute(request), thread=True, exclusive=True, group="evidence")

    def _compute(self, request: int) -> None:
        for index, link in enumerate(self.links):
            if request != self.request:
                return
            try:
                outcome: dict | str = self.cache.run(link.probe, link.args, _run)
            except probes.ProbeError as exc:
                outcome = str(exc)
            self.app.call_from_thread(self._fill, request, index, outcome)

    def _fill(self, request: int, index: int, outcome: dict | str) -> None:
        if request != self.request or index >= len(self.links):
            return
        self.outcomes[index] = outcome
        if self.shown:
            self.query_one(f"#evidence-{request}-{index}", Static).update(self._block_text(index))

    def _block_text(self, index: int) -> Text:
        link = self.links[index]
        outcome = self.outcomes.get(index)
        if outcome is None:
            return Text(_(SLOW_PROBES.get(link.probe, N_("computing…"))), "dim italic")
        if isinstance(outcome, str):
            return Text(_("{probe}: could not be computed: {reason}").format(probe=link.probe, reason=outcome), "red")
        body = Text()
        if link.caption:
            try:
                body.append(render_caption(link.caption, outcome, self.lang) + "\n", "italic")
            except EvidenceError as exc:
                body.append(_("(caption: {problem})").format(problem=exc) + "\n", "dim")
        body.append_text(draw(link.probe, outcome, self.lang))
        return body


def same_calls(a: Sequence[LiveLink], b: Sequence[LiveLink]) -> bool:
    """The same probes with the same arguments (a translation changes only the captions)."""
    return [(link.probe, link.args) for link in a] == [(link.probe, link.args) for link in b]
