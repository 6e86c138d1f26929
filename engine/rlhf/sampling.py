"""Answers sampled from a policy, a batch of prompts at a time, and the per-token numbers PPO needs.

The layout every RLHF module shares (one row per episode, right-padded):

    ids      [B, T]   prompt tokens, then the response tokens a_0 … a_{L−1}, then padding
    inputs   ids[:, :-1]  and  targets  ids[:, 1:]
    mask     [B, T−1] True at the target positions that hold a response token

Position j of `inputs` is the end of the state s_t = prompt + a_<t, and
targets[j] = a_t is the action taken there, for j = prompt_len − 1 + t. So
log π(a_t|s_t), V(s_t) and the KL per token all live at the masked positions.

The model reads absolute positions from 0, so prompts are padded on the
right, never on the left; every row generates at its own position (attention
is causal, so padding after a position never changes it). Generation keeps
each layer's keys and values (CachedDecoder), so a new token costs one
position, not a pass over the whole text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Episodes:
    ids: torch.Tensor             # [B, T] prompt + response + padding
    prompt_lens: torch.Tensor     # [B]
    response_lens: torch.Tensor   # [B] tokens generated, the stop token included when it was sampled
    finished: torch.Tensor        # [B] True when the response ended with the stop token
    shared: int = 0               # leading tokens the same in every row (one prompt for all): GPT.hidden

    @property
    def inputs(self) -> torch.Tensor:
        return self.ids[:, :-1]

    @property
    def targets(self) -> torch.Tensor:
        return self.ids[:, 1:]

    @property
    def mask(self) -> torch.Tensor:
        """[B, T−1]: True where the target is a response token (an action)."""
        j = torch.arange(self.ids.size(1) - 1)[None, :]
        start = (self.prompt_lens - 1)[:, None]
        return (j >= start) & (j < start + self.response_lens[:, None])

    @property
    def last_index(self) -> torch.Tensor:
        """[B] index in `inputs`/`targets` of each episode's last action."""
        return self.prompt_lens - 2 + self.response_lens

    def rows(self, index: torch.Tensor) -> "Episodes":
        """A minibatch of episodes, cut to the longest of them."""
        width = int((self.prompt_lens[index] + self.response_lens[index]).max())
        return Episodes(self.ids[index, :width], self.prompt_lens[index], self.response_lens[index],
                        self.finished[index], self.shared)


def pad_right(sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """([B, max_len] padded ids, [B] lengths)."""
    lens = torch.tensor([len(s) for s in sequences])
    out = torch.full((len(sequences), int(lens.max())), pad_id, dtype=torch.long)
    for i, s in enumerate(sequences):
        out[i, :len(s)] = torch.tensor(s, dtype=torch.long)
    return out, lens


class CachedDecoder:
    """The GPT forward pass one new token per row at a time, keeping each layer's keys and values.

    Sampling with a full forward pass per token recomputes every earlier position;
    with the cache each step costs one position per row. Rows may stand at
    different positions (prompts of different lengths): row b writes its key and
    value at pos[b] and attends to positions ≤ pos[b]. The numbers equal those
    of the model's own forward pass (a test checks), it is only faster.
    """

    def __init__(self, model, batch: int):
        self.model = model
        cfg = model.cfg
        self.n_head, self.d_k = cfg.n_head, cfg.d_model // cfg.n_head
        shape = (batch, self.n_head, cfg.block_size, self.d_k)
        self.keys = [torch.zeros(shape) for _ in model.blocks]
        self.values = [torch.zeros(shape) for _ in model.blocks]

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        B, T, C = t.shape
        return t.view(B, T, self.n_head, self.d_k).transpose(1, 2)

    def prefill(self, ids: torch.Tensor) -> torch.Tensor:
        """Logits [B, T, vocab] for a right-padded batch of prompts; caches every position."""
        m = self.model
        B, T = ids.shape
        x = m.wte(ids) + m.pe[:T]
        for i, block in enumerate(m.blocks):
            q, k, v = (self._heads(t) for t in block.attn.qkv(block.ln1(x)).split(x.size(-1), dim=2))
            self.keys[i][:, :, :T], self.values[i][:, :, :T] = k, v
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + block.attn.proj(y.transpose(1, 2).reshape(B, T, -1))
            x = x + block.mlp(block.ln2(x))
        return m.lm_head(m.ln_f(x))

    def step(self, tokens: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """Logits [B, vocab] of the next token after writing tokens[b] at position pos[b]."""
        m = self.model
        B = tokens.size(0)
        rows = torch.arange(B)
        x = (m.wte(tokens) + m.pe[pos])[:, None, :]                         # (B, 1, C)
        visible = (torch.arange(m.cfg.block_size)[None, :] <= pos[:, None])[:, None, None, :]
        for i, block in enumerate(m.blocks):
            q, k, v = (self._heads(t) for t in block.attn.qkv(block.ln1(x)).split(x.size(-1), dim=2))
            self.keys[i][rows, :, pos] = k[:, :, 0]
            self.values[i][rows, :, pos] = v[:, :, 0]
            scores = (q @ self.keys[i].transpose(-2, -1)) / math.sqrt(self.d_k)  # (B, h, 1, block)
            weights = F.softmax(scores.masked_fill(~visible, float("-inf")), dim=-1)
            y = weights @ self.values[i]                                     # (B, h, 1, d_k)
            x = x + block.attn.proj(y.transpose(1, 2).reshape(B, 1, -1))
            x = x + block.mlp(block.ln2(x))
        return m.lm_head(m.ln_f(x))[:, 0]


@torch.no_grad()
def sample(model, prompts: list[list[int]], max_new_tokens: int, stop_id: int, generator: torch.Generator,
           temperature: float = 1.0, greedy: bool = False) -> Episodes:
    """Sample a response for each prompt from π(·|s_t) until the stop token or max_new_tokens."""
    was_training = model.training
    model.eval()
    block = model.cfg.block_size
    B = len(prompts)
    prompt_lens = torch.tensor([len(p) for p in prompts])
    max_new_tokens = min(max_new_tokens, block - int(prompt_lens.max()))
    ids = torch.full((B, int(prompt_lens.max()) + max_new_tokens), stop_id, dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, :len(p)] = torch.tensor(p, dtype=torch.long)
    rows = torch.arange(B)
    decoder = CachedDecoder(model, B)
    logits = decoder.prefill(ids[:, :int(prompt_lens.max())])[rows, prompt_lens - 1]  # each row's π(·|s_0)
    cur = prompt_lens.clone()             # where each row writes its next token
    done = torch.zeros(B, dtype=torch.bool)
    for step in range(max_new_tokens):
        if step:
            logits = decoder.step(ids[rows, cur - 1], cur - 1)
        if greedy:
            nxt = logits.argmax(-1)
        else:
            nxt = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=generator)[:, 0]
        live = ~done
        ids[rows[live], cur[live]] = nxt[live]
        cur = cur + live.long()
        done = done | (live & (nxt == stop_id))
        if bool(done.all()):
            break
    model.train(was_training)
    width = int(cur.max())
    shared = len(prompts[0]) if all(p == prompts[0] for p in prompts) else 0
    return Episodes(ids[:, :width], prompt_lens, cur - prompt_lens, done, shared)


def token_log_probs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """log π(a_t|s_t) at every position: log_softmax of the logits, read at the chosen token."""
    return F.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def responses(episodes: Episodes, decode) -> list[str]:
    """The generated text of each episode, the stop token left out."""
    out = []
    for i in range(episodes.ids.size(0)):
        p, n = int(episodes.prompt_lens[i]), int(episodes.response_lens[i])
        n -= int(episodes.finished[i])
        out.append(decode(episodes.ids[i, p:p + n].tolist()))
    return out
