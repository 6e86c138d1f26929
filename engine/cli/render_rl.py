"""How `quizapp engine ppo-clip|gae|kl|ppo-step|compare-stages` print without --json (rich tables)."""
from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text


def _f(x, digits: int = 4) -> str:
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _visible(token: str) -> str:
    return {" ": "␣", "<eot>": "⏎eot"}.get(token, token)


def ppo_clip(r: dict) -> Group:
    lo, hi = r["clip_range"]
    t = Table(title=f"L^CLIP for r = {r['ratio']:g}, Â = {r['advantage']:g}, ε = {r['epsilon']:g}", show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_row("r·Â (unclipped)", _f(r["unclipped"]))
    t.add_row(f"clip(r, {lo:g}, {hi:g})·Â", _f(r["clipped"]))
    t.add_row("objective = min", Text(_f(r["objective"]), style="bold"))
    t.add_row("clip active (zero gradient)", str(r["clip_active"]))
    t.add_row("∂objective/∂r", _f(float(r["gradient_wrt_ratio"])))
    curve = Table(title="the curve over r (PPO paper, Figure 1)")
    curve.add_column("r", justify="right")
    curve.add_column("L^CLIP", justify="right")
    curve.add_column("")
    values = [p["objective"] for p in r["curve"]]
    lo_v, hi_v = min(values), max(values)
    span = (hi_v - lo_v) or 1.0
    for p in r["curve"][::2]:
        bar = "█" * int(1 + 30 * (p["objective"] - lo_v) / span)
        curve.add_row(f"{p['ratio']:.2f}", _f(p["objective"]), Text(bar, style="cyan"))
    return Group(t, curve)


def gae(r: dict) -> Table:
    t = Table(title=f"GAE(γ = {r['gamma']:g}, λ = {r['lam']:g})")
    for c in ("t", "r_t", "V(s_t)", "done", "δ_t", "Â_t", "return"):
        t.add_column(c, justify="right")
    for i, row in enumerate(zip(r["rewards"], r["values"], r["dones"], r["deltas"], r["advantages"], r["returns"])):
        rew, v, d, delta, adv, ret = row
        t.add_row(str(i), f"{rew:g}", f"{v:g}", str(d), _f(delta), Text(_f(adv), style="bold"), _f(ret))
    return t


def kl(r: dict) -> Group:
    a, b = r["checkpoint_a"], r["checkpoint_b"]
    head = Text.assemble((f"KL[{a} ‖ {b}] = ", "bold"), (f"{r['exact_kl']:.6f}", "bold cyan"),
                         f"   KL[{b} ‖ {a}] = {r['exact_kl_reverse']:.6f}   ({r['samples']} samples x ~ {a})")
    est = Table(title="estimators, ρ = π_b(x)/π_a(x)")
    for c in ("", "formula", "mean", "std. error", "E exactly", "bias"):
        est.add_column(c, justify="right")
    formulas = {"k1": "−log ρ", "k2": "½(log ρ)²", "k3": "(ρ−1) − log ρ"}
    for name, e in r["estimates"].items():
        est.add_row(name, formulas[name], _f(e["mean"], 6), _f(e["stderr"], 6), _f(e["expected"], 6),
                    _f(e["bias"], 6))
    tok = Table(title="most likely next tokens under a")
    for c in ("token", "π_a", "π_b", "log ρ", "π_a log(π_a/π_b)"):
        tok.add_column(c, justify="right")
    for t in r["top_tokens"]:
        tok.add_row(_visible(t["token"]), _f(t["p_a"]), _f(t["p_b"]), _f(t["log_rho"]), _f(t["kl_contribution"], 6))
    return Group(head, est, tok)


def ppo_step(r: dict) -> Group:
    s = r["stats"]
    head = Text(
        f"{r['prompt']}\none PPO update: {len(r['episodes'])} answers, {r['epochs']} epochs, "
        f"{r['gradient_steps']} gradient steps; ε {r['epsilon']:g}, β {r['beta']:g}, γ {r['gamma']:g}, λ {r['lam']:g}\n"
        f"mean reward-model score {s['reward_score']:+.3f} · KL to π_ref {s['kl_to_ref']:.3f} per answer · "
        f"clip fraction {s['clipfrac_outside']:.3f} (bound {s['clipfrac_bound']:.3f}) · approx KL (k3) "
        f"{s['approx_kl']:.5f} · ratio [{s['ratio_min']:.3f}, {s['ratio_mean']:.3f}, {s['ratio_max']:.3f}] · "
        f"Ê KL[π_θold ‖ π_θ] {s['kl_old_new_exact']:.5f} (≤ δ = {r['trust_region_delta']:g}: "
        f"{s['within_trust_region']}) · value loss {s['value_loss']:.4f} · entropy {s['entropy']:.3f}")
    ep = r["episodes"][0]
    t = Table(title=f"answer 1: {ep['answer']!r}  (score {ep['reward_score']:+.3f}, KL {ep['kl_to_ref']:.3f})",
              caption="Â: GAE advantage; Â′: normalised, what L^CLIP used; ✂: the clip bound (zero gradient)",
              box=box.SIMPLE_HEAD, padding=(0, 1))
    for c in ("t", "a_t", "π_θold", "π_θ", "r_t", "Â", "Â′", "reward", "−β·KL", "V(s_t)", "✂"):
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
        parts.append(Text(f"reference: {r['reference_answer']}", style="dim"))
    for stage in r["stages"]:
        t = Table(title=f"{stage['checkpoint']}: mean reward-model score {stage['mean_reward_score']:+.3f}, "
                        f"rater {stage['mean_rater_score']:.2f}")
        t.add_column("score", justify="right")
        t.add_column("rater", justify="right")
        t.add_column("answer")
        for a in stage["answers"]:
            t.add_row(f"{a['reward_score']:+.3f}", f"{a['rater_score']:.2f}",
                      repr(a["answer"]) + ("" if a["finished"] else " …(cut off)"))
        parts.append(t)
    parts.append(Text(r["note"], style="dim"))
    return Group(*parts)
