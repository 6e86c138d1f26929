"""Stage 3, the reward model: the judge of RLHF, learned from preference pairs.

The reward model r_φ(prompt, answer) is the SFT transformer with its language-model
head left unused and a scalar head on top. The head reads two vectors side
by side: the final hidden state at the <eot> after the answer (what
InstructGPT reads) and the average of the final hidden states over the
answer's tokens; score = w · [h_eot, mean_t h_t] + b. With the <eot> state
alone a model this small learns little beyond "does it end well", because a
misspelt word in the middle changes the states right after it much more than
the one at the end; with the average alone, how the answer ends is diluted
over all its tokens. (RewardSettings.pooling: "last+mean", "last" or "mean".)

It learns from pairs (prompt, chosen, rejected) in which a rater preferred
`chosen`, with the pairwise (Bradley–Terry) loss of InstructGPT:

    L(φ) = −Ê[ log σ(r_φ(prompt, chosen) − r_φ(prompt, rejected)) ]

Only the difference of two scores is ever trained, so the scale's zero is
arbitrary; after training the head is shifted and scaled so the scores of the
training answers have mean 0 and standard deviation 1 (the pairwise accuracy
and loss do not change; PPO gets rewards of a known size).

The pairs are in engine/data/preferences.jsonl; their labels come from the
rule in engine/rlhf/rater.py, which stands in for human raters.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from engine.rlhf import datasets as rlhf_data
from engine.transformer.model import GPT, GPTConfig
from engine.rlhf.sampling import Episodes, pad_right
from engine.transformer.tokenizer import CharTokenizer
from engine.transformer.variants import checkpoint_name, tokenizer_from_meta, tokenizer_metadata
from engine.texts import _, num


@dataclass
class RewardSettings:
    steps: int = 300
    batch_pairs: int = 16
    lr: float = 3e-4
    warmup: int = 20
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 300
    pooling: str = "last+mean"  # what the head reads: the <eot> state, the answer's mean state, or both
    threads: int = 1


POOLINGS = ("last+mean", "last", "mean")


class RewardModel(nn.Module):
    """The transformer body plus reward_head: hidden state at the last token → one number."""

    def __init__(self, body: GPT, pooling: str = "last+mean"):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
        self.body = body
        self.pooling = pooling
        width = body.cfg.d_model * (2 if pooling == "last+mean" else 1)
        self.reward_head = nn.Linear(width, 1)
        nn.init.normal_(self.reward_head.weight, std=0.02)
        nn.init.zeros_(self.reward_head.bias)

    @property
    def cfg(self) -> GPTConfig:
        return self.body.cfg

    def forward(self, ids: torch.Tensor, start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
        """[B] scores; the answer of row b is ids[b, start[b]:end[b] + 1], its <eot> at end[b]."""
        hidden = self.body.hidden(ids)
        last = hidden[torch.arange(ids.size(0)), end]
        j = torch.arange(ids.size(1))[None, :]
        mask = ((j >= start[:, None]) & (j <= end[:, None])).float().unsqueeze(-1)
        mean = (hidden * mask).sum(1) / mask.sum(1)
        pooled = {"last": last, "mean": mean, "last+mean": torch.cat([last, mean], dim=-1)}[self.pooling]
        return self.reward_head(pooled).squeeze(-1)

    def numpy_state(self) -> dict[str, np.ndarray]:
        state = self.body.numpy_state()
        state["reward_head.weight"] = self.reward_head.weight.detach().numpy().copy()
        state["reward_head.bias"] = self.reward_head.bias.detach().numpy().copy()
        return state


def pairwise_loss(chosen: torch.Tensor, rejected: torch.Tensor) -> torch.Tensor:
    """−Ê[log σ(r_chosen − r_rejected)]."""
    return -F.logsigmoid(chosen - rejected).mean()


def load_reward_model(name: str = "reward", directory: Path | str | None = None
                      ) -> tuple[RewardModel, CharTokenizer, dict]:
    from engine.rlhf.sft import lm_state
    from engine.transformer.weights import load_checkpoint

    state, meta = load_checkpoint(name, directory)
    cfg = GPTConfig(**{**meta["config"], "dropout": 0.0})
    rm = RewardModel(GPT.from_numpy_state(cfg, lm_state(state)), pooling=meta.get("pooling", "last"))
    with torch.no_grad():
        rm.reward_head.weight.copy_(torch.from_numpy(np.asarray(state["reward_head.weight"])))
        rm.reward_head.bias.copy_(torch.from_numpy(np.asarray(state["reward_head.bias"])))
    return rm.eval(), tokenizer_from_meta(meta), meta


# --- scoring texts and sampled episodes ---

def encode_answer(tok: CharTokenizer, prompt: str, response: str) -> tuple[list[int], int]:
    """(prompt + response + <eot>, index of the answer's first token): the answer read as finished text."""
    return tok.encode(prompt + response) + [tok.eot_id], len(tok.encode(prompt))


def batch_of(encoded: list[tuple[list[int], int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ids [B, T], start [B], end [B]) from (ids, answer start) pairs; end is the <eot>."""
    ids, lens = pad_right([e[0] for e in encoded], pad_id)
    return ids, torch.tensor([e[1] for e in encoded]), lens - 1


@torch.no_grad()
def score_texts(rm: RewardModel, tok: CharTokenizer, prompts: list[str], answers: list[str],
                batch: int = 64) -> np.ndarray:
    """r_φ(prompt, answer) for each pair of texts (answers with their leading space)."""
    out = []
    for i in range(0, len(prompts), batch):
        encoded = [encode_answer(tok, p, a) for p, a in zip(prompts[i:i + batch], answers[i:i + batch])]
        out.append(rm(*batch_of(encoded, tok.eot_id)).numpy())
    return np.concatenate(out).astype(np.float64)


@torch.no_grad()
def score_episodes(rm: RewardModel, episodes: Episodes, eot_id: int) -> torch.Tensor:
    """[B] reward-model score of each sampled answer; an answer cut off by the length limit gets an <eot> appended."""
    encoded = []
    for i in range(episodes.ids.size(0)):
        p = int(episodes.prompt_lens[i])
        seq = episodes.ids[i, :p + int(episodes.response_lens[i])].tolist()
        if not bool(episodes.finished[i]):
            cut = max(0, len(seq) + 1 - rm.cfg.block_size)
            seq, p = seq[cut:] + [eot_id], max(0, p - cut)
        encoded.append((seq, p))
    return rm(*batch_of(encoded, eot_id))


# --- training ---

def pair_batch(tok: CharTokenizer, pairs: list[dict]) -> tuple[tuple[torch.Tensor, ...], int]:
    """((ids, start, end) of 2B answers, B): the chosen answers first, then the rejected ones."""
    encoded = [encode_answer(tok, p["prompt"], p["chosen"]) for p in pairs] + \
              [encode_answer(tok, p["prompt"], p["rejected"]) for p in pairs]
    return batch_of(encoded, tok.eot_id), len(pairs)


def batch_loss(rm: RewardModel, batch) -> torch.Tensor:
    inputs, n = batch
    scores = rm(*inputs)
    return pairwise_loss(scores[:n], scores[n:])


@torch.no_grad()
def evaluate_pairs(rm: RewardModel, tok: CharTokenizer, pairs: list[dict], batch: int = 32) -> dict:
    """Pairwise accuracy (r_chosen > r_rejected), mean loss, and the accuracy per kind of rejected answer."""
    was_training = rm.training
    rm.eval()
    margins = []
    for i in range(0, len(pairs), batch):
        inputs, n = pair_batch(tok, pairs[i:i + batch])
        s = rm(*inputs)
        margins.append((s[:n] - s[n:]).numpy())
    rm.train(was_training)
    return pair_metrics(pairs, np.concatenate(margins))


def pair_metrics(pairs: list[dict], margin: np.ndarray) -> dict:
    """The metrics of evaluate_pairs from the margins r_chosen − r_rejected."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for p, m in zip(pairs, margin):
        key = p["rejected_kind"] if p["chosen_kind"] == "correct" else "between_two_bad_answers"
        by_kind[key].append(bool(m > 0))
    return {
        "accuracy": float(np.mean(margin > 0)),
        "loss": float(np.mean(np.logaddexp(0.0, -margin))),  # −log σ(m) = log(1 + e^(−m))
        "mean_margin": float(np.mean(margin)),
        "accuracy_by_rejected_kind": {k: round(float(np.mean(v)), 4) for k, v in sorted(by_kind.items()) if v},
        "pairs": len(pairs),
    }


def normalise_head(rm: RewardModel, tok: CharTokenizer, pairs: list[dict]) -> tuple[dict, dict]:
    """Shift and scale the head so the training answers' scores have mean 0 and std 1.

    Returns (the shift and scale, the training pairs' metrics after it), from one pass over the answers.
    """
    prompts = [p["prompt"] for p in pairs] * 2
    answers = [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs]
    raw = score_texts(rm, tok, prompts, answers)
    mean, std = float(raw.mean()), float(raw.std())
    with torch.no_grad():
        rm.reward_head.weight /= std
        rm.reward_head.bias.sub_(mean).div_(std)
    margin = (raw[:len(pairs)] - raw[len(pairs):]) / std
    return {"raw_mean": mean, "raw_std": std}, pair_metrics(pairs, margin)


def train_reward_model(out: Path | str, seed: int = 0, steps: int | None = None,
                       settings: RewardSettings | None = None, progress: bool = True, source: str | None = None,
                       source_dir: Path | str | None = None, log: Callable[[str], None] = print,
                       model: str = "char") -> dict:
    """Train r_φ on the preference pairs, starting from the SFT weights; write out/reward.* (word: word-reward.*)."""
    from engine.rlhf.progress import progress_bar
    from engine.rlhf.sft import _data_meta, load_gpt, source_for
    from engine.rlhf.pretrain import train_lm
    from engine.transformer.weights import save_checkpoint

    source = source or checkpoint_name(model, "sft")
    s = settings or RewardSettings()
    if steps is not None:
        s.steps = steps
    torch.set_num_threads(s.threads)
    torch.manual_seed(seed)
    started = time.perf_counter()

    body, tok, source_meta = load_gpt(source, source_for(source, out, source_dir, log), dropout=None)
    rm = RewardModel(body, pooling=s.pooling)
    train_pairs, heldout_pairs = rlhf_data.load_preferences("train"), rlhf_data.load_preferences("heldout")
    log(_("reward model: {n} preference pairs ({held} held out), starting from the {source} weights").format(
        n=len(train_pairs), held=len(heldout_pairs), source=source))
    gen = torch.Generator().manual_seed(seed)

    def get_batch():
        idx = torch.randint(len(train_pairs), (s.batch_pairs,), generator=gen).tolist()
        return pair_batch(tok, [train_pairs[i] for i in idx])

    with progress_bar("reward", s.steps, enabled=progress) as bar:
        history = train_lm(
            rm, get_batch, s.steps, s.lr, warmup=s.warmup, min_lr_ratio=s.min_lr_ratio,
            weight_decay=s.weight_decay, grad_clip=s.grad_clip, loss_fn=batch_loss,
            eval_fn=lambda: evaluate_pairs(rm, tok, heldout_pairs)["loss"], eval_every=s.eval_every,
            on_step=lambda step, loss: bar(step, _("loss {loss}").format(loss=num(loss, ".3f"))),
            on_eval=lambda step, tr, va: log(_("reward step {step:>4}: train loss {train}, held-out loss {heldout}").format(
                step=step, train=num(tr, ".4f"), heldout=num(va, ".4f"))))
    rm.eval()
    normalisation, train_eval = normalise_head(rm, tok, train_pairs)
    heldout_eval = evaluate_pairs(rm, tok, heldout_pairs)
    seconds = time.perf_counter() - started
    log(_("reward model done in {seconds} s: pairwise accuracy train {train}, held out {heldout}").format(
        seconds=num(seconds, ".0f"), train=num(train_eval["accuracy"], ".1%"), heldout=num(heldout_eval["accuracy"], ".1%")))

    meta = {
        "stage": "reward",
        "model": model,
        "config": rm.cfg.to_dict(),
        "parameters": sum(p.numel() for p in rm.parameters()),
        **tokenizer_metadata(tok),
        "head": "reward_head: score = reward_head.weight · h + reward_head.bias; h = [h_eot, mean of the answer's "
                "final hidden states] (pooling 'last+mean'), h_eot alone ('last') or the mean alone ('mean')",
        "pooling": s.pooling,
        "source": {"checkpoint": source, "weights_sha256": source_meta.get("weights_sha256")},
        "data": _data_meta(),
        "labels": "engine/rlhf/rater.py: a documented rule standing in for human raters",
        "training": {"seed": seed, "steps": s.steps, "settings": asdict(s), "seconds": round(seconds, 1),
                     "torch": torch.__version__},
        "normalisation": normalisation,
        "metrics": {"train": train_eval, "heldout": heldout_eval,
                    "history": {"step": history.steps, "train_loss": [round(x, 5) for x in history.train],
                                "heldout_loss": [round(x, 5) for x in history.val]}},
    }
    weights_path, meta_path = save_checkpoint(checkpoint_name(model, "reward"), rm.numpy_state(), meta, out)
    log(_("wrote {weights} and {meta}").format(weights=weights_path, meta=meta_path))
    return meta
