"""The sinusoidal positional encoding of Vaswani et al. (2017), section 3.5.

    PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
    PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))

Each pair of columns is a sine and a cosine of one frequency; the frequencies
fall geometrically from 1 to 1/10000 across the width. The torch model and
the numpy model both add this same matrix to the token embeddings.
"""
from __future__ import annotations

import numpy as np

from engine.registry import ProbeError


def positional_encoding(length: int, d_model: int) -> np.ndarray:
    """The (length, d_model) matrix of sinusoidal position codes, float64."""
    if d_model % 2:
        raise ValueError(f"d_model must be even, not {d_model}")
    pos = np.arange(length, dtype=np.float64)[:, None]           # (length, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)[None, :]   # (1, d_model/2): the 2i of the formula
    angle = pos / np.power(10000.0, two_i / d_model)              # (length, d_model/2)
    pe = np.empty((length, d_model), dtype=np.float64)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe


def positional_encoding_probe(length: int = 16, d_model: int = 16) -> dict:
    """The matrix, and PE·PEᵀ: how similar each position's code is to every other's."""
    if d_model % 2:
        raise ProbeError(f"d_model must be even (sines and cosines come in pairs), not {d_model}")
    pe = positional_encoding(length, d_model)
    similarity = pe @ pe.T  # dot product between positions; d_model/2 on the diagonal
    return {
        "length": length,
        "d_model": d_model,
        "formula": "PE[pos, 2i] = sin(pos / 10000^(2i/d_model)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))",
        "encoding": pe,
        "similarity": similarity,
        "note": "similarity[p][q] = PE[p]·PE[q] = Σ_i cos((p − q)·ω_i): it depends only on the distance p − q "
                "and is largest, d_model/2, at distance 0",
    }
