"""Head roles at token level (the word model), and the induction test.

Roles come from attention statistics on held-out windows of text. Per head we
average, over the queries of every window:

- previous token:  the weight on the key just before the query (i − 1);
- current token:   the weight on the query's own position;
- first token:     the weight on position 0, the "attention sink" (queries at position ≥ 8);
- punctuation:     the weight on earlier punctuation and end-of-text keys (j ≥ 1, j < i;
                   queries that have such a key only);
- recent tokens:   the weight on the RECENT keys before the query (i − 1 … i − RECENT), a local window;
- entropy:         the row's entropy divided by that of a uniform row over the allowed keys.

`top_key_share` says how often that key is the one the query attends to most.
The role is "induction" if the head passes the induction test (below) with at
least INDUCTION_THRESHOLD (the most specific behaviour: on text without
repeats an induction head falls back to a sink, so its statistics alone would
call it "first token"); else the single-key pattern (previous, current, first
token, punctuation) with the largest mean weight if it reaches THRESHOLD; else
"recent tokens" if the local window holds at least RECENT_THRESHOLD of the
weight (a head that reads the last few tokens, none of them sharply); else
"broad/averaging" if the rows are close to uniform; else "mixed".

The induction test (Olsson et al. 2022): a random sequence of distinct tokens,
said twice after an end-of-text token. A head that completes patterns looks,
from each token of the second copy, at the token that followed the same token
in the first copy. Score = mean weight on that key over the queries of the
second copy (1 for a perfect induction head; about 1/position for a uniform one).
"""
from __future__ import annotations

import numpy as np

from engine.texts import N_

# Role names are data (stored in the checkpoints, compared by pack claims); translated where shown.
PATTERNS = (N_("previous token"), N_("current token"), N_("first token"), N_("punctuation"), N_("recent tokens"))
INDUCTION, BROAD, MIXED = N_("induction"), N_("broad/averaging"), N_("mixed")
SINGLE_KEY = PATTERNS[:4]
THRESHOLD = 0.4
RECENT = 3
RECENT_THRESHOLD = 0.5
INDUCTION_THRESHOLD = 0.3
BROAD_ENTROPY = 0.75
MIN_POS_FOR_FIRST = 8


def _weights(model, ids) -> np.ndarray:
    """(layers, heads, T, T) softmax weights of every head on one sequence."""
    _, trace = model.forward(np.asarray(ids), trace=True)
    return np.stack([layer["weights"] for layer in trace["layers"]])


def head_statistics(model, windows: list[list[int]], punct_ids: set[int]) -> list[list[dict]]:
    cfg = model.cfg
    n = len(PATTERNS)
    sums = np.zeros((cfg.n_layer, cfg.n_head, n + 1))
    top_sums = np.zeros((cfg.n_layer, cfg.n_head, n))
    counts = np.zeros(n + 1)
    for ids in windows:
        ids = np.asarray(ids)
        T = len(ids)
        w = _weights(model, ids)
        top = w.argmax(-1)                                        # the most attended key of each query
        rows = np.arange(1, T)
        first_rows = np.arange(MIN_POS_FOR_FIRST, T)
        punct = np.isin(ids, list(punct_ids))
        punct[0] = False                                          # position 0 is the first-token pattern's
        punct_keys = punct[None, :] & np.tri(T, k=-1, dtype=bool)  # earlier punctuation keys of each query
        has_punct = punct_keys.any(axis=1)
        n_allowed = np.arange(1, T + 1)
        ent = -(w * np.log(np.where(w > 0, w, 1.0))).sum(-1)[..., 1:] / np.log(n_allowed[1:])
        recent_rows = np.arange(RECENT, T)
        recent = sum(w[..., recent_rows, recent_rows - d] for d in range(1, RECENT + 1))
        recent_top = (recent_rows - top[..., recent_rows] >= 1) & (recent_rows - top[..., recent_rows] <= RECENT)
        stats = [w[..., rows, rows - 1].sum(-1), w[..., rows, rows].sum(-1), w[..., first_rows, 0].sum(-1),
                 (w * punct_keys).sum(-1)[..., has_punct].sum(-1), recent.sum(-1), ent.sum(-1)]
        tops = [(top[..., rows] == rows - 1).sum(-1), (top[..., rows] == rows).sum(-1),
                (top[..., first_rows] == 0).sum(-1), punct_keys[np.arange(T), top][..., has_punct].sum(-1),
                recent_top.sum(-1)]
        for j, (s, c) in enumerate(zip(stats, [len(rows), len(rows), len(first_rows), int(has_punct.sum()),
                                               len(recent_rows), len(rows)])):
            sums[..., j] += s
            counts[j] += c
        for j, s in enumerate(tops):
            top_sums[..., j] += s
    means = sums / np.maximum(counts, 1)
    shares = top_sums / np.maximum(counts[:n], 1)
    return [[{"scores": {p: round(float(v), 4) for p, v in zip(PATTERNS, means[l, h, :n])},
              "top_key_share": {p: round(float(v), 4) for p, v in zip(PATTERNS, shares[l, h])},
              "entropy": round(float(means[l, h, n]), 4)}
             for h in range(cfg.n_head)] for l in range(cfg.n_layer)]


def induction_sequences(token_ids: list[int], start_id: int, length: int, count: int, seed: int) -> list[list[int]]:
    """`count` sequences [start, r_1 … r_L, r_1 … r_L] of L distinct random tokens."""
    rng = np.random.default_rng(seed)
    pool = np.asarray(token_ids)
    return [[start_id] + list(r) * 2 for r in (rng.choice(pool, size=length, replace=False).tolist()
                                                for _ in range(count))]


def induction_scores(model, sequences: list[list[int]]) -> np.ndarray:
    """(layers, heads): mean weight from each token of the second copy onto the token after its first occurrence."""
    total, n = 0.0, 0
    for seq in sequences:
        L = (len(seq) - 1) // 2
        w = _weights(model, seq)
        queries = np.arange(L + 1, 2 * L + 1)      # the second copy
        targets = queries - L + 1                   # after the same token in the first copy
        total = total + w[..., queries, targets].sum(-1)
        n += len(queries)
    return total / n


def role_of(entry: dict, induction: float) -> str:
    if induction >= INDUCTION_THRESHOLD:
        return INDUCTION
    scores = entry["scores"]
    best = max(SINGLE_KEY, key=scores.get)
    if scores[best] >= THRESHOLD:
        return best
    if scores[PATTERNS[4]] >= RECENT_THRESHOLD:
        return PATTERNS[4]  # recent tokens
    return BROAD if entry["entropy"] >= BROAD_ENTROPY else MIXED


def label_heads(model, ids: list[int], window: int, punct_ids: set[int], induction_tokens: list[int],
                start_id: int, max_windows: int = 40, induction_length: int = 24, induction_count: int = 20,
                seed: int = 0) -> dict:
    """Statistics, induction score and role of every head, as stored in the checkpoint's metadata."""
    windows = [ids[i:i + window] for i in range(0, len(ids) - window + 1, window)][:max_windows]
    heads = head_statistics(model, windows, punct_ids)
    induction_length = min(induction_length, (model.cfg.block_size - 1) // 2)  # both copies must fit the context
    sequences = induction_sequences(induction_tokens, start_id, induction_length, induction_count, seed)
    induction = induction_scores(model, sequences)
    for l, layer in enumerate(heads):
        for h, entry in enumerate(layer):
            entry["induction"] = round(float(induction[l, h]), 4)
            entry["role"] = role_of(entry, entry["induction"])
    return {
        "method": f"token level: induction if the induction score ≥ {INDUCTION_THRESHOLD}, else the single-key "
                  f"pattern with the largest mean weight on held-out validation text if ≥ {THRESHOLD}, else recent "
                  f"tokens if the last {RECENT} keys hold ≥ {RECENT_THRESHOLD}, else broad/averaging if normalised "
                  f"entropy ≥ {BROAD_ENTROPY}, else mixed",
        "level": "token",
        "windows": len(windows),
        "window": window,
        "induction_test": {"length": induction_length, "sequences": induction_count, "seed": seed,
                           "score": "mean weight from each token of the second copy onto the token after its "
                                    "first occurrence"},
        "heads": heads,
    }


def punctuation_ids(itos: list[str], eot_id: int) -> set[int]:
    """Tokens made only of punctuation or symbols (an optional leading space aside), and <eot>."""
    return {i for i, t in enumerate(itos) if t.strip() and not any(c.isalnum() for c in t)} | {eot_id}


def label_tokenizer_heads(model, tok, ids: list[int], window: int, seed: int = 0) -> dict:
    """label_heads with the tokenizer's punctuation, and its merged tokens (whole words and word pieces)
    as the random tokens of the induction test."""
    first_merged = tok.vocab_size - 1 - len(tok.merges)
    return label_heads(model, ids, window, punctuation_ids(tok.itos, tok.eot_id),
                       list(range(first_merged, tok.eot_id)), tok.eot_id, seed=seed)
