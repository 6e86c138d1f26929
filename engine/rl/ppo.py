"""The PPO objective, term by term (Schulman et al., 2017), in plain numpy.

Notation of the paper and the names used here:

    π_θ(a_t|s_t)      the policy after (or during) the update   → logp_new = log π_θ(a_t|s_t)
    π_θold(a_t|s_t)   the policy that collected the samples     → logp_old = log π_θold(a_t|s_t)
    r_t(θ)            π_θ(a_t|s_t) / π_θold(a_t|s_t)             → ratio = exp(logp_new − logp_old)
    Â_t               the advantage estimate (see engine/rl/gae.py) → advantages
    ε                 the clip range                             → epsilon
    Ê_t[...]          the average over a finite batch            → np.mean
    L^PG(θ)  = Ê_t[log π_θ(a_t|s_t) Â_t]         policy_gradient_objective
    L^CPI(θ) = Ê_t[r_t(θ) Â_t]                    surrogate_cpi
    L^CLIP(θ)= Ê_t[min(r_t Â_t, clip(r_t, 1−ε, 1+ε) Â_t)]   clip_objective

The gradient of L^PG is ĝ = Ê_t[∇_θ log π_θ(a_t|s_t) Â_t], the estimated
policy gradient; at θ = θold the gradients of L^PG, L^CPI and L^CLIP are
equal (r = 1 and ∇r = ∇ log π_θ there). All objectives here are to be
*maximised* (gradient ascent); the training code minimises their negatives.

The KL-related quantities (KL estimators, exact KL, β, the trust-region δ)
are in engine/rl/kl.py; advantages by GAE in engine/rl/gae.py. The torch versions
used in training are in engine/rlhf/ppo_trainer.py, and a test checks they agree
with these. This module imports no torch, so the ppo_clip probe is instant.
"""
from __future__ import annotations

import numpy as np


# --- log-probabilities of the chosen tokens (actions) ---

def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log π(·|s) from logits over the last axis: x − max − log Σ exp(x − max)."""
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def action_log_probs(logits: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """log π(a_t|s_t): the log-probability of the token that was actually chosen at each step.

    logits: [..., vocab] scores of the next token in each state s_t;
    actions: [...] the index of the chosen token a_t.
    """
    logp_all = log_softmax(logits)
    actions = np.asarray(actions, dtype=np.int64)
    return np.take_along_axis(logp_all, actions[..., None], axis=-1)[..., 0]


# --- the probability ratio and the surrogate objectives ---

def probability_ratio(logp_new: np.ndarray, logp_old: np.ndarray) -> np.ndarray:
    """r_t(θ) = π_θ(a_t|s_t) / π_θold(a_t|s_t), computed as exp(log π_θ − log π_θold)."""
    log_ratio = np.asarray(logp_new, dtype=np.float64) - np.asarray(logp_old, dtype=np.float64)
    return np.exp(log_ratio)


def clip(ratio: np.ndarray, epsilon: float) -> np.ndarray:
    """clip(r_t, 1 − ε, 1 + ε)."""
    return np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon)


def unclipped_term(ratio: np.ndarray, advantages: np.ndarray) -> np.ndarray:
    """r_t Â_t per sample: the conservative policy iteration (CPI) surrogate before averaging."""
    return np.asarray(ratio, dtype=np.float64) * np.asarray(advantages, dtype=np.float64)


def clipped_term(ratio: np.ndarray, advantages: np.ndarray, epsilon: float) -> np.ndarray:
    """clip(r_t, 1 − ε, 1 + ε) Â_t per sample."""
    return clip(np.asarray(ratio, dtype=np.float64), epsilon) * np.asarray(advantages, dtype=np.float64)


def clipped_surrogate(ratio: np.ndarray, advantages: np.ndarray, epsilon: float) -> np.ndarray:
    """min(r_t Â_t, clip(r_t, 1 − ε, 1 + ε) Â_t) per sample: the pessimistic (lower) bound."""
    return np.minimum(unclipped_term(ratio, advantages), clipped_term(ratio, advantages, epsilon))


def surrogate_cpi(ratio: np.ndarray, advantages: np.ndarray) -> float:
    """L^CPI(θ) = Ê_t[r_t(θ) Â_t]."""
    return float(np.mean(unclipped_term(ratio, advantages)))


def clip_objective(ratio: np.ndarray, advantages: np.ndarray, epsilon: float) -> float:
    """L^CLIP(θ) = Ê_t[min(r_t Â_t, clip(r_t, 1 − ε, 1 + ε) Â_t)]."""
    return float(np.mean(clipped_surrogate(ratio, advantages, epsilon)))


def policy_gradient_objective(logp: np.ndarray, advantages: np.ndarray) -> float:
    """L^PG(θ) = Ê_t[log π_θ(a_t|s_t) Â_t]; its gradient is the policy-gradient estimate ĝ."""
    return float(np.mean(np.asarray(logp, dtype=np.float64) * np.asarray(advantages, dtype=np.float64)))


def kl_penalty_objective(ratio: np.ndarray, advantages: np.ndarray, kl: np.ndarray, beta: float) -> float:
    """L^KLPEN(θ) = Ê_t[r_t Â_t − β KL[π_θold(·|s_t), π_θ(·|s_t)]] (PPO paper, section 4)."""
    return float(np.mean(unclipped_term(ratio, advantages) - beta * np.asarray(kl, dtype=np.float64)))


# --- how often the clip matters: two conventions ---

def clip_fraction_outside(ratio: np.ndarray, epsilon: float) -> float:
    """Fraction of samples with |r_t − 1| > ε (CleanRL's `clipfracs`): the ratio left the band."""
    return float(np.mean(np.abs(np.asarray(ratio, dtype=np.float64) - 1.0) > epsilon))


def clip_bound_mask(ratio: np.ndarray, advantages: np.ndarray, epsilon: float) -> np.ndarray:
    """True where the clip actually bound: r_t Â_t > clip(r_t) Â_t, so the min took the clipped term.

    There the objective is flat in θ and the sample contributes no gradient. A
    ratio outside the band on the *other* side (r < 1 − ε with Â > 0, or
    r > 1 + ε with Â < 0) is not bound: the min keeps r Â and its gradient.
    """
    return unclipped_term(ratio, advantages) > clipped_term(ratio, advantages, epsilon)


def clip_fraction_bound(ratio: np.ndarray, advantages: np.ndarray, epsilon: float) -> float:
    """Fraction of samples where the clip actually bound (zero gradient)."""
    return float(np.mean(clip_bound_mask(ratio, advantages, epsilon)))


# --- the critic and the entropy bonus ---

def value_loss(values: np.ndarray, returns: np.ndarray) -> float:
    """½ Ê_t[(V_θ(s_t) − R_t)²]: the plain squared error of the critic."""
    err = np.asarray(values, dtype=np.float64) - np.asarray(returns, dtype=np.float64)
    return float(0.5 * np.mean(err ** 2))


def clipped_value_loss(values: np.ndarray, values_old: np.ndarray, returns: np.ndarray,
                       clip_range: float) -> float:
    """½ Ê_t[max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²)]: the critic may not move far either."""
    values = np.asarray(values, dtype=np.float64)
    values_old = np.asarray(values_old, dtype=np.float64)
    returns = np.asarray(returns, dtype=np.float64)
    values_clipped = values_old + np.clip(values - values_old, -clip_range, clip_range)
    loss_unclipped = (values - returns) ** 2
    loss_clipped = (values_clipped - returns) ** 2
    return float(0.5 * np.mean(np.maximum(loss_unclipped, loss_clipped)))


def entropy(logits: np.ndarray) -> np.ndarray:
    """H[π(·|s_t)] = −Σ_a π(a|s_t) log π(a|s_t), one value per state."""
    logp = log_softmax(logits)
    return -np.sum(np.exp(logp) * logp, axis=-1)


def normalize(advantages: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """(Â − mean) / (std + eps): advantages normalised per minibatch, as CleanRL does."""
    advantages = np.asarray(advantages, dtype=np.float64)
    return (advantages - advantages.mean()) / (advantages.std() + eps)
