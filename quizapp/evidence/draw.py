"""A probe result drawn in a few lines, to sit under an explanation (the labs draw the full picture).

One function per probe kind, each taking the probe's JSON result and returning
rich Text no wider than about 70 cells, so it fits an 80-column terminal.
Probes without a drawing of their own show their scalar fields.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from rich.text import Text

from quizapp.widgets.bars import bar
from question_bank.numbers import localize_number
from quizapp.i18n import N_, _

BAR = 22  # cells of a bar
LABEL = 12  # cells of a label before its bar


def visible(token: str) -> str:
    """A token as a learner can read it: spaces and line breaks made visible."""
    return token.replace(" ", "␣").replace("\n", "⏎") or "∅"


def num(x: Any, digits: int = 3, lang: str | None = None) -> str:
    """`digits` decimals for floats, in the style of `lang` (0,87 in German)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    return localize_number(f"{x:.{digits}f}" if isinstance(x, float) else str(x), lang)


def bar_rows(rows: Sequence[tuple[str, float, str]], top: float | None = None, highlight: int | None = None) -> Text:
    """`label ████▍ text` per row, bars relative to the largest value (or `top`)."""
    top = top or max((v for _, v, _ in rows), default=1.0) or 1.0
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, (label, value, shown) in enumerate(rows):
        if i:
            out.append("\n")
        out.append(label[:LABEL].rjust(LABEL), "bold")
        out.append(" ")
        out.append(bar(value / top, BAR), "bold green" if i == highlight else "cyan")
        out.append(f" {shown}")
    return out


def draw_softmax(r: dict, lang: str | None) -> Text:
    rows = [(_("score {score}").format(score=num(s, 2, lang)), p, num(p, 3, lang)) for s, p in zip(r["scores"], r["probabilities"])]
    return bar_rows(rows, top=1.0, highlight=r.get("argmax"))


def draw_scaled_softmax(r: dict, lang: str | None) -> Text:
    rows = [(f"{num(s, 2, lang)}→{num(t, 2, lang)}", p, num(p, 3, lang))
            for s, t, p in zip(r["scores"], r["scaled"], r["probabilities"])]
    out = Text(_("scores ÷ {divisor} (d_k^{power}), then softmax").format(
        divisor=num(r["divisor"], 3, lang), power=num(r["power"], 2, lang)) + "\n", "dim")
    return out + bar_rows(rows, top=1.0)


def draw_tokenize(r: dict, lang: str | None) -> Text:
    out = Text(_("{tokenizer} tokenizer: {chars} characters → {tokens} tokens").format(
        tokenizer=r["tokenizer"], chars=r["n_characters"], tokens=r["n_tokens"]) + "\n", "dim")
    shown = r["tokens"][:24]
    for token, token_id in zip(shown, r["ids"]):
        out.append(f"[{visible(token)}]", "bold")
        out.append(f"{token_id} ", "dim")
    if len(r["tokens"]) > len(shown):
        out.append(_("… {n} more").format(n=len(r["tokens"]) - len(shown)), "dim")
    return out


def draw_embedding(r: dict, lang: str | None) -> Text:
    out = Text(_("{d}-dimensional vectors; nearest tokens by cosine similarity").format(d=r["d_model"]) + "\n",
               "dim")
    for i, entry in enumerate(r["tokens"][:6]):
        if i:
            out.append("\n")
        out.append(f"{visible(entry['token']):>8} ", "bold")
        out.append(" ".join(f"{visible(n['token'])} {num(n.get('cosine', n.get('similarity', 0)), 2, lang)}"
                            for n in entry["nearest"][:4]))
    return out


def draw_positional_encoding(r: dict, lang: str | None) -> Text:
    sim = r["similarity"][0]
    rows = [(f"PE0·PE{q}", max(v, 0.0), num(v, 2, lang)) for q, v in enumerate(sim[:6])]
    out = Text(_("{n} positions × d_model {d}: how alike position 0 is to the next ones").format(
        n=r["length"], d=r["d_model"]) + "\n", "dim")
    return out + bar_rows(rows, top=float(r["d_model"]) / 2)


def focused_query(r: dict) -> int:
    """The query the block points at (the probe's `query`), else the last token."""
    query = r.get("query")
    return query if isinstance(query, int) and not isinstance(query, bool) else len(r["tokens"]) - 1


def draw_attention(r: dict, lang: str | None) -> Text:
    q = focused_query(r)
    weights = r["weights"][q][: q + 1]
    out = Text(_("layer {layer} head {head} ({role}): weights of '{token}' over what it sees").format(
        layer=r["layer"], head=r["head"], role=_(r["role"]) if "role" in r else "?", token=visible(r["tokens"][q])) + "\n", "dim")
    top = sorted(range(len(weights)), key=lambda k: -weights[k])[:6]
    shown = sorted(top)
    rows = [(f"{k} {visible(r['tokens'][k])}", weights[k], num(weights[k], 3, lang)) for k in shown]
    return out + bar_rows(rows, top=1.0, highlight=shown.index(top[0]))


def draw_next_token(r: dict, lang: str | None) -> Text:
    context = "".join(r["context"])[-40:]
    out = Text(_("π(next | …{context})  entropy {entropy} nats").format(
        context=visible(context), entropy=num(r["entropy"], 2, lang)) + "\n", "dim")
    rows = [(visible(t["token"]), t["probability"], num(t["probability"], 3, lang)) for t in r["top"][:6]]
    return out + bar_rows(rows, top=1.0, highlight=0)


def draw_ppo_clip(r: dict, lang: str | None) -> Text:
    out = Text()
    out.append(f"r = {num(r['ratio'], 2, lang)}, Â = {num(r['advantage'], 2, lang)}, ε = "
               f"{num(r['epsilon'], 2, lang)}: ")
    out.append(f"r·Â = {num(r['unclipped'], 3, lang)}, clip(r)·Â = {num(r['clipped'], 3, lang)}, ")
    out.append(f"min = {num(r['objective'], 3, lang)}", "bold")
    out.append(" " + (_("(clipped: no gradient)") if r["clip_active"] else _("(unclipped: the gradient flows)")), "dim")
    out.append("\n")
    out.append_text(curve(r["curve"], r["ratio"]))
    return out


def curve(points: list[dict], marked: float, width: int = 41) -> Text:
    """L^CLIP against r as one line of block characters, the learner's r marked ▲ below it."""
    values = [p["objective"] for p in points][:width]
    lo, hi = min(values), max(values)
    levels = "▁▂▃▄▅▆▇█"
    line = "".join(levels[round((v - lo) / (hi - lo) * 7) if hi > lo else 3] for v in values)
    ratios = [p["ratio"] for p in points][:width]
    at = min(range(len(ratios)), key=lambda i: abs(ratios[i] - marked))
    out = Text(f"L^CLIP(r)  {line}\n", "cyan")
    out.append(" " * (11 + at) + "▲ r", "bold")
    return out


def draw_gae(r: dict, lang: str | None) -> Text:
    out = Text(f"γ = {num(r['gamma'], 2, lang)}, λ = {num(r['lam'], 2, lang)}\n", "dim")
    out.append("  t     r_t     V(s_t)     δ_t       Â_t\n", "bold")
    for t, (rew, v, d, a) in enumerate(zip(r["rewards"], r["values"], r["deltas"], r["advantages"])):
        if t >= 8:
            out.append("  " + _("… {n} more steps").format(n=len(r["rewards"]) - 8))
            break
        out.append(f"{t:>3} {num(rew, 3, lang):>7} {num(v, 3, lang):>9} {num(d, 4, lang):>9} "
                   f"{num(a, 4, lang):>9}\n")
    return out


def draw_kl(r: dict, lang: str | None) -> Text:
    out = Text(_("KL[{a} ‖ {b}] exact {kl} nats; estimates from {n} samples:").format(
        a=r["checkpoint_a"], b=r["checkpoint_b"], kl=num(r["exact_kl"], 5, lang), n=r["samples"]) + "\n", "dim")
    for name, est in r["estimates"].items():
        out.append(f"  {name}: {num(est['mean'], 5, lang)} ± {num(est['stderr'], 5, lang)}\n")
    return out


# The update's statistics as the evidence names them (the result's keys are data and stay as they are).
PPO_STEP_STATS = {"reward_score": N_("reward-model score"), "kl_to_ref": N_("KL to the reference model"),
                  "clipfrac_outside": N_("share of ratios outside the clip range"), "approx_kl": N_("approx KL"),
                  "ratio_min": N_("smallest ratio"), "ratio_max": N_("largest ratio")}


def draw_ppo_step(r: dict, lang: str | None) -> Text:
    stats = r.get("stats", {})
    out = Text(_("one PPO update: ε = {epsilon}, β = {beta}, {steps} gradient steps").format(
        epsilon=num(r["epsilon"], 2, lang), beta=num(r["beta"], 3, lang), steps=r["gradient_steps"]) + "\n", "dim")
    for key, label in PPO_STEP_STATS.items():
        if key in stats and isinstance(stats[key], (int, float)):
            out.append("  " + _("{name}: {value}").format(name=_(label), value=num(stats[key], 4, lang)) + "\n")
    return out


def draw_compare_stages(r: dict, lang: str | None) -> Text:
    out = Text()
    for stage in r["stages"][:3]:
        name = stage.get("stage", stage.get("checkpoint", "?"))
        answers = stage.get("answers") or [{}]
        answer = answers[0].get("answer", "") if isinstance(answers[0], dict) else str(answers[0])
        score = stage.get("mean_reward_score", stage.get("reward_score"))
        out.append(f"{name:>8} ", "bold")
        out.append(f"{num(score, 2, lang) if score is not None else '':>6}  ", "cyan")
        out.append(visible(answer.strip())[:56] if answer else "", "italic")
        out.append("\n")
    return out


# What the generic drawing calls a result's key: a symbol, or words through the catalogue; other keys
# (pos, i, d_model, sin, cos, k1 …) are symbols already and show as they are.
SCALAR_NAMES = {"frequency": N_("frequency ω"), "angle": N_("angle"), "logp_new": "log π_θ", "logp_old": "log π_θold",
                "prob_new": "π_θ", "prob_old": "π_θold", "log_ratio": "log r", "ratio": "r", "advantage": "Â",
                "epsilon": "ε", "unclipped": "r·Â", "clipped": "clip(r, 1−ε, 1+ε)·Â", "objective": "L^CLIP",
                "branch": N_("branch"), "gradient_flows": N_("gradient flows")}


def _scalar(value: Any, lang: str | None) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return _(value)  # labels a probe returns as data (a clip branch) are in the catalogue
    return num(value, 4, lang)


def draw_scalars(r: dict, lang: str | None, width: int = 70) -> Text:
    """`name: value` for every number or short text of the result, in lines of at most `width` cells."""
    out = Text()
    line = 0
    for key, value in r.items():
        if not isinstance(value, (int, float, str, bool)) or (isinstance(value, str) and len(value) > 60):
            continue
        name, shown = _(SCALAR_NAMES.get(key, key)), _scalar(value, lang)
        item = f"{name}: {shown}"
        if line and line + 3 + len(item) > width:
            out.append("\n")
            line = 0
        elif line:
            out.append("   ")
            line += 3
        out.append(f"{name}: ", "bold")
        out.append(shown)
        line += len(item)
    return out


DRAWINGS: dict[str, Callable[..., Text]] = {
    "softmax": draw_softmax,
    "scaled_softmax": draw_scaled_softmax,
    "tokenize": draw_tokenize,
    "embedding": draw_embedding,
    "positional_encoding": draw_positional_encoding,
    "attention": draw_attention,
    "next_token": draw_next_token,
    "ppo_clip": draw_ppo_clip,
    "gae": draw_gae,
    "kl": draw_kl,
    "ppo_step": draw_ppo_step,
    "compare_stages": draw_compare_stages,
}


def draw(probe: str, result: dict, lang: str | None = None) -> Text:
    """The small drawing of a result; a drawing that meets an unexpected shape falls back to the scalars."""
    try:
        return DRAWINGS.get(probe, draw_scalars)(result, lang)
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return draw_scalars(result, lang)
