"""PPO lab: the clip calculator, GAE, KL estimators, one real PPO step, and the three training stages.

Probes: ppo_clip, gae, kl, ppo_step, compare_stages; one tab each. The cheap ones
recompute as the learner types; the PPO step and the stages (seconds of work)
run on Enter, and a tab's first computation starts when it is first shown.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, DataTable, Input, Label, Static, TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTab, ContentTabs
from textual.widgets._tabs import Underline

from quizapp import engine_process
from quizapp.labs.base import LabScreen, text_field, warm_models
from quizapp.labs.lazy_pane import LazyPane
from quizapp.i18n import N_, _, num
from quizapp.widgets.table_rows import set_rows
from quizapp.widgets.cycler import Cycler
from quizapp.widgets.heatmap import visible_token
from quizapp.widgets.number import NumberInput, numbers_text
from quizapp.widgets.plot import BraillePlot, PlotData

TAB_OF_PROBE = {"ppo_clip": "clip", "clip_branch": "clip", "ratio_from_logprobs": "clip", "gae": "gae", "kl": "kl",
                "ppo_step": "step", "compare_stages": "stages"}
TABS = ("clip", "gae", "kl", "step", "stages")
STAGE_NAMES = {"pretrain": N_("pretrained"), "sft": "SFT", "rlhf": "RLHF"}
KL_PAIRS = [("sft|rlhf", "sft ‖ rlhf"), ("rlhf|sft", "rlhf ‖ sft"), ("pretrain|sft", "pretrain ‖ sft"),
            ("sft|pretrain", "sft ‖ pretrain"), ("pretrain|rlhf", "pretrain ‖ rlhf"),
            ("rlhf|pretrain", "rlhf ‖ pretrain")]
ESTIMATORS = {"k1": "−log ρ", "k2": "½ (log ρ)²", "k3": "(ρ − 1) − log ρ"}
DEFAULTS: dict[str, dict[str, Any]] = {
    "clip": {"ratio": 1.5, "advantage": 1.0, "epsilon": 0.2},
    "gae": {"rewards": [0, 0, 1], "values": [0.4, 0.5, 0.7], "gamma": 0.99, "lam": 0.95},
    "kl": {"text": "the reward model scores the answer", "checkpoint_a": "sft", "checkpoint_b": "rlhf",
           "samples": 1000, "seed": 0},
    "step": {"prompt": "what does the critic do?", "seed": 0},
    "stages": {"prompt": "what is an agent?", "seed": 0},
}


def branch_text(result: dict) -> str:
    """What the branch the min picked means for the gradient."""
    a, eps = result["advantage"], result["epsilon"]
    if result["clip_active"]:
        return _("The objective is flat here: no gradient pushes r further out.")
    if result["outside_band"]:
        return _("r is outside the band on the side that lowers the objective: the min keeps r·Â, "
                 "so the gradient can undo the move.")
    return _("r is inside [{low}, {high}] (or Â = 0): the gradient with respect to r is Â = {a}.").format(
        low=num(1 - eps, "g"), high=num(1 + eps, "g"), a=num(a, "g"))


class PPOLab(LabScreen):
    CSS_PATH = ["base.tcss", "ppo.tcss"]
    WIDGET_CLASSES = LabScreen.WIDGET_CLASSES + (TabbedContent, ContentTabs, ContentSwitcher, Container, LazyPane,
                                               Underline, NumberInput, ContentTab, BraillePlot, DataTable, Cycler,
                                               VerticalScroll)
    LAB_TITLE = N_("PPO and RLHF")
    HINT = N_("ctrl+t: next tab · ↑/↓ in a number field changes it · Enter runs · ctrl+o: word/char model")
    MODEL_LAB = True
    EXPLORE_ACTIONS = frozenset({"next_step", "answer"})
    BINDINGS = [
        Binding("ctrl+t", "next_tab", N_("Next tab"), priority=True),
        Binding("n", "next_step", N_("Next step")),
        Binding("right_square_bracket", "answer(1)", N_("Answer"), key_display="[ ]"),
        Binding("left_square_bracket", "answer(-1)", N_("Answer"), show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started: set[str] = set()
        self.kl_seed: Any = 0
        self.ratio_known = False  # r was computed from log-probabilities already
        self.extra: dict[str, Any] = {}  # gae's last_value, from a question (no field for it)
        self.step_result: dict | None = None
        self.answer_index = 0
        self.prefills: dict[str, dict[str, Any]] = {}  # a question's arguments for a tab not built yet
        self.field_values: dict[str, str] = {}  # each field's text as last seen: a Changed without an edit is ignored

    # --- layout ---

    def compose_lab(self) -> ComposeResult:
        # Only the tab the lab opens on is built now; the others when first shown (LazyPane).
        first = TAB_OF_PROBE.get(self.probe or "", "clip")
        titles = {"clip": _("Clip"), "gae": "GAE", "kl": "KL", "step": _("PPO step"), "stages": _("Stages")}
        with TabbedContent(initial=first, id="tabs"):
            for tab in TABS:
                yield LazyPane(titles[tab], getattr(self, f"compose_{tab}"), id=tab, lazy=tab != first)

    def compose_clip(self) -> ComposeResult:
        d = DEFAULTS
        with Horizontal(classes="field-row"):
            yield Label("r", classes="field-label")
            yield NumberInput(d["clip"]["ratio"], step=0.05, lo=0, hi=10, id="ratio", classes="number")
            yield Label("Â", classes="field-label")
            yield NumberInput(d["clip"]["advantage"], step=0.25, id="advantage", classes="number")
            yield Label("ε", classes="field-label")
            yield NumberInput(d["clip"]["epsilon"], step=0.05, lo=0, hi=1, id="epsilon", classes="number")
        with Horizontal(classes="field-row"):
            yield Label(_("r from log π_θ"), classes="field-label")
            yield NumberInput("", step=0.1, hi=0, id="logp_new", classes="number")
            yield Label("log π_θold", classes="field-label")
            yield NumberInput("", step=0.1, hi=0, id="logp_old", classes="number")
            yield Static(id="logp-result", classes="field-label")
        with Horizontal(id="clip-body"):
            yield Static(id="clip-values")
            with Vertical(id="clip-plot-box"):
                yield Static(id="plot-title")
                yield BraillePlot(id="clip-plot")

    def compose_gae(self) -> ComposeResult:
        d = DEFAULTS
        with Horizontal(classes="field-row"):
            yield Label(_("rewards"), classes="field-label")
            yield text_field(numbers_text(d["gae"]["rewards"]), id="rewards", classes="list")
            yield Label(_("values"), classes="field-label")
            yield text_field(numbers_text(d["gae"]["values"]), id="values", classes="list")
        with Horizontal(classes="field-row"):
            yield Label("γ", classes="field-label")
            yield NumberInput(d["gae"]["gamma"], step=0.01, lo=0, hi=1, id="gamma", classes="number")
            yield Label("λ", classes="field-label")
            yield NumberInput(d["gae"]["lam"], step=0.05, lo=0, hi=1, id="lam", classes="number")
            yield Label(_("dones"), classes="field-label")
            yield text_field(placeholder=_("default: only the last step"), id="dones", classes="list")
        yield Static("δ_t = r_t + γ·V(s_t+1)·(1 − done_t) − V(s_t)\n"
                     "Â_t = δ_t + γλ·(1 − done_t)·Â_t+1        R_t = Â_t + V(s_t)",
                     id="gae-formula", classes="info")
        yield DataTable(id="gae-table", cursor_type="none", zebra_stripes=True)

    def compose_kl(self) -> ComposeResult:
        d = DEFAULTS
        with Horizontal(classes="field-row"):
            yield Label("s", classes="field-label")
            yield text_field(d["kl"]["text"], id="kl-text")
            yield Label("KL[", classes="field-label")
            yield Cycler(KL_PAIRS, "sft|rlhf", id="kl-pair")
            yield Label("] " + _("samples"), classes="field-label")
            yield NumberInput(d["kl"]["samples"], step=100, lo=1, hi=100000, integer=True, id="kl-samples",
                              classes="number")
        yield Static(id="kl-exact", classes="info")
        yield DataTable(id="kl-estimators", cursor_type="none")
        yield DataTable(id="kl-tokens", cursor_type="none", zebra_stripes=True)

    @staticmethod
    def prompt_row(tab: str) -> ComposeResult:
        """The prompt and seed fields of the PPO step and the stages tabs."""
        with Horizontal(classes="field-row"):
            yield Label(_("prompt"), classes="field-label")
            yield text_field(DEFAULTS[tab]["prompt"], id=f"{tab}-prompt")
            yield Label(_("seed"), classes="field-label")
            yield NumberInput(0, step=1, lo=0, hi=10 ** 9, integer=True, id=f"{tab}-seed", classes="number")

    def compose_step(self) -> ComposeResult:
        yield from self.prompt_row("step")
        yield Static(_("Enter runs one real PPO update of the bundled RLHF policy on 8 fresh answers to the "
                       "prompt (the weights on disk do not change); n runs it again with the next seed."),
                     id="step-stats", classes="info")
        yield Static(id="step-answer", classes="info")
        yield DataTable(id="step-table", cursor_type="row", zebra_stripes=True)

    def compose_stages(self) -> ComposeResult:
        yield from self.prompt_row("stages")
        with VerticalScroll(id="stages-box"):
            yield Static(id="stages-text")

    def on_mount(self) -> None:
        self.set_up_tables(TAB_OF_PROBE.get(self.probe or "", "clip"))
        super().on_mount()

    def set_up_tables(self, tab: str) -> None:
        """The columns of a tab's tables, once its widgets are built."""
        columns = {"gae-table": ("t", "r_t", "V(s_t)", "done", "δ_t", "Â_t", "R_t"),
                   "kl-estimators": ("", _("per sample"), _("mean"), _("± stderr"), "E[·]", _("bias")),
                   "kl-tokens": (_("token x"), "π_a(x)", "π_b(x)", "log ρ", "π_a·log(π_a/π_b)"),
                   "step-table": ("t", "tok", "π_θold", "π_θ", _("ratio"), "Â", _("reward"), "−β·KL")}
        for table in self.query_one(f"#{tab}", LazyPane).query(DataTable):
            table.add_columns(*columns[table.id or ""])
            table.can_focus = table.id == "step-table"

    def start(self) -> None:
        tab = TAB_OF_PROBE.get(self.probe or "", "clip")
        tabs = self.query_one("#tabs", TabbedContent)
        self.started.discard(tab)
        self.prefills[tab] = self.initial  # filled in once the tab's widgets are built
        if tabs.active == tab:
            self.prefill(tab, self.prefills.pop(tab))
            self.remember_fields(tab)
            self.activate(tab)
        else:
            self.set_focus(None)  # see LabScreen.action_next_tab
            tabs.active = tab  # TabActivated → built, filled in, activate(tab)

    def prefill(self, tab: str, args: dict) -> None:
        fields = {"clip": {"ratio": "#ratio", "advantage": "#advantage", "epsilon": "#epsilon",
                           "logp_new": "#logp_new", "logp_old": "#logp_old"},
                  "gae": {"rewards": "#rewards", "values": "#values", "gamma": "#gamma", "lam": "#lam",
                          "dones": "#dones"},
                  "kl": {"text": "#kl-text", "samples": "#kl-samples"},
                  "step": {"prompt": "#step-prompt", "seed": "#step-seed"},
                  "stages": {"prompt": "#stages-prompt", "seed": "#stages-seed"}}[tab]
        for name, selector in fields.items():
            if name in args:
                self.fill(selector, numbers_text(args[name]))
        if tab == "kl" and ("checkpoint_a" in args or "checkpoint_b" in args):
            pair = f"{args.get('checkpoint_a', 'sft')}|{args.get('checkpoint_b', 'rlhf')}"
            cycler = self.query_one("#kl-pair", Cycler)
            if pair not in [value for value, _ in cycler.options]:  # e.g. a model against itself
                cycler.options.append((pair, pair.replace("|", " ‖ ")))
            cycler.value = pair
        if tab == "kl":
            self.kl_seed = args.get("seed", 0)
        if tab == "gae":
            self.extra = {k: v for k, v in args.items() if k == "last_value"}
        if tab == "clip":
            self.ratio_known = False

    def model_changed(self) -> None:
        """The model tabs (KL, PPO step, stages) compute again: now, if shown, else when next shown."""
        self.started -= {"kl", "step", "stages"}
        active = self.query_one("#tabs", TabbedContent).active
        if active in ("kl", "step", "stages"):
            self.started.add(active)
            self.compute(active)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if isinstance(event.pane, LazyPane) and await event.pane.fill():
            self.set_up_tables(tab)
        if tab in self.prefills:
            self.prefill(tab, self.prefills.pop(tab))
        self.remember_fields(tab)
        self.activate(tab)
        self._show_status()

    def remember_fields(self, tab: str) -> None:
        """The tab's fields as built or filled in: the Changed each posts when mounted is not an edit, and
        would compute the tab a second time."""
        for field in self.query_one(f"#{tab}", LazyPane).query(Input):
            self.field_values[field.id or ""] = field.value

    def activate(self, tab: str) -> None:
        """A tab's first showing computes it; the focus goes to its first field."""
        if tab not in self.started:
            self.started.add(tab)
            self.compute(tab)
        self.set_timer(0.05, lambda: self.focus_pane(tab))
        self.refresh_bindings()

    # --- computing ---

    @staticmethod
    def tab_of(widget) -> str:
        return next((node.id or "" for node in widget.ancestors if isinstance(node, TabPane)), "")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.field_values.get(event.input.id or "") == event.value:
            return
        self.field_values[event.input.id or ""] = event.value
        if event.input.id in ("logp_new", "logp_old"):
            self.debounce("logp", self.compute_ratio, 0.12)
            return
        tab = self.tab_of(event.input)
        # Fields post Changed when they are mounted: a tab not shown yet computes when it is (activate),
        # not while the lab opens on another tab (the KL estimate would compete with a PPO step).
        if tab in ("clip", "gae", "kl") and tab in self.started:
            self.debounce(tab, lambda: self.compute(tab), 0.12)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("logp_new", "logp_old"):
            self.compute_ratio()
            return
        tab = self.tab_of(event.input)
        if tab:
            self.compute(tab)

    def on_cycler_changed(self, event: Cycler.Changed) -> None:
        self.compute("kl")

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def compute(self, tab: str) -> None:
        if tab == "clip":
            if self.value("#logp_new") and self.value("#logp_old") and not self.ratio_known:
                self.compute_ratio()  # r comes from the log-probabilities (a question gave those)
                return
            args = {"ratio": self.value("#ratio"), "advantage": self.value("#advantage"),
                    "epsilon": self.value("#epsilon")}
            self.run_probes([("ppo_clip", args), ("clip_branch", args)], self.show_clip, group="clip")
        elif tab == "gae":
            args = {"rewards": self.value("#rewards"), "values": self.value("#values"),
                    "gamma": self.value("#gamma"), "lam": self.value("#lam"), **self.extra}
            if self.value("#dones"):
                args["dones"] = self.value("#dones")
            self.run_probe("gae", args, self.show_gae, group="gae",
                           on_error=lambda _: self.query_one("#gae-table", DataTable).clear())
        elif tab == "kl":
            a, b = self.query_one("#kl-pair", Cycler).value.split("|")
            args = {"text": self.query_one("#kl-text", Input).value, "checkpoint_a": a, "checkpoint_b": b,
                    "samples": self.value("#kl-samples"), "seed": self.kl_seed, "model": self.model}
            self.run_probe("kl", args, self.show_kl, group="kl", on_error=lambda _: self.clear_kl())
        elif tab == "step":
            args = {"prompt": self.query_one("#step-prompt", Input).value, "seed": self.value("#step-seed"),
                    "model": self.model}
            self.query_one("#step-stats", Static).update(Text(
                _("running one PPO update: sampling answers, rewards, GAE, epochs of clipped updates…"),
                style="italic"))
            warm = engine_process.torch_key(self.model) in warm_models()
            busy = _("running one PPO update…") if warm else None  # None: "loading torch…"
            self.run_probe("ppo_step", args, self.show_step, group="step", on_error=lambda _: self.clear_step(),
                           busy=busy)
        elif tab == "stages":
            args = {"prompt": self.query_one("#stages-prompt", Input).value, "seed": self.value("#stages-seed"),
                    "model": self.model}
            self.query_one("#stages-text", Static).update(Text(
                _("sampling answers from the pretrained, SFT and RLHF models and scoring them…"), style="italic"))
            self.run_probe("compare_stages", args, self.show_stages, group="stages",
                           busy=_("sampling three models and scoring their answers…"),
                           on_error=lambda _: self.query_one("#stages-text", Static).update(""))

    # --- clip ---

    def compute_ratio(self) -> None:
        """r = exp(log π_θ − log π_θold) from the two log-probability fields, then the clip with that r."""
        args = {"logp_new": self.value("#logp_new"), "logp_old": self.value("#logp_old")}
        if not args["logp_new"] or not args["logp_old"]:
            self.query_one("#logp-result", Static).update("")
            return
        self.run_probe("ratio_from_logprobs", args, self.show_ratio, group="clip",
                       on_error=lambda _: self.query_one("#logp-result", Static).update(""))

    def show_ratio(self, result: dict) -> None:
        self.ratio_known = True
        self.query_one("#logp-result", Static).update(Text.assemble(
            ("→ r = ", "dim"), (num(result["ratio"], ".4f"), "bold"),
            (f"  k1 {num(result['k1'], '.4f')} k2 {num(result['k2'], '.4f')} k3 {num(result['k3'], '.4f')}", "dim")))
        field = self.query_one("#ratio", NumberInput)
        field.value = f"{result['ratio']:.6g}"  # Changed → the clip recomputes with this r

    def show_clip(self, outcomes: list) -> None:
        result, branch = outcomes[0].result, outcomes[1].result
        if result is None:
            return
        lo, hi = result["clip_range"]
        r, a = result["ratio"], result["advantage"]
        text = Text()
        rows = [("r·Â", result["unclipped"], not result["clip_active"]),
                (_("clip(r, {low}, {high})").format(low=num(lo, "g"), high=num(hi, "g")), result["clipped_ratio"],
                 False),
                ("clip(r, 1−ε, 1+ε)·Â", result["clipped"], result["clip_active"]),
                ("L^CLIP = min(…)", result["objective"], False)]
        for label, value, active in rows:
            text.append(f"{label:<20}", style="bold" if active else "")
            text.append(num(value, ">9.4f"), style="bold reverse" if active else "bold")
            text.append("  ◀ min" if active else "")
            text.append("\n")
        text.append("\n")
        if branch is not None:
            text.append(_("branch:") + " ", style="dim")
            text.append(_(branch["branch"]) + "\n", style="bold yellow" if result["clip_active"] else "bold green")
        text.append(branch_text(result))
        text.append(f"\n∂L/∂r = {num(result['gradient_wrt_ratio'], 'g')}", style="bold")
        text.append(" · " + (_("r outside [1−ε, 1+ε]: yes") if result["outside_band"] else _("r outside [1−ε, 1+ε]: no")))
        self.query_one("#clip-values", Static).update(text)
        self.query_one("#plot-title", Static).update(Text(
            _("L^CLIP(r) · Â = {a}, ε = {epsilon} · ● r = {r}  (PPO paper, Figure 1)").format(
                a=num(a, "g"), epsilon=num(result["epsilon"], "g"), r=num(r, "g")),
            style="bold", no_wrap=True, overflow="ellipsis"))
        curve = result["curve"]
        self.query_one("#clip-plot", BraillePlot).set_plot(PlotData(
            xs=[p["ratio"] for p in curve], ys=[p["objective"] for p in curve], point=(r, result["objective"]),
            band=(lo, hi), vlines=[1.0], x_label="r", y_label="L^CLIP"))

    # --- GAE ---

    def show_gae(self, result: dict) -> None:
        columns = zip(result["rewards"], result["values"], result["dones"], result["deltas"],
                      result["advantages"], result["returns"])
        set_rows(self.query_one("#gae-table", DataTable),
                 ([str(t), num(r, "g"), num(v, "g"), str(done), num(delta, ".4f"),
                   Text(num(adv, ".4f"), style="bold"), num(ret, ".4f")]
                  for t, (r, v, done, delta, adv, ret) in enumerate(columns)))

    # --- KL ---

    def clear_kl(self) -> None:
        self.query_one("#kl-exact", Static).update("")
        self.query_one("#kl-estimators", DataTable).clear()
        self.query_one("#kl-tokens", DataTable).clear()

    def show_kl(self, result: dict) -> None:
        a, b = result["checkpoint_a"], result["checkpoint_b"]
        text = Text()
        text.append(f"KL[{a} ‖ {b}] = Σ_x π_a log(π_a/π_b) = ")
        text.append(num(result["exact_kl"], ".5f"), style="bold")
        text.append(f"   KL[{b} ‖ {a}] = {num(result['exact_kl_reverse'], '.5f')}")
        text.append("\n" + _("{n} samples x ~ π_a, ρ = π_b(x)/π_a(x):").format(n=result["samples"]), style="dim")
        self.query_one("#kl-exact", Static).update(text)
        estimates = result["estimates"]
        set_rows(self.query_one("#kl-estimators", DataTable),
                 ([Text(name, style="bold"), formula, num(estimates[name]["mean"], ".5f"),
                   num(estimates[name]["stderr"], ".5f"), num(estimates[name]["expected"], ".5f"),
                   num(estimates[name]["bias"], "+.5f")] for name, formula in ESTIMATORS.items()))
        set_rows(self.query_one("#kl-tokens", DataTable),
                 ([visible_token(t["token"]), num(t["p_a"], ".4f"), num(t["p_b"], ".4f"), num(t["log_rho"], "+.4f"),
                   num(t["kl_contribution"], "+.5f")] for t in result["top_tokens"]))

    # --- PPO step ---

    def clear_step(self) -> None:
        self.step_result = None
        self.query_one("#step-stats", Static).update("")
        self.query_one("#step-answer", Static).update("")
        self.query_one("#step-table", DataTable).clear()

    def show_step(self, result: dict) -> None:
        self.step_result = result
        self.answer_index = min(self.answer_index, len(result["episodes"]) - 1)
        s = result["stats"]
        text = Text(no_wrap=False)
        text.append(_("seed {seed}:").format(seed=result["seed"]) + " ", style="bold")
        text.append(_("clip fraction {clipfrac} (bound {bound}) · approx KL {kl} · mean reward {reward} · "
                      "β {beta} · ε {epsilon} · {steps} gradient steps").format(
            clipfrac=num(s["clipfrac_outside"], ".3f"), bound=num(s["clipfrac_bound"], ".3f"),
            kl=num(s["approx_kl"], ".5f"), reward=num(s["reward_score"], ".3f"), beta=num(result["beta"], "g"),
            epsilon=num(result["epsilon"], "g"), steps=result["gradient_steps"]))
        self.query_one("#step-stats", Static).update(text)
        self.show_answer()
        table = self.query_one("#step-table", DataTable)
        on_step = self.query_one("#tabs", TabbedContent).active == "step"
        if on_step and (self.focused is None or self.typing):
            self.set_focus(table)  # so n and [ ] work at once (focusing a hidden tab's widget would switch tabs)

    def show_answer(self) -> None:
        result = self.step_result
        if result is None:
            return
        episode = result["episodes"][self.answer_index]
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(_("answer {n}/{total}").format(n=self.answer_index + 1, total=len(result["episodes"])),
                    style="bold")
        info.append(" · " + _("reward-model score {score} · KL to ref {kl}").format(
            score=num(episode["reward_score"], ".3f"), kl=num(episode["kl_to_ref"], ".3f")) + " · ")
        info.append(repr(episode["answer"]), style="italic")
        self.query_one("#step-answer", Static).update(info)
        rows = []
        for t, tok in enumerate(episode["tokens"]):
            style = "bold yellow" if tok["clipped"] else ""
            cells = [str(t), ("✂" if tok["clipped"] else " ") + visible_token(tok["token"]),
                     num(tok["pi_old"], ".4f"), num(tok["pi_new"], ".4f"), num(tok["ratio"], ".4f"),
                     num(tok["advantage_normalized"], "+.3f"), num(tok["reward"], "+.4f"), num(tok["kl_penalty"], "+.4f")]
            rows.append([Text(c, style=style, justify="right" if k > 1 else "left") for k, c in enumerate(cells)])
        set_rows(self.query_one("#step-table", DataTable), rows)

    def explore_keys(self) -> bool:
        return self.query_one("#tabs", TabbedContent).active == "step"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_step", "answer"):
            on_step = self.query_one("#tabs", TabbedContent).active == "step"
            if not on_step or self.typing:
                return False
            return True if action == "next_step" or self.step_result else None
        return super().check_action(action, parameters)

    def action_next_step(self) -> None:
        field = self.query_one("#step-seed", NumberInput)
        with field.prevent(Input.Changed):
            field.action_nudge(1)
        self.compute("step")

    def action_answer(self, step: int) -> None:
        if self.step_result:
            self.answer_index = (self.answer_index + step) % len(self.step_result["episodes"])
            self.show_answer()

    # --- stages ---

    def show_stages(self, result: dict) -> None:
        text = Text()
        text.append(result["prompt"], style="bold")
        if result.get("reference_answer"):
            text.append("\n" + _("reference:") + " ", style="dim")
            text.append(result["reference_answer"], style="italic dim")
        for stage in result["stages"]:
            name = _(STAGE_NAMES[stage["checkpoint"]]) if stage["checkpoint"] in STAGE_NAMES else stage["checkpoint"]
            text.append(f"\n\n{name}", style="bold underline")
            text.append("   " + _("mean reward-model score {score} · mean rater score {rater}").format(
                score=num(stage["mean_reward_score"], "+.3f"), rater=num(stage["mean_rater_score"], ".2f")))
            for i, answer in enumerate(stage["answers"]):
                text.append(f"\n {i + 1}. ")
                text.append(f"r = {num(answer['reward_score'], '+.3f')}", style="bold")
                text.append("  " + _("rater {score}").format(score=num(answer["rater_score"], ".1f")) + "  ")
                text.append(repr(answer["answer"]) + ("" if answer["finished"] else " " + _("…(cut)")))
        text.append("\n\n" + _(result["note"]), style="dim")
        self.query_one("#stages-text", Static).update(text)
