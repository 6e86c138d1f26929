"""Policy lab: π_θ(·|s) of the pretrained, SFT and RLHF models side by side, and a softmax calculator.

Probes: next_token (once per checkpoint) and softmax.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Input, Label, Static, TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTab, ContentTabs
from textual.widgets._tabs import Underline

from quizapp.labs.base import LabScreen, Outcome, text_field
from quizapp.i18n import N_, _, ngettext, num
from quizapp.widgets.table_rows import set_rows
from quizapp.widgets.bars import BarRow, Bars, bar
from quizapp.widgets.heatmap import visible_token
from quizapp.widgets.number import NumberInput, numbers_text

CHECKPOINTS = ("pretrain", "sft", "rlhf")
STAGE_NAMES = {"pretrain": N_("pretrained"), "sft": "SFT", "rlhf": "RLHF"}
DEFAULT_TEXT = "the policy picks the next"  # no trailing space: a BPE model would read it as its own token
DEFAULT_SCORES = [2.0, 1.0, 0.5, -1.0]
CONTEXT_SHOWN = 32  # characters of the context named above the three columns
SOFTMAX_FIELDS = ("scores", "sm-temperature", "sm-dk", "sm-power")


class PolicyLab(LabScreen):
    CSS_PATH = ["base.tcss", "policy.tcss"]
    WIDGET_CLASSES = LabScreen.WIDGET_CLASSES + (TabbedContent, ContentTabs, ContentSwitcher, Container, TabPane,
                                               DataTable, Underline, NumberInput, ContentTab, VerticalScroll, Bars)
    LAB_TITLE = N_("Policy π_θ(·|s)")
    HINT = N_("Type a context; ↑/↓ in T or top-k changes it; Tab moves between fields; ctrl+o: word/char model.")
    MODEL_LAB = True
    BINDINGS = [Binding("ctrl+t", "next_tab", N_("Next tab"), priority=True)]

    def compose_lab(self) -> ComposeResult:
        with TabbedContent(initial="next", id="tabs"):
            with TabPane(_("Next token π_θ(·|s)"), id="next"):
                with Horizontal(classes="field-row"):
                    yield Label("s", classes="field-label")
                    yield text_field(placeholder=_("the context s"), id="text")
                    yield Label("T", classes="field-label")
                    yield NumberInput(1.0, step=0.1, lo=0.1, hi=10, digits=2, id="temperature", classes="number",
                                      tooltip=_("temperature: the logits are divided by T before the softmax"))
                    yield Label("top-k", classes="field-label")
                    yield NumberInput(10, step=1, lo=1, hi=200, integer=True, id="top_k", classes="number")
                yield Static(id="context-info", classes="info")
                with Horizontal(id="columns"):
                    for name in CHECKPOINTS:
                        with Vertical(classes="policy-col"):
                            yield Static(_(STAGE_NAMES[name]), id=f"head-{name}", classes="section-title")
                            yield Static(id=f"info-{name}", classes="col-info")
                            with VerticalScroll(classes="bars-box"):
                                yield Bars(id=f"bars-{name}")
            with TabPane(_("Softmax"), id="softmax"):
                with Horizontal(classes="field-row"):
                    yield Label(_("scores"), classes="field-label")
                    yield text_field(numbers_text(DEFAULT_SCORES), placeholder=_("numbers, comma-separated"), id="scores")
                    yield Label("T", classes="field-label")
                    yield NumberInput(1.0, step=0.1, lo=0.1, hi=10, digits=2, id="sm-temperature", classes="number")
                with Horizontal(classes="field-row"):
                    yield Label(_("or as attention scales q·k: d_k"), classes="field-label")
                    yield NumberInput("", step=1, lo=1, id="sm-dk", classes="number",
                                      tooltip=_("fill in to divide by d_k^power instead of T"))
                    yield Label(_("power"), classes="field-label")
                    yield NumberInput(0.5, step=0.5, lo=0, hi=2, id="sm-power", classes="number")
                yield Static(id="sm-formula", classes="info")
                yield DataTable(id="sm-table", cursor_type="none", zebra_stripes=True)

    def start(self) -> None:
        args = self.initial
        tab = "softmax" if self.probe in ("softmax", "scaled_softmax") else "next"
        self.query_one("#tabs", TabbedContent).active = tab
        if self.probe in ("softmax", "scaled_softmax"):
            self.fill("#scores", numbers_text(args.get("scores", DEFAULT_SCORES)))
            self.fill("#sm-temperature", numbers_text(args.get("temperature", 1.0)))
            self.fill("#sm-dk", str(args.get("d_k", "")))
            self.fill("#sm-power", numbers_text(args.get("power", 0.5)))
        else:
            self.fill("#text", str(args.get("text", DEFAULT_TEXT)))
            for name in ("temperature", "top_k"):
                if name in args:
                    self.fill(f"#{name}", numbers_text(args[name]))
        self.query_one("#scores" if tab == "softmax" else "#text", Input).focus()
        self.compute_next()
        self.compute_softmax()

    def model_changed(self) -> None:
        self.compute_next()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in SOFTMAX_FIELDS:
            self.debounce("softmax", self.compute_softmax)
        else:
            self.debounce("next", self.compute_next)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in SOFTMAX_FIELDS:
            self.compute_softmax()
        else:
            self.compute_next()

    # --- π_θ(·|s) ---

    def compute_next(self) -> None:
        text = self.query_one("#text", Input).value
        temperature = self.query_one("#temperature", Input).value.strip()
        top_k = self.query_one("#top_k", Input).value.strip()
        calls = [("next_token", {"text": text, "temperature": temperature, "top_k": top_k, "checkpoint": name,
                                 "model": self.model})
                 for name in CHECKPOINTS]
        self.run_probes(calls, self.show_next, group="next", on_error=lambda _: self.clear_next())

    def clear_next(self) -> None:
        self.query_one("#context-info", Static).update("")
        for name in CHECKPOINTS:
            self.query_one(f"#info-{name}", Static).update("")
            self.query_one(f"#bars-{name}", Bars).set_rows([])

    def show_next(self, outcomes: list[Outcome]) -> None:
        first = next(o.result for o in outcomes if o.result)
        context = "".join(first["context"])
        info = Text(no_wrap=True, overflow="ellipsis")
        n = len(first["context"])
        info.append(ngettext("{n} token:", "{n} tokens:", n).format(n=n) + " ")
        # the end of the context is what the next token follows: a long one loses its beginning
        info.append(repr(context if len(context) <= CONTEXT_SHOWN else "…" + context[1 - CONTEXT_SHOWN:]), style="bold")
        info.append(f"  ·  T = {num(first['temperature'], 'g')}  ·  "
                    + _("{n} most likely next tokens").format(n=len(first["top"])))
        self.query_one("#context-info", Static).update(info)
        # One scale for the three columns, so equal bars mean equal probabilities.
        top_p = max(o.result["top"][0]["probability"] for o in outcomes if o.result and o.result["top"]) or 1.0
        for outcome in outcomes:
            name = outcome.args["checkpoint"]
            col_info = self.query_one(f"#info-{name}", Static)
            bars = self.query_one(f"#bars-{name}", Bars)
            result = outcome.result
            if result is None:
                col_info.update(Text(outcome.error or "", style="red"))
                bars.set_rows([])
                continue
            col_info.update(_("H = {entropy} nats · mass {mass}").format(entropy=num(result["entropy"], ".3f"),
                                                                         mass=num(result["top_mass"], ".3f")))
            bars.set_rows([BarRow(visible_token(t["token"]), t["probability"], num(t["probability"], ".3f"), i == 0)
                           for i, t in enumerate(result["top"])], scale_max=top_p)

    # --- softmax ---

    def compute_softmax(self) -> None:
        """softmax(s/T), or softmax(s/d_k^power) when d_k is filled in (the attention scaling)."""
        scores = self.query_one("#scores", Input).value
        d_k = self.query_one("#sm-dk", Input).value.strip()
        if d_k:
            name, args = "scaled_softmax", {"scores": scores, "d_k": d_k,
                                            "power": self.query_one("#sm-power", Input).value.strip()}
        else:
            name, args = "softmax", {"scores": scores,
                                     "temperature": self.query_one("#sm-temperature", Input).value.strip()}
        self.run_probe(name, args, self.show_softmax, group="softmax",
                       on_error=lambda _: self.query_one("#sm-table", DataTable).clear())

    def show_softmax(self, result: dict) -> None:
        scaled_by_dk = "d_k" in result
        if scaled_by_dk:
            divisor = f"d_k^{num(result['power'], 'g')} = {num(result['divisor'], '.4g')}"
            formula = _("p_i = exp(s_i/c) / Σ_j exp(s_j/c) with c = {divisor}: the scaling of attention.").format(
                divisor=divisor)
        else:
            formula = _("p_i = exp(s_i/T) / Σ_j exp(s_j/T) with T = {t}: lower T sharpens, higher T flattens.").format(
                t=num(result["temperature"], "g"))
        self.query_one("#sm-formula", Static).update(formula)
        table = self.query_one("#sm-table", DataTable)
        table.clear(columns=True)
        table.add_columns("i", "s_i", "s_i/c" if scaled_by_dk else "s_i/T", "p_i", "")
        best = max(range(len(result["probabilities"])), key=lambda i: result["probabilities"][i])
        rows = []
        for i, (s, z, p) in enumerate(zip(result["scores"], result["scaled"], result["probabilities"])):
            style = "bold" if i == best else ""
            rows.append([Text(str(i), style=style), Text(num(s, ".3f"), style=style, justify="right"),
                         Text(num(z, ".3f"), style=style, justify="right"),
                         Text(num(p, ".3f"), style=style, justify="right"),
                         Text(bar(p, 24), style="green" if i == best else "")])
        set_rows(table, rows)
