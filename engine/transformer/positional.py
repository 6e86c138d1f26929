"""The sinusoidal positional encoding of Vaswani et al. (2017), section 3.5.

    PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
    PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))

Each pair of columns is a sine and a cosine of one frequency; the frequencies
fall geometrically from 1 to 1/10000 across the width. The torch model and
the numpy model both add this same matrix to the token embeddings.
"""
from __future__ import annotations

import numpy as np


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
