"""Loss on the held-out course sentences in nats per character, for any tokenizer, with n-gram baselines.

engine/data/heldout_sentences.txt holds course sentences written by hand apart
from the corpus generators (a test checks that none of them is in a corpus).
Each sentence is read on its own after an end-of-text token, so every one of
its tokens is predicted; the summed cross-entropy is divided by the sentence's
characters. Nats per character compare a character model with a sub-word
model: a sub-word token carries several characters, so nats per token do not.

Baselines on the same tokens, estimated on the training split:

- unigram: p(t) = its frequency (add-one);
- bigram:  p(t | u) = λ · count(u, t) / count(u) + (1 − λ) · p_unigram(t), with λ
  chosen on the validation split from a small grid (interpolated, so an unseen
  pair still gets a probability).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

HELDOUT = Path(__file__).parent.parent / "data" / "heldout_sentences.txt"
LAMBDAS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def heldout_sentences(path: Path = HELDOUT) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def unigram_logp(train: np.ndarray, vocab_size: int) -> np.ndarray:
    counts = np.bincount(train, minlength=vocab_size) + 1.0
    return np.log(counts / counts.sum())


def bigram_logp(train: np.ndarray, val: np.ndarray, vocab_size: int) -> tuple[np.ndarray, float]:
    """(log p(t | u) as a (V, V) matrix, the λ chosen on val)."""
    uni = np.exp(unigram_logp(train, vocab_size))
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (train[:-1], train[1:]), 1.0)
    rows = counts.sum(1, keepdims=True)
    cond = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    best = None
    for lam in LAMBDAS:
        logp = np.log(lam * cond + (1 - lam) * uni[None, :])
        nll = -logp[val[:-1], val[1:]].mean()
        if best is None or nll < best[0]:
            best = (nll, lam, logp)
    return best[2], best[1]


def sentence_ids(tok, sentences: list[str]) -> list[list[int]]:
    """[<eot>] + the sentence's ids: the end-of-text token is the context of the first token."""
    return [[tok.eot_id] + tok.encode(s) for s in sentences]


def baseline_nats_per_char(tok, sentences: list[str], train: np.ndarray, val: np.ndarray) -> dict:
    V = tok.vocab_size
    uni = unigram_logp(train, V)
    bi, lam = bigram_logp(train, val, V)
    seqs = sentence_ids(tok, sentences)
    chars = sum(len(s) for s in sentences)
    return {"unigram": float(-sum(uni[s[1:]].sum() for s in seqs) / chars),
            "bigram": float(-sum(bi[s[:-1], s[1:]].sum() for s in seqs) / chars),
            "bigram_lambda": lam}


def model_nats_per_char(model, tok, sentences: list[str]) -> dict:
    """The torch model's summed cross-entropy over the sentences' tokens, per character and per token."""
    import torch
    import torch.nn.functional as F

    seqs = sentence_ids(tok, sentences)
    total, tokens = 0.0, 0
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for s in seqs:
            ids = torch.tensor([s[: model.cfg.block_size + 1]])
            logits, _ = model(ids[:, :-1])
            total += F.cross_entropy(logits[0], ids[0, 1:], reduction="sum").item()
            tokens += ids.size(1) - 1
    model.train(was_training)
    chars = sum(len(s) for s in sentences)
    return {"nats_per_char": total / chars, "nats_per_token": total / tokens, "tokens": tokens,
            "characters": chars, "characters_per_token": chars / tokens}


def report(model, tok, train: np.ndarray, val: np.ndarray, sentences: list[str] | None = None) -> dict:
    """Model and baselines on the held-out sentences, all in nats per character."""
    sentences = heldout_sentences() if sentences is None else sentences
    out = {"sentences": len(sentences), "file": "engine/data/heldout_sentences.txt", "unit": "nats per character"}
    out.update(model_nats_per_char(model, tok, sentences))
    out["baselines"] = baseline_nats_per_char(tok, sentences, train, val)
    return out
