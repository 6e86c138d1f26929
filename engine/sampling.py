"""Answers sampled from a policy, a batch of prompts at a time, and the per-token numbers PPO needs.

The layout every RLHF module shares (one row per episode, right-padded):

    ids      [B, T]   prompt tokens, then the response tokens a_0 … a_{L−1}, then padding
    inputs   ids[:, :-1]  and  targets  ids[:, 1:]
    mask     [B, T−1] True at the target positions that hold a response token

Position j of `inputs` is the end of the state s_t = prompt + a_<t, and
targets[j] = a_t is the action taken there, for j = prompt_len − 1 + t. So
log π(a_t|s_t), V(s_t) and the KL per token all live at the masked positions.

The model reads absolute positions from 0, so prompts are padded on the
right, never on the left; at each generation step every row reads the logits
at its own last position (attention is causal, so padding after a position
never changes it).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Episodes:
    ids: torch.Tensor             # [B, T] prompt + response + padding
    prompt_lens: torch.Tensor     # [B]
    response_lens: torch.Tensor   # [B] tokens generated, the stop token included when it was sampled
    finished: torch.Tensor        # [B] True when the response ended with the stop token

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
                        self.finished[index])


def pad_right(sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """([B, max_len] padded ids, [B] lengths)."""
    lens = torch.tensor([len(s) for s in sequences])
    out = torch.full((len(sequences), int(lens.max())), pad_id, dtype=torch.long)
    for i, s in enumerate(sequences):
        out[i, :len(s)] = torch.tensor(s, dtype=torch.long)
    return out, lens


@torch.no_grad()
def sample(model, prompts: list[list[int]], max_new_tokens: int, stop_id: int, generator: torch.Generator,
           temperature: float = 1.0, greedy: bool = False) -> Episodes:
    """Sample a response for each prompt from π(·|s_t) until the stop token or max_new_tokens."""
    block = model.cfg.block_size
    B = len(prompts)
    prompt_lens = torch.tensor([len(p) for p in prompts])
    max_new_tokens = min(max_new_tokens, block - int(prompt_lens.max()))
    ids = torch.full((B, int(prompt_lens.max()) + max_new_tokens), stop_id, dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, :len(p)] = torch.tensor(p, dtype=torch.long)
    cur = prompt_lens.clone()             # where each row writes its next token
    done = torch.zeros(B, dtype=torch.bool)
    rows = torch.arange(B)
    for _ in range(max_new_tokens):
        logits, _ = model(ids[:, :int(cur.max())])
        last = logits[rows, cur - 1] / temperature        # each row's π(·|s_t)
        if greedy:
            nxt = last.argmax(-1)
        else:
            nxt = torch.multinomial(F.softmax(last, dim=-1), 1, generator=generator)[:, 0]
        live = ~done
        ids[rows[live], cur[live]] = nxt[live]
        cur = cur + live.long()
        done = done | (live & (nxt == stop_id))
        if bool(done.all()):
            break
    width = int(cur.max())
    return Episodes(ids[:, :width], prompt_lens, cur - prompt_lens, done)


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
