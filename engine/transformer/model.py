"""A small decoder-only transformer (GPT) in PyTorch, in the spirit of nanoGPT.

    token ids ─► token embedding + sinusoidal positional encoding
              ─► n_layer × [ x + attention(LayerNorm(x)),  x + MLP(LayerNorm(x)) ]   (pre-norm blocks)
              ─► LayerNorm ─► language-model head ─► logits over the vocabulary

`forward(idx, trace=True)` also returns every intermediate a learner may want
to see: per layer and head q, k, v, the raw scores q·k, the scores scaled by
1/√d_k, the causal mask, the softmax weights and the head's output.
`engine.transformer.numpy_model` computes the same thing without torch; the tests check
that both agree.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from engine.transformer.positional import positional_encoding


@dataclass
class GPTConfig:
    vocab_size: int
    block_size: int = 128  # the context: the most tokens the model sees at once
    n_layer: int = 3
    n_head: int = 4
    d_model: int = 128
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


# Rows sharing fewer leading tokens take the plain pass: the shared one's extra attention call and
# concatenations cost more than the positions it saves (measured, forward + backward of 4 rows: 1.05–1.09×
# the plain pass's time at 8 shared tokens, 0.66–0.97× at 16–24).
SHARED_MIN = 16


class CausalSelfAttention(nn.Module):
    """Multi-head attention in which each position sees itself and the positions before it."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        assert cfg.d_model % cfg.n_head == 0
        self.n_head, self.d_k = cfg.n_head, cfg.d_model // cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)   # W_Q, W_K, W_V side by side
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)      # W_O: mixes the heads' outputs
        self.dropout = cfg.dropout

    def forward(self, x: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) → (B, n_head, T, d_k): each head works on its own d_k-wide slice
        q, k, v = (t.view(B, T, self.n_head, self.d_k).transpose(1, 2) for t in (q, k, v))
        if trace is None:
            # Training path: PyTorch's fused kernel computes exactly the lines below.
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        else:
            scores = q @ k.transpose(-2, -1)                  # (B, h, T, T): q·k for every pair
            scaled = scores / math.sqrt(self.d_k)             # keeps the softmax out of saturation
            mask = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device))  # True = may attend
            weights = F.softmax(scaled.masked_fill(~mask, float("-inf")), dim=-1)
            y = weights @ v                                   # weighted sum of the values
            trace.update(q=q, k=k, v=v, scores=scores, scaled=scaled, mask=mask, weights=weights, output=y)
        y = y.transpose(1, 2).contiguous().view(B, T, C)    # concatenate the heads
        return self.proj(y)

    def shared_forward(self, head: torch.Tensor, tail: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The attention of rows that begin with the same tokens: `head` (1, P, C) holds those once, `tail`
        (B, S, C) each row's own continuation. The head sees itself causally; a row's position P + i sees
        the whole head and its own positions up to P + i: what forward() computes on the full rows."""
        B, S, C = tail.shape
        P = head.size(1)
        qh, kh, vh = (t.view(1, P, self.n_head, self.d_k).transpose(1, 2) for t in self.qkv(head).split(C, dim=2))
        qt, kt, vt = (t.view(B, S, self.n_head, self.d_k).transpose(1, 2) for t in self.qkv(tail).split(C, dim=2))
        p = self.dropout if self.training else 0.0
        yh = F.scaled_dot_product_attention(qh, kh, vh, is_causal=True, dropout_p=p)
        k = torch.cat([kh.expand(B, -1, -1, -1), kt], dim=2)
        v = torch.cat([vh.expand(B, -1, -1, -1), vt], dim=2)
        sees = torch.ones(S, P + S, dtype=torch.bool, device=tail.device).tril(diagonal=P)
        yt = F.scaled_dot_product_attention(qt, k, v, attn_mask=sees, dropout_p=p)
        return (self.proj(yh.transpose(1, 2).reshape(1, P, C)),
                self.proj(yt.transpose(1, 2).reshape(B, S, C)))


class MLP(nn.Module):
    """The position-wise feed-forward network: widen 4×, GELU, narrow back."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, 4 * cfg.d_model)
        self.proj = nn.Linear(4 * cfg.d_model, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.proj(F.gelu(self.fc(x), approximate="tanh")))


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), trace)
        return x + self.mlp(self.ln2(x))

    def shared_forward(self, head: torch.Tensor, tail: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """forward() on rows that share their first tokens (CausalSelfAttention.shared_forward)."""
        a_head, a_tail = self.attn.shared_forward(self.ln1(head), self.ln1(tail))
        head, tail = head + a_head, tail + a_tail
        return head + self.mlp(self.ln2(head)), tail + self.mlp(self.ln2(tail))


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)  # token id → vector
        # Fixed, not learned: a buffer, saved with the weights but never trained.
        self.register_buffer("pe", torch.tensor(positional_encoding(cfg.block_size, cfg.d_model),
                                                dtype=torch.float32), persistent=False)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            # Small next to the positional code (entries of size ~1), so attention starts out
            # reading positions; the token vectors grow as training finds them useful.
            nn.init.normal_(m.weight, std=0.02)

    def hidden(self, idx: torch.Tensor, trace: dict | None = None, shared: int = 0) -> torch.Tensor:
        """The final hidden states (B, T, d_model): what the LM head, or a value/reward head, reads.

        `shared`: the first `shared` tokens are the same in every row (one prompt, many sampled answers).
        Those positions are computed once instead of once per row; causal attention makes them the same
        in every row, so the result is the same up to float rounding, for less arithmetic. Ignored below
        SHARED_MIN tokens and under dropout; ValueError if the rows differ there.
        """
        B, T = idx.shape
        if T > self.cfg.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than the context ({self.cfg.block_size})")
        dropout = self.training and self.cfg.dropout > 0  # each row needs its own noise on the prompt
        if trace is None and B > 1 and SHARED_MIN <= shared < T and not dropout:
            return self._shared_hidden(idx, shared)
        tok = self.wte(idx)
        pos = self.pe[:T]
        x = self.drop(tok + pos)
        layers = []
        for block in self.blocks:
            layer = {} if trace is not None else None
            x = block(x, layer)
            if layer is not None:
                layers.append(layer)
        if trace is not None:
            trace.update(token_embedding=tok, positional_encoding=pos, layers=layers)
        return self.ln_f(x)

    def _shared_hidden(self, idx: torch.Tensor, shared: int) -> torch.Tensor:
        B, T = idx.shape
        if not torch.equal(idx[1:, :shared], idx[:1, :shared].expand(B - 1, -1)):
            raise ValueError(f"the rows differ within the first {shared} tokens they were said to share")
        head = self.drop(self.wte(idx[:1, :shared]) + self.pe[:shared])   # (1, P, C): once for every row
        tail = self.drop(self.wte(idx[:, shared:]) + self.pe[shared:T])   # (B, T − P, C)
        for block in self.blocks:
            head, tail = block.shared_forward(head, tail)
        return torch.cat([self.ln_f(head).expand(B, -1, -1), self.ln_f(tail)], dim=1)

    def forward(self, idx: torch.Tensor, trace: bool = False, shared: int = 0) -> tuple[torch.Tensor, dict | None]:
        """Logits (B, T, vocab) for the next token after every position, and the trace if asked
        (`shared`: see hidden())."""
        record = {} if trace else None
        logits = self.lm_head(self.hidden(idx, record, shared))
        if record is not None:
            record["logits"] = logits
        return logits, record

    def loss(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the next token: −log π_θ(target | context)."""
        logits, _ = self(idx)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, generator: torch.Generator | None = None,
                 stop_id: int | None = None) -> torch.Tensor:
        """Sample tokens one at a time from π_θ(·|context); the context is cut to the last block_size.

        Call model.eval() first: in training mode dropout would change the distribution.
        """
        for _ in range(max_new_tokens):
            context = idx[:, -self.cfg.block_size:]
            logits = self(context)[0][:, -1, :] / temperature
            if top_k is not None:
                kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = F.softmax(logits, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator)
            idx = torch.cat([idx, nxt], dim=1)
            if stop_id is not None and bool((nxt == stop_id).all()):
                break
        return idx

    # --- weights as plain numpy arrays (what engine.transformer.weights saves and engine.transformer.numpy_model reads) ---

    def numpy_state(self) -> dict[str, np.ndarray]:
        return {k: v.detach().cpu().numpy().copy() for k, v in self.state_dict().items()}

    @classmethod
    def from_numpy_state(cls, cfg: GPTConfig, state: dict[str, np.ndarray]) -> "GPT":
        model = cls(cfg)
        model.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
        return model
