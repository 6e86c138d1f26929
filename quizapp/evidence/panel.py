"""The Evidence section under an explanation: every live block of the question, computed now.

Probes run in one thread worker, block after block; each result is drawn as
soon as it arrives, with the block's caption filled in. A newer question (or
language) drops the results still on their way for the old one.
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
from quizapp.evidence.cache import SESSION, ProbeCache
from quizapp.evidence.draw import draw
from quizapp.evidence.slow import SLOW_PROBES
from quizapp.i18n import N_, _

def _run(probe: str, args: dict) -> dict:
    return probes.run_probe(probe, args)


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

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Evidence, computed by the bundled engine just now"), "bold"), classes="evidence--title")

    def show(self, links: Sequence[LiveLink], lang: str | None = None) -> None:
        """Compute and draw the blocks of one question (nothing when it has none)."""
        self.request += 1
        self.links, self.lang = tuple(links), lang
        self.query(".evidence--block").remove()
        self.display = bool(self.links)
        if not self.links:
            return
        request = self.request
        self.mount_all(Static(Text(_(SLOW_PROBES.get(link.probe, N_("computing…"))), "dim italic"), id=f"evidence-{request}-{i}",
                              classes="evidence--block") for i, link in enumerate(self.links))
        self.run_worker(lambda: self._compute(request), thread=True, exclusive=True, group="evidence")

    def clear(self) -> None:
        self.show(())

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
        link = self.links[index]
        block = self.query_one(f"#evidence-{request}-{index}", Static)
        if isinstance(outcome, str):
            block.update(Text(_("{probe}: could not be computed: {reason}").format(probe=link.probe, reason=outcome),
                              "red"))
            return
        body = Text()
        if link.caption:
            try:
                body.append(render_caption(link.caption, outcome, self.lang) + "\n", "italic")
            except EvidenceError as exc:
                body.append(_("(caption: {problem})").format(problem=exc) + "\n", "dim")
        body.append_text(draw(link.probe, outcome, self.lang))
        block.update(body)
