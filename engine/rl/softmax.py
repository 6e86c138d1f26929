"""Softmax: scores → probabilities, the last step of attention and of next-token prediction."""
from __future__ import annotations

import numpy as np


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x_i) / Σ_j exp(x_j), computed after subtracting the max so large scores cannot overflow."""
    shifted = scores - np.max(scores, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)
