"""Softmax: scores → probabilities, the last step of attention and of next-token prediction."""
from __future__ import annotations

import numpy as np

from engine.registry import ProbeError


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x_i) / Σ_j exp(x_j), computed after subtracting the max so large scores cannot overflow."""
    shifted = scores - np.max(scores, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def softmax_probe(scores: list[float], temperature: float = 1.0) -> dict:
    if not scores:
        raise ProbeError("scores must hold at least one number")
    logits = np.asarray(scores, dtype=np.float64) / temperature
    probabilities = softmax(logits)
    return {
        "scores": list(scores),
        "temperature": temperature,
        "scaled": logits,
        "probabilities": probabilities,
        "argmax": int(np.argmax(probabilities)),
    }
