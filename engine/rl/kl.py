"""KL divergence: exact, estimated from samples, and the two ways PPO keeps it small.

    KL[q ‖ p] = Σ_x q(x) log(q(x) / p(x))          exact: cheap here, the vocabulary is small

From samples x ~ q with ρ = p(x) / q(x) (J. Schulman, "Approximating KL divergence"):

    k1 = −log ρ                unbiased, high variance, can be negative for one sample
    k2 = ½ (log ρ)²            biased (low when p ≈ q), low variance, never negative
    k3 = (ρ − 1) − log ρ       unbiased (E_q[ρ] = 1), low variance, never negative

In PPO, q = π_θold, p = π_θ and ρ is the ratio r_t: k3 = (r − 1) − log r is
CleanRL's `approx_kl`. In RLHF, q = π_θ (the policy that sampled the answer),
p = π_ref (the frozen SFT model) and k1 = log π_θ − log π_ref per token is
the KL term of the per-token reward −β · k1.

Keeping the policy change small:
- TRPO: maximise the surrogate subject to Ê_t[KL[π_θold(·|s_t), π_θ(·|s_t)]] ≤ δ
  (δ: the trust-region bound). Here δ is a reported check, not a constraint.
- PPO paper, section 4: replace the constraint by a penalty −β KL with a
  fixed β, or adapt β after each update: d < d_targ / 1.5 → β / 2;
  d > d_targ × 1.5 → β × 2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def log_rho(logp_p: np.ndarray, logp_q: np.ndarray) -> np.ndarray:
    """log ρ = log p(x) − log q(x) for samples x ~ q."""
    return np.asarray(logp_p, dtype=np.float64) - np.asarray(logp_q, dtype=np.float64)


def k1(log_rho: np.ndarray) -> np.ndarray:
    """k1 = −log ρ, per sample."""
    return -np.asarray(log_rho, dtype=np.float64)


def k2(log_rho: np.ndarray) -> np.ndarray:
    """k2 = ½ (log ρ)², per sample."""
    return 0.5 * np.asarray(log_rho, dtype=np.float64) ** 2


def k3(log_rho: np.ndarray) -> np.ndarray:
    """k3 = (ρ − 1) − log ρ, per sample."""
    log_rho = np.asarray(log_rho, dtype=np.float64)
    return np.expm1(log_rho) - log_rho


def exact_kl(logp_q: np.ndarray, logp_p: np.ndarray) -> np.ndarray:
    """KL[q ‖ p] = Σ_x q(x) (log q(x) − log p(x)) over the last axis (full distributions, log space)."""
    logp_q = np.asarray(logp_q, dtype=np.float64)
    logp_p = np.asarray(logp_p, dtype=np.float64)
    q = np.exp(logp_q)
    # 0 · log 0 = 0: a token q never picks contributes nothing, whatever p says.
    terms = np.where(q > 0, q * (logp_q - logp_p), 0.0)
    return np.sum(terms, axis=-1)


def estimate_kl(logp_q: np.ndarray, logp_p: np.ndarray, samples: int, rng: np.random.Generator) -> dict:
    """Draw `samples` tokens x ~ q and return the k1/k2/k3 estimates of KL[q ‖ p] with their spread."""
    q = np.exp(np.asarray(logp_q, dtype=np.float64))
    x = rng.choice(len(q), size=samples, p=q / q.sum())
    lr = log_rho(np.asarray(logp_p)[x], np.asarray(logp_q)[x])
    out = {}
    for name, fn in (("k1", k1), ("k2", k2), ("k3", k3)):
        values = fn(lr)
        out[name] = float(values.mean())
        out[f"{name}_std"] = float(values.std())
    return out


def expected_estimators(logp_q: np.ndarray, logp_p: np.ndarray) -> dict:
    """E_{x~q}[k1], E[k2], E[k3] computed exactly by summing over the vocabulary (no sampling)."""
    q = np.exp(np.asarray(logp_q, dtype=np.float64))
    lr = log_rho(logp_p, logp_q)
    return {name: float(np.sum(q * fn(lr))) for name, fn in (("k1", k1), ("k2", k2), ("k3", k3))}


# --- β: the coefficient of the KL penalty (PPO paper, section 4) ---

def adaptive_beta(beta: float, kl: float, kl_target: float) -> float:
    """One step of the adaptive KL coefficient: halve β when KL < d_targ/1.5, double it when KL > 1.5 d_targ."""
    if kl < kl_target / 1.5:
        return beta / 2.0
    if kl > kl_target * 1.5:
        return beta * 2.0
    return beta


@dataclass
class FixedKLController:
    """β stays what it is: the fixed-coefficient variant."""
    beta: float

    def update(self, kl: float) -> float:
        return self.beta


@dataclass
class AdaptiveKLController:
    """β follows the measured KL towards the target d_targ (adaptive_beta after every update)."""
    beta: float
    kl_target: float
    beta_min: float = 1e-4
    beta_max: float = 10.0

    def update(self, kl: float) -> float:
        self.beta = float(np.clip(adaptive_beta(self.beta, kl, self.kl_target), self.beta_min, self.beta_max))
        return self.beta


def within_trust_region(mean_kl: float, delta: float) -> bool:
    """TRPO's constraint as a check: is Ê_t[KL[π_θold(·|s_t), π_θ(·|s_t)]] ≤ δ?"""
    return bool(mean_kl <= delta)
