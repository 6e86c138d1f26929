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
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TabPane

from quizapp.labs.base import LabScreen, text_field, warm_models
from quizapp.widgets.cycler import Cycler
from quizapp.widgets.heatmap import visible_token
from quizapp.widgets.number import NumberInput
from quizapp.widgets.plot import BraillePlot, PlotData

TAB_OF_PROBE = {"ppo_clip": "clip", "clip_branch": "clip", "ratio_from_logprobs": "clip", "gae": "gae", "kl": "kl",
                "ppo_step": "step", "compare_stages": "stages"}
TABS = ("clip", "gae", "kl", "step", "stages")
STAGE_NAMES = {"pretrain": "pretrained", "sft": "SFT", "rlhf": "RLHF"}
KL_PAIRS = [("sft|rlhf", "sft ‖ rlhf"), ("rlhf|sft", "rlhf ‖ sft"), ("pretrain|sft", "pretrain ‖ sft"),
            ("sft|pretrain", "sft ‖ pretrain"), ("pretrain|rlhf", "pretrain ‖ rlhf"),
            ("rlhf|pretrain", "rlhf ‖ pretrain")]
ESTIMATORS = {"k1": "−log ρ", "k2": "½ (log ρ)²", "k3": "(ρ − 1) − log ρ"}
DEFAULTS: dict[str, dict[str, Any]] = {
    "clip": {"ratio": 1.5, "advantage": 1.0, "epsilon": 0.2},
    "gae": {"rewards": "0, 0, 1", "values": "0.4, 0.5, 0.7", "gamma": 0.99, "lam": 0.95},
    "kl": {"text": "the reward model scores the answer", "checkpoint_a": "sft", "checkpoint_b": "rlhf",
           "samples": 1000, "seed": 0},
    "step": {"prompt": "what does the critic do?", "seed": 0},
    "stages": {"prompt": "what is an agent?", "seed": 0},
}


def numbers_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(f"{v:g}" for v in value)
    return str(value)


def branch_text(result: dict) -> str:
    """What the branch the min picked means for the gradient."""
    a, eps = result["advantage"], result["epsilon"]
    if result["clip_active"]:
        return "The objective is flat here: no gradient pushes r further out."
    if result["outside_band"]:
        return ("r is outside the band on the side that lowers the objective: the min keeps r·Â, "
                "so the gradient can undo the move.")
    return f"r is inside [{1 - eps:g}, {1 + eps:g}] (or Â = 0): the gradient with respect to r is Â = {a:g}."


class PPOLab(LabScreen):
    CSS_PATH = ["base.tcss", "ppo.tcss"]
    LAB_TITLE = "PPO and RLHF"
    HINT = "ctrl+t: next tab · ↑/↓ in a number field changes it · Enter runs"
    EXPLORE_ACTIONS = frozenset({"next_step", "answer"})
    BINDINGS = [
        Binding("ctrl+t", "next_tab", "Next tab", priority=True),
        Binding("n", "next_step", "Next step"),
        Binding("right_square_bracket", "answer(1)", "Answer", key_display="[ ]"),
        Binding("left_square_bracket", "answer(-1)", "Answer", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started: set[str] = set()
        self.kl_seed: Any = 0
        self.ratio_known = False  # r was computed from log-probabilities already
        self.extra: dict[str, Any] = {}  # gae's last_value, from a question (no field for it)
        self.step_result: dict | None = None
        self.answer_index = 0

    # --- layout ---

    def compose_lab(self) -> ComposeResult:
        d = DEFAULTS
        with TabbedContent(initial="clip", id="tabs"):
            with TabPane("Clip", id="clip"):
                with Horizontal(classes="field-row"):
                    yield Label("r", classes="field-label")
                    yield NumberInput(d["clip"]["ratio"], step=0.05, lo=0, hi=10, id="ratio", classes="number")
                    yield Label("Â", classes="field-label")
                    yield NumberInput(d["clip"]["advantage"], step=0.25, id="advantage", classes="number")
                    yield Label("ε", classes="field-label")
                    yield NumberInput(d["clip"]["epsilon"], step=0.05, lo=0, hi=1, id="epsilon", classes="number")
                with Horizontal(classes="field-row"):
                    yield Label("r from log π_θ", classes="field-label")
                    yield NumberInput("", step=0.1, hi=0, id="logp_new", classes="number")
                    yield Label("log π_θold", classes="field-label")
                    yield NumberInput("", step=0.1, hi=0, id="logp_old", classes="number")
                    yield Static(id="logp-result", classes="field-label")
                with Horizontal(id="clip-body"):
                    yield Static(id="clip-values")
                    with Vertical(id="clip-plot-box"):
                        yield Static(id="plot-title")
                        yield BraillePlot(id="clip-plot")
            with TabPane("GAE", id="gae"):
                with Horizontal(classes="field-row"):
                    yield Label("rewards", classes="field-label")
                    yield text_field(d["gae"]["rewards"], id="rewards", classes="list")
                    yield Label("values", classes="field-label")
                    yield text_field(d["gae"]["values"], id="values", classes="list")
                with Horizontal(classes="field-row"):
                    yield Label("γ", classes="field-label")
                    yield NumberInput(d["gae"]["gamma"], step=0.01, lo=0, hi=1, id="gamma", classes="number")
                    yield Label("λ", classes="field-label")
                    yield NumberInput(d["gae"]["lam"], step=0.05, lo=0, hi=1, id="lam", classes="number")
                    yield Label("dones", classes="field-label")
                    yield text_field(placeholder="default: only the last step", id="dones", classes="list")
                yield Static("δ_t = r_t + γ·V(s_t+1)·(1 − done_t) − V(s_t)\n"
                             "Â_t = δ_t + γλ·(1 − done_t)·Â_t+1        R_t = Â_t + V(s_t)",
                             id="gae-formula", classes="info")
                yield DataTable(id="gae-table", cursor_type="none", zebra_stripes=True)
            with TabPane("KL", id="kl"):
                with Horizontal(classes="field-row"):
                    yield Label("s", classes="field-label")
                    yield text_field(d["kl"]["text"], id="kl-text")
                    yield Label("KL[", classes="field-label")
                    yield Cycler(KL_PAIRS, "sft|rlhf", id="kl-pair")
                    yield Label("] samples", classes="field-label")
                    yield NumberInput(d["kl"]["samples"], step=100, lo=1, hi=100000, integer=True, id="kl-samples",
                                      classes="number")
                yield Static(id="kl-exact", classes="info")
                yield DataTable(id="kl-estimators", cursor_type="none")
                yield DataTable(id="kl-tokens", cursor_type="none", zebra_stripes=True)
            with TabPane("PPO step", id="step"):
                with Horizontal(classes="field-row"):
                    yield Label("prompt", classes="field-label")
                    yield text_field(d["step"]["prompt"], id="step-prompt")
                    yield Label("seed", classes="field-label")
                    yield NumberInput(0, step=1, lo=0, hi=10 ** 9, integer=True, id="step-seed", classes="number")
                yield Static("Enter runs one real PPO update of the bundled RLHF policy on 8 fresh answers to the "
                             "prompt (the weights on disk do not change); n runs it again with the next seed.",
                             id="step-stats", classes="info")
                yield Static(id="step-answer", classes="info")
                yield DataTable(id="step-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Stages", id="stages"):
                with Horizontal(classes="field-row"):
                    yield Label("prompt", classes="field-label")
                    yield text_field(d["stages"]["prompt"], id="stages-prompt")
                    yield Label("seed", classes="field-label")
                    yield NumberInput(0, step=1, lo=0, hi=10 ** 9, integer=True, id="stages-seed",
                                      classes="number")
                with VerticalScroll(id="stages-box"):
                    yield Static(id="stages-text")

    def on_mount(self) -> None:
        self.query_one("#gae-table", DataTable).add_columns("t", "r_t", "V(s_t)", "done", "δ_t", "Â_t", "R_t")
        self.query_one("#kl-estimators", DataTable).add_columns("", "per sample", "mean", "± stderr",
                                                                 "E[·]", "bias")
        self.query_one("#kl-tokens", DataTable).add_columns("token x", "π_a(x)", "π_b(x)", "log ρ",
                                                            "π_a·log(π_a/π_b)")
        self.query_one("#step-table", DataTable).add_columns("t", "tok", "π_θold", "π_θ", "ratio", "Â",
                                                             "reward", "−β·KL")
        for table in ("#gae-table", "#kl-estimators", "#kl-tokens"):
            self.query_one(table, DataTable).can_focus = False
        super().on_mount()

    def start(self) -> None:
        tab = TAB_OF_PROBE.get(self.probe or "", "clip")
        self.prefill(tab, self.initial)
        tabs = self.query_one("#tabs", TabbedContent)
        self.started.discard(tab)
        if tabs.active == tab:
            self.activate(tab)
        else:
            self.set_focus(None)  # see LabScreen.action_next_tab
            tabs.active = tab  # TabActivated → activate(tab)

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

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.activate(event.pane.id or "")
        self._show_status()

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
        if event.input.id in ("logp_new", "logp_old"):
            self.debounce("logp", self.compute_ratio, 0.12)
            return
        tab = self.tab_of(event.input)
        if tab in ("clip", "gae", "kl"):
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
                    "samples": self.value("#kl-samples"), "seed": self.kl_seed}
            self.run_probe("kl", args, self.show_kl, group="kl", on_error=lambda _: self.clear_kl())
        elif tab == "step":
            args = {"prompt": self.query_one("#step-prompt", Input).value, "seed": self.value("#step-seed")}
            self.query_one("#step-stats", Static).update(Text(
                "running one PPO update: sampling answers, rewards, GAE, epochs of clipped updates…",
                style="italic"))
            busy = "running one PPO update…" if "torch" in warm_models() else None  # None: "loading torch…"
            self.run_probe("ppo_step", args, self.show_step, group="step", on_error=lambda _: self.clear_step(),
                           busy=busy)
        elif tab == "stages":
            args = {"prompt": self.query_one("#stages-prompt", Input).value, "seed": self.value("#stages-seed")}
            self.query_one("#stages-text", Static).update(Text(
                "sampling answers from the pretrained, SFT and RLHF models and scoring them…", style="italic"))
            self.run_probe("compare_stages", args, self.show_stages, group="stages",
                           busy="sampling three models and scoring their answers…",
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
            ("→ r = ", "dim"), (f"{result['ratio']:.4f}", "bold"),
            (f"  k1 {result['k1']:.4f} k2 {result['k2']:.4f} k3 {result['k3']:.4f}", "dim")))
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
                (f"clip(r, {lo:g}, {hi:g})", result["clipped_ratio"], False),
                ("clip(r, 1−ε, 1+ε)·Â", result["clipped"], result["clip_active"]),
                ("L^CLIP = min(…)", result["objective"], False)]
        for label, value, active in rows:
            text.append(f"{label:<20}", style="bold" if active else "")
            text.append(f"{value:>9.4f}", style="bold reverse" if active else "bold")
            text.append("  ◀ min" if active else "")
            text.append("\n")
        text.append("\n")
        if branch is not None:
            text.append("branch: ", style="dim")
            text.append(branch["branch"] + "\n", style="bold yellow" if result["clip_active"] else "bold green")
        text.append(branch_text(result))
        text.append(f"\n∂L/∂r = {result['gradient_wrt_ratio']:g}", style="bold")
        text.append(f" · r outside [1−ε, 1+ε]: {'yes' if result['outside_band'] else 'no'}")
        self.query_one("#clip-values", Static).update(text)
        self.query_one("#plot-title", Static).update(Text(
            f"L^CLIP(r) · Â = {a:g}, ε = {result['epsilon']:g} · ● r = {r:g}  (PPO paper, Figure 1)",
            style="bold", no_wrap=True, overflow="ellipsis"))
        curve = result["curve"]
        self.query_one("#clip-plot", BraillePlot).set_plot(PlotData(
            xs=[p["ratio"] for p in curve], ys=[p["objective"] for p in curve], point=(r, result["objective"]),
            band=(lo, hi), vlines=[1.0], x_label="r", y_label="L^CLIP"))

    # --- GAE ---

    def show_gae(self, result: dict) -> None:
        table = self.query_one("#gae-table", DataTable)
        table.clear()
        columns = zip(result["rewards"], result["values"], result["dones"], result["deltas"],
                      result["advantages"], result["returns"])
        for t, (r, v, done, delta, adv, ret) in enumerate(columns):
            table.add_row(str(t), f"{r:g}", f"{v:g}", str(done), f"{delta:.4f}",
                          Text(f"{adv:.4f}", style="bold"), f"{ret:.4f}")

    # --- KL ---

    def clear_kl(self) -> None:
        self.query_one("#kl-exact", Static).update("")
        self.query_one("#kl-estimators", DataTable).clear()
        self.query_one("#kl-tokens", DataTable).clear()

    def show_kl(self, result: dict) -> None:
        a, b = result["checkpoint_a"], result["checkpoint_b"]
        text = Text()
        text.append(f"KL[{a} ‖ {b}] = Σ_x π_a log(π_a/π_b) = ")
        text.append(f"{result['exact_kl']:.5f}", style="bold")
        text.append(f"   KL[{b} ‖ {a}] = {result['exact_kl_reverse']:.5f}")
        text.append(f"\n{result['samples']} samples x ~ π_a, ρ = π_b(x)/π_a(x):", style="dim")
        self.query_one("#kl-exact", Static).update(text)
        est = self.query_one("#kl-estimators", DataTable)
        est.clear()
        for name, formula in ESTIMATORS.items():
            e = result["estimates"][name]
            est.add_row(Text(name, style="bold"), formula, f"{e['mean']:.5f}", f"{e['stderr']:.5f}",
                        f"{e['expected']:.5f}", f"{e['bias']:+.5f}")
        tokens = self.query_one("#kl-tokens", DataTable)
        tokens.clear()
        for t in result["top_tokens"]:
            tokens.add_row(visible_token(t["token"]), f"{t['p_a']:.4f}", f"{t['p_b']:.4f}", f"{t['log_rho']:+.4f}",
                           f"{t['kl_contribution']:+.5f}")

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
        text.append(f"seed {result['seed']}: ", style="bold")
        text.append(f"clip fraction {s['clipfrac_outside']:.3f} (bound {s['clipfrac_bound']:.3f}) · "
                    f"approx KL {s['approx_kl']:.5f} · mean reward {s['reward_score']:.3f} · "
                    f"β {result['beta']:g} · ε {result['epsilon']:g} · {result['gradient_steps']} gradient steps")
        self.query_one("#step-stats", Static).update(text)
        self.show_answer()
        table = self.query_one("#step-table", DataTable)
        on_step = self.query_one("#tabs", TabbedContent).active == "step"
        if on_step and (self.focused is None or self.typing):
            table.focus()  # so n and [ ] work at once (focusing a hidden tab's widget would switch tabs)

    def show_answer(self) -> None:
        result = self.step_result
        if result is None:
            return
        episode = result["episodes"][self.answer_index]
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(f"answer {self.answer_index + 1}/{len(result['episodes'])}", style="bold")
        info.append(f" · reward-model score {episode['reward_score']:.3f} · KL to ref {episode['kl_to_ref']:.3f} · ")
        info.append(repr(episode["answer"]), style="italic")
        self.query_one("#step-answer", Static).update(info)
        table = self.query_one("#step-table", DataTable)
        table.clear()
        for t, tok in enumerate(episode["tokens"]):
            style = "bold yellow" if tok["clipped"] else ""
            cells = [str(t), ("✂" if tok["clipped"] else " ") + visible_token(tok["token"]),
                     f"{tok['pi_old']:.4f}", f"{tok['pi_new']:.4f}", f"{tok['ratio']:.4f}",
                     f"{tok['advantage_normalized']:+.3f}", f"{tok['reward']:+.4f}", f"{tok['kl_penalty']:+.4f}"]
            table.add_row(*(Text(c, style=style, justify="right" if k > 1 else "left") for k, c in enumerate(cells)))

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
            text.append("\nreference: ", style="dim")
            text.append(result["reference_answer"], style="italic dim")
        for stage in result["stages"]:
            name = STAGE_NAMES.get(stage["checkpoint"], stage["checkpoint"])
            text.append(f"\n\n{name}", style="bold underline")
            text.append(f"   mean reward-model score {stage['mean_reward_score']:+.3f} · "
                        f"mean rater score {stage['mean_rater_score']:.2f}")
            for i, answer in enumerate(stage["answers"]):
                text.append(f"\n {i + 1}. ")
                text.append(f"r = {answer['reward_score']:+.3f}", style="bold")
                text.append(f"  rater {answer['rater_score']:.1f}  ")
                text.append(repr(answer["answer"]) + ("" if answer["finished"] else " …(cut)"))
        text.append(f"\n\n{result['note']}", style="dim")
        self.query_one("#stages-text", Static).update(text)
