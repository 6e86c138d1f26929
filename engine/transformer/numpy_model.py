"""The same GPT forward pass as engine.transformer.model, in plain numpy: what the labs run.

It reads the same weights (a dict of arrays named like the torch state_dict)
and returns the same trace, with no torch import; the tests check that both
agree. One sequence at a time: ids of shape (T,), arrays of shape (T, ...).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.transformer.positional import positional_encoding


@dataclass(frozen=True)
class Config:
    vocab_size: int
    block_size: int
    n_layer: int
    n_head: int
    d_model: int

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        return cls(**{k: int(d[k]) for k in ("vocab_size", "block_size", "n_layer", "n_head", "d_model")})

    @property
    def d_k(self) -> int:
        return self.d_model // self.n_head


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (as in GPT-2 and torch's approximate='tanh')."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """x Wᵀ + b, with W stored (out, in) like torch.nn.Linear."""
    y = x @ weight.T
    return y if bias is None else y + bias


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
    """Causal scaled dot-product attention for all heads: q, k, v of shape (heads, T, d_k)."""
    T, d_k = q.shape[-2], q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2)                 # (heads, T, T): q·k for every query/key pair
    scaled = scores / math.sqrt(d_k)
    mask = np.tril(np.ones((T, T), dtype=bool))         # True where the key is not in the future
    weights = softmax(np.where(mask, scaled, -np.inf))  # exp(-inf) = 0: masked keys get no weight
    output = weights @ v                                 # weighted sum of the values
    return {"q": q, "k": k, "v": v, "scores": scores, "scaled": scaled, "mask": mask,
            "weights": weights, "output": output}


class NumpyGPT:
    def __init__(self, cfg: Config, state: dict[str, np.ndarray], dtype=np.float64):
        self.cfg = cfg
        self.w = {k: np.asarray(v, dtype=dtype) for k, v in state.items()}
        self.pe = positional_encoding(cfg.block_size, cfg.d_model).astype(dtype)

    def hidden(self, ids, trace: dict | None = None) -> np.ndarray:
        """Final hidden states (T, d_model) after the last LayerNorm."""
        cfg, w = self.cfg, self.w
        ids = np.asarray(ids, dtype=np.int64)
        T = len(ids)
        if T > cfg.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than the context ({cfg.block_size})")
        tok = w["wte.weight"][ids]                           # (T, C): embedding lookup = row selection
        pos = self.pe[:T]
        x = tok + pos
        layers = []
        for i in range(cfg.n_layer):
            p = f"blocks.{i}."
            h = layer_norm(x, w[p + "ln1.weight"], w[p + "ln1.bias"])
            qkv = linear(h, w[p + "attn.qkv.weight"], w[p + "attn.qkv.bias"])          # (T, 3C)
            # (T, C) → (heads, T, d_k) for each of q, k, v
            q, k, v = (m.reshape(T, cfg.n_head, cfg.d_k).transpose(1, 0, 2) for m in np.split(qkv, 3, axis=1))
            att = attention(q, k, v)
            y = att["output"].transpose(1, 0, 2).reshape(T, cfg.d_model)                # concatenate heads
            x = x + linear(y, w[p + "attn.proj.weight"], w[p + "attn.proj.bias"])
            h = layer_norm(x, w[p + "ln2.weight"], w[p + "ln2.bias"])
            x = x + linear(gelu(linear(h, w[p + "mlp.fc.weight"], w[p + "mlp.fc.bias"])),
                           w[p + "mlp.proj.weight"], w[p + "mlp.proj.bias"])
            layers.append(att)
        if trace is not None:
            trace.update(token_embedding=tok, positional_encoding=pos, layers=layers)
        return layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])

    def forward(self, ids, trace: bool = False) -> tuple[np.ndarray, dict | None]:
        """Logits (T, vocab) for the token after each position, and the trace if asked."""
        record = {} if trace else None
        logits = linear(self.hidden(ids, record), self.w["lm_head.weight"])
        if record is not None:
            record["logits"] = logits
        return logits, record

    def __call__(self, ids, trace: bool = False):
        return self.forward(ids, trace)
