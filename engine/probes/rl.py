"""The RL probes: softmax, one PPO clip case with the paper's Figure 1, GAE on a short episode.

Each checks its arguments beyond what the registry's specs can say, then
calls the maths in `engine.rl`, so what a learner sees is what training uses.
"""
from __future__ import annotations

import numpy as np

from engine.errors import ProbeError
from engine.texts import _
from engine.rl.gae import gae
from engine.rl.ppo import clip, clipped_surrogate
from engine.rl.softmax import softmax


def softmax_probe(scores: list[float], temperature: float = 1.0) -> dict:
    if not scores:
        raise ProbeError(_("scores must hold at least one number"))
    logits = np.asarray(scores, dtype=np.float64) / temperature
    probabilities = softmax(logits)
    return {
        "scores": list(scores),
        "temperature": temperature,
        "scaled": logits,
        "probabilities": probabilities,
        "argmax": int(np.argmax(probabilities)),
    }


def objective_curve(advantage: float, epsilon: float, r_max: float = 2.0, points: int = 41) -> list[dict]:
    """L^CLIP of a single sample as a function of r for a fixed Â and ε (PPO paper, Figure 1)."""
    ratios = np.linspace(0.0, r_max, points)
    objective = clipped_surrogate(ratios, np.full_like(ratios, advantage), epsilon)
    return [{"ratio": round(float(r), 6), "objective": float(o)} for r, o in zip(ratios, objective)]


def ppo_clip_probe(ratio: float, advantage: float, epsilon: float = 0.2) -> dict:
    if ratio < 0:
        raise ProbeError(_("ratio must be at least 0: it is a quotient of two probabilities"))
    unclipped = ratio * advantage
    clipped_ratio = float(clip(np.float64(ratio), epsilon))
    clipped = clipped_ratio * advantage
    objective = min(unclipped, clipped)
    return {
        "ratio": ratio,
        "advantage": advantage,
        "epsilon": epsilon,
        "clip_range": [1.0 - epsilon, 1.0 + epsilon],
        "clipped_ratio": clipped_ratio,
        "unclipped": unclipped,
        "clipped": clipped,
        "objective": objective,
        # The min took the clipped term, and it is a different number: the gradient is zero here.
        "clip_active": bool(clipped < unclipped),
        "outside_band": bool(abs(ratio - 1.0) > epsilon),
        "gradient_wrt_ratio": 0.0 if clipped < unclipped else advantage,
        "curve": objective_curve(advantage, epsilon, r_max=max(2.0, 1.25 * ratio)),
    }


def gae_probe(rewards: list[float], values: list[float], gamma: float = 0.99, lam: float = 0.95,
              dones: list[int] | None = None, last_value: float = 0.0) -> dict:
    if not rewards:
        raise ProbeError(_("rewards must hold at least one number"))
    if len(values) != len(rewards):
        raise ProbeError(_("values must have one number per reward ({n}), not {m}").format(n=len(rewards), m=len(values)))
    if dones is None:
        dones = [0] * (len(rewards) - 1) + [1]
    if len(dones) != len(rewards):
        raise ProbeError(_("dones must have one entry per reward ({n}), not {m}").format(n=len(rewards), m=len(dones)))
    if any(d not in (0, 1) for d in dones):
        raise ProbeError(_("dones must be 0 or 1"))
    deltas, advantages, returns = gae(rewards, values, gamma, lam, np.asarray(dones), last_value)
    return {
        "rewards": list(rewards),
        "values": list(values),
        "gamma": gamma,
        "lam": lam,
        "dones": list(dones),
        # Without a final "done" the last step bootstraps from V(s_T) = last_value.
        "last_value": last_value,
        "deltas": deltas,
        "advantages": advantages,
        "returns": returns,
    }
