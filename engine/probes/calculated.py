"""Small numeric probes for calculated questions: one formula each, numpy only.

Calculated questions (question_bank/calculated.py) draw numbers, run probes and
show the results as choices. The big probes (ppo_clip, gae, softmax,
positional_encoding) cover most of the course's formulas; the ones here cover
what an exam asks on paper and no other probe returns as a single number:

    ratio_from_logprobs   r = exp(log π_θ − log π_θold), and the k1/k2/k3 KL estimates of one token
    scaled_softmax        softmax(q·k / d_k^power): the √d_k scaling of attention (power = ½)
    pe_entry              PE[pos, 2i] and PE[pos, 2i+1] of the sinusoidal encoding
    clip_branch           which term min(r·Â, clip(r, 1−ε, 1+ε)·Â) selects

Each reuses the engine's own functions (engine.rl.ppo, engine.rl.kl, engine.rl.softmax,
engine.transformer.positional), so a question's answer is the number the engine computes.
"""
from __future__ import annotations

import numpy as np

from engine.rl import kl as klm
from engine.transformer.positional import positional_encoding
from engine.rl.ppo import clipped_term, probability_ratio, unclipped_term
from engine.errors import ProbeError
from engine.texts import N_, _
from engine.rl.softmax import softmax

# The four cases of the clipped surrogate, as clip_branch names them.
# (data: pack claims compare them; translated where they are shown)
BRANCH_UNCLIPPED = N_("r·Â, the unclipped term")
BRANCH_CLIPPED_HIGH = N_("(1+ε)·Â, clipped at 1+ε")
BRANCH_CLIPPED_LOW = N_("(1−ε)·Â, clipped at 1−ε")
BRANCH_INSIDE = N_("both terms are equal: r lies inside [1−ε, 1+ε]")
BRANCH_NO_ADVANTAGE = N_("both terms are 0: Â = 0")
BRANCHES = (BRANCH_UNCLIPPED, BRANCH_CLIPPED_HIGH, BRANCH_CLIPPED_LOW, BRANCH_INSIDE, BRANCH_NO_ADVANTAGE)


def ratio_from_logprobs(logp_new: float, logp_old: float) -> dict:
    """The probability ratio of one sampled token and the KL estimates it gives (samples from π_θold)."""
    if logp_new > 0 or logp_old > 0:
        raise ProbeError(_("log-probabilities are at most 0"))
    log_ratio = float(logp_new - logp_old)
    ratio = float(probability_ratio(np.float64(logp_new), np.float64(logp_old)))
    # q = π_θold sampled the token, p = π_θ, so ρ = p/q = r (engine/rl/kl.py).
    return {
        "logp_new": logp_new,
        "logp_old": logp_old,
        "prob_new": float(np.exp(logp_new)),
        "prob_old": float(np.exp(logp_old)),
        "log_ratio": log_ratio,
        "ratio": ratio,
        "k1": float(klm.k1(log_ratio)),
        "k2": float(klm.k2(log_ratio)),
        "k3": float(klm.k3(log_ratio)),
    }


def scaled_softmax(scores: list[float], d_k: float, power: float = 0.5) -> dict:
    """Attention weights from raw dot products q·k: softmax(scores / d_k^power); power ½ is the paper's √d_k."""
    if not scores:
        raise ProbeError(_("scores must hold at least one number"))
    divisor = float(d_k) ** power
    scaled = np.asarray(scores, dtype=np.float64) / divisor
    return {
        "scores": list(scores),
        "d_k": d_k,
        "power": power,
        "divisor": divisor,
        "scaled": scaled,
        "probabilities": softmax(scaled),
    }


def pe_entry(pos: int, i: int, d_model: int) -> dict:
    """The pair of columns 2i, 2i+1 of row `pos` of the sinusoidal encoding, and the angle both use."""
    if d_model % 2:
        raise ProbeError(_("d_model must be even (sines and cosines come in pairs), not {d}").format(d=d_model))
    if 2 * i + 1 >= d_model:
        raise ProbeError(_("i must be below d_model / 2 = {half}, not {i}").format(half=d_model // 2, i=i))
    row = positional_encoding(pos + 1, d_model)[pos]
    frequency = 1.0 / 10000.0 ** (2 * i / d_model)
    return {
        "pos": pos,
        "i": i,
        "d_model": d_model,
        "frequency": frequency,
        "angle": pos * frequency,
        "sin": float(row[2 * i]),  # PE[pos, 2i]
        "cos": float(row[2 * i + 1]),  # PE[pos, 2i+1]
    }


def clip_branch(ratio: float, advantage: float, epsilon: float = 0.2) -> dict:
    """Which term the min of the clipped surrogate takes, named as BRANCHES names it."""
    if ratio < 0:
        raise ProbeError(_("ratio must be at least 0: it is a quotient of two probabilities"))
    unclipped = float(unclipped_term(np.float64(ratio), np.float64(advantage)))
    clipped = float(clipped_term(np.float64(ratio), np.float64(advantage), epsilon))
    if 1.0 - epsilon <= ratio <= 1.0 + epsilon:
        branch = BRANCH_INSIDE
    elif advantage == 0:
        branch = BRANCH_NO_ADVANTAGE
    elif unclipped < clipped:
        branch = BRANCH_UNCLIPPED
    else:
        branch = BRANCH_CLIPPED_HIGH if ratio > 1.0 else BRANCH_CLIPPED_LOW
    return {
        "ratio": ratio,
        "advantage": advantage,
        "epsilon": epsilon,
        "unclipped": unclipped,
        "clipped": clipped,
        "objective": min(unclipped, clipped),
        "branch": branch,
        "gradient_flows": branch != BRANCH_CLIPPED_HIGH and branch != BRANCH_CLIPPED_LOW,
    }
