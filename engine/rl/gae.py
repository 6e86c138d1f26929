"""Generalised advantage estimation, GAE(γ, λ) (Schulman et al., 2016), in plain numpy.

    δ_t = r_t + γ V(s_{t+1}) − V(s_t)                 the TD error ("deltas")
    Â_t = δ_t + (γλ) δ_{t+1} + (γλ)² δ_{t+2} + ...    the advantage estimate
        = δ_t + γλ Â_{t+1}                            computed backwards in time
    R_t = Â_t + V(s_t)                                the return the critic learns (λ-return)

An episode that ends after step t ("done") has no next state: V(s_{t+1}) and
Â_{t+1} count as 0 there. λ = 0 gives the one-step TD error, λ = 1 the
Monte-Carlo return minus the baseline V(s_t).

In RLHF one episode is one generated answer: the state s_t is the prompt plus
the tokens so far, the action a_t the next token, and the episode ends with
the last generated token. Arrays may carry a leading batch axis: time is the
last axis.
"""
from __future__ import annotations

import numpy as np


def td_errors(rewards: np.ndarray, values: np.ndarray, gamma: float,
              dones: np.ndarray, last_value: float | np.ndarray = 0.0) -> np.ndarray:
    """δ_t = r_t + γ V(s_{t+1}) (1 − done_t) − V(s_t); V after the last step is `last_value`."""
    rewards = np.asarray(rewards, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    not_done = 1.0 - np.asarray(dones, dtype=np.float64)
    last = np.broadcast_to(np.asarray(last_value, dtype=np.float64), values.shape[:-1])[..., None]
    next_values = np.concatenate([values[..., 1:], last], axis=-1)  # V(s_{t+1})
    return rewards + gamma * next_values * not_done - values


def gae(rewards: np.ndarray, values: np.ndarray, gamma: float, lam: float,
        dones: np.ndarray | None = None, last_value: float | np.ndarray = 0.0
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(deltas, advantages, returns) for GAE(γ, λ); time is the last axis.

    dones[t] = 1 when the episode ends after step t; by default only after the last step.
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if dones is None:
        dones = np.zeros_like(rewards)
        dones[..., -1] = 1.0
    dones = np.asarray(dones, dtype=np.float64)
    deltas = td_errors(rewards, values, gamma, dones, last_value)
    advantages = np.zeros_like(deltas)
    next_advantage = np.zeros(deltas.shape[:-1])
    for t in reversed(range(deltas.shape[-1])):
        next_advantage = deltas[..., t] + gamma * lam * (1.0 - dones[..., t]) * next_advantage
        advantages[..., t] = next_advantage
    returns = advantages + values
    return deltas, advantages, returns
