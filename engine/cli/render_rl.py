"""How `quizapp engine ppo-clip|gae|kl|ppo-step|compare-stages` print without --json (rich tables)."""
from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from engine.texts import _, num


def _f(x, digits: int = 4) -> str:
    return num(x, f".{digits}f") if isinstance(x, float) else str(x)


def _g(x) -> str:
    return num(x, "g")


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _visible(token: str) -> str:
    return {" ": "␣", "<eot>": "⏎eot"}.get(token, token)


def ppo_clip(r: dict) -> Group:
    lo, hi = r["clip_range"]
    t = Table(title=_("L^CLIP for r = {ratio}, Â = {advantage}, ε = {epsilon}").format(
        ratio=_g(r["ratio"]), advantage=_g(r["advantage"]), epsilon=_g(r["epsilon"])), show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_row(_("r·Â (unclipped)"), _f(r["unclipped"]))
    t.add_row(_("clip(r, {low}, {high})·Â").format(low=_g(lo), high=_g(hi)), _f(r["clipped"]))
    t.add_row(_("objective = min"), Text(_f(r["objective"]), style="bold"))
    t.add_row(_("clip active (zero gradient)"), yes_no(r["clip_active"]))
    t.add_row(_("∂objective/∂r"), _f(float(r["gradient_wrt_ratio"])))
    curve = Table(title=_("the curve over r (PPO paper, Figure 1)"))
    curve.add_column("r", justify="right")
    curve.add_column("L^CLIP", justify="right")
    curve.add_column("")
    values = [p["objective"] for p in r["curve"]]
    lo_v, hi_v = min(values), max(values)
    span = (hi_v - lo_v) or 1.0
    for p in r["curve"][::2]:
        bar = "█" * int(1 + 30 * (p["objective"] - lo_v) / span)
        curve.add_row(num(p["ratio"], ".2f"), _f(p["objective"]), Text(bar, style="cyan"))
    return Group(t, curve)


def gae(r: dict) -> Table:
    t = Table(title=_("GAE(γ = {gamma}, λ = {lam})").format(gamma=_g(r["gamma"]), lam=_g(r["lam"])))
    for c in ("t", "r_t", "V(s_t)", "done", "δ_t", "Â_t", _("return")):
        t.add_column(c, justify="right")
    for i, row in enumerate(zip(r["rewards"], r["values"], r["dones"], r["deltas"], r["advantages"], r["returns"])):
        rew, v, d, delta, adv, ret = row
        t.add_row(str(i), _g(rew), _g(v), str(d), _f(delta), Text(_f(adv), style="bold"), _f(ret))
    return t


def kl(r: dict) -> Group:
    a, b = r["checkpoint_a"], r["checkpoint_b"]
    head = Text.assemble((f"KL[{a} ‖ {b}] = ", "bold"), (num(r["exact_kl"], ".6f"), "bold cyan"),
                         f"   KL[{b} ‖ {a}] = {num(r['exact_kl_reverse'], '.6f')}   ",
                         _("({n} samples x ~ {a})").format(n=r["samples"], a=a))
    est = Table(title=_("estimators, ρ = π_b(x)/π_a(x)"))
    for c in ("", _("formula"), _("mean"), _("std. error"), _("E exactly"), _("bias")):
        est.add_column(c, justify="right")
    formulas = {"k1": "−log ρ", "k2": "½(log ρ)²", "k3": "(ρ−1) − log ρ"}
    for name, e in r["estimates"].items():
        est.add_row(name, formulas[name], _f(e["mean"], 6), _f(e["stderr"], 6), _f(e["expected"], 6),
                    _f(e["bias"], 6))
    tok = Table(title=_("most likely next tokens under a"))
    for c in (_("token"), "π_a", "π_b", "log ρ", "π_a log(π_a/π_b)"):
        tok.add_column(c, justify="right")
    for t in r["top_tokens"]:
        tok.add_row(_visible(t["token"]), _f(t["p_a"]), _f(t["p_b"]), _f(t["log_rho"]), _f(t["kl_contribution"], 6))
    return Group(head, est, tok)


def ppo_step(r: dict) -> Group:
    s = r["stats"]
    summary = _(
        "one PPO update: {answers} answers, {epochs} epochs, {steps} gradient steps; ε {epsilon}, β {beta}, γ {gamma}, "
        "λ {lam}\nmean reward-model score {score} · KL to π_ref {kl} per answer · clip fraction {clipfrac} "
        "(bound {bound}) · approx KL (k3) {approx_kl} · ratio [{ratio_min}, {ratio_mean}, {ratio_max}] · "
        "Ê KL[π_θold ‖ π_θ] {kl_old_new} (≤ δ = {delta}: {within}) · value loss {value_loss} · entropy {entropy}"
    ).format(answers=len(r["episodes"]), epochs=r["epochs"], steps=r["gradient_steps"], epsilon=_g(r["epsilon"]),
             beta=_g(r["beta"]), gamma=_g(r["gamma"]), lam=_g(r["lam"]), score=num(s["reward_score"], "+.3f"),
             kl=num(s["kl_to_ref"], ".3f"), clipfrac=num(s["clipfrac_outside"], ".3f"),
             bound=num(s["clipfrac_bound"], ".3f"), approx_kl=num(s["approx_kl"], ".5f"),
             ratio_min=num(s["ratio_min"], ".3f"), ratio_mean=num(s["ratio_mean"], ".3f"),
             ratio_max=num(s["ratio_max"], ".3f"), kl_old_new=num(s["kl_old_new_exact"], ".5f"),
             delta=_g(r["trust_region_delta"]), within=yes_no(s["within_trust_region"]),
             value_loss=num(s["value_loss"], ".4f"), entropy=num(s["entropy"], ".3f"))
    head = Text(f"{r['prompt']}\n{summary}")
    ep = r["episodes"][0]
    t = Table(title=_("answer 1: {answer!r}  (score {score}, KL {kl})").format(
                  answer=ep["answer"], score=num(ep["reward_score"], "+.3f"), kl=num(ep["kl_to_ref"], ".3f")),
              caption=_("Â: GAE advantage; Â′: normalised, what L^CLIP used; ✂: the clip bound (zero gradient)"),
              box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1))  # one space each side of the separator: fits 80 columns
    for c in ("t", "a_t", "π_θold", "π_θ", "r_t", "Â", "Â′", _("reward"), "−β·KL", "V(s_t)", "✂"):
        t.add_column(c, justify="right", no_wrap=True)
    for i, tok in enumerate(ep["tokens"]):
        style = "bold yellow" if tok["clipped"] else ""
        t.add_row(str(i), _visible(tok["token"]), _f(tok["pi_old"], 3), _f(tok["pi_new"], 3), _f(tok["ratio"], 3),
                  _f(tok["advantage"], 2), _f(tok["advantage_normalized"], 2), _f(tok["reward"], 3),
                  _f(tok["kl_penalty"], 3), _f(tok["value"], 2), "✂" if tok["clipped"] else "", style=style)
    return Group(head, t)


def compare_stages(r: dict) -> Group:
    parts = [Text(r["prompt"], style="bold")]
    if r.get("reference_answer"):
        parts.append(Text(_("reference: {answer}").format(answer=r["reference_answer"]), style="dim"))
    for stage in r["stages"]:
        t = Table(title=_("{checkpoint}: mean reward-model score {score}, rater {rater}").format(
            checkpoint=stage["checkpoint"], score=num(stage["mean_reward_score"], "+.3f"),
            rater=num(stage["mean_rater_score"], ".2f")))
        t.add_column(_("score"), justify="right")
        t.add_column(_("rater"), justify="right")
        t.add_column(_("answer"))
        for a in stage["answers"]:
            answer = repr(a["answer"]) if a["finished"] else _("{answer} …(cut off)").format(answer=repr(a["answer"]))
            t.add_row(num(a["reward_score"], "+.3f"), num(a["rater_score"], ".2f"), answer)
        parts.append(t)
    parts.append(Text(_(r["note"]), style="dim"))
    return Group(*parts)
