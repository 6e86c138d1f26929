"""Label each attention head by what it attends to, from its weights on held-out text.

For every head we average, over the queries of many held-out windows:

- previous token: the weight on the key just before the query (position i − 1);
- current token:  the weight on the query's own position;
- start of text:  the weight on position 0 (queries at position ≥ 8 only, where it is not trivially large);
- same character: the weight on earlier keys holding the query's own character
                  (queries that have such a key only);
- word start:     the weight on the most recent space before the query;
- entropy:        the row's entropy divided by the entropy of a uniform row over the allowed keys.

For each pattern we also record `top_key_share`: how often that key is the one
the query attends to most.

The role is the pattern with the largest mean weight if it reaches THRESHOLD;
otherwise "broad/averaging" when the rows are close to uniform, else "mixed".
Nothing here is hand-written per head: retrain the model and the labels follow.
"""
from __future__ import annotations

import numpy as np

from engine.texts import N_

# Role names are data (stored in the checkpoints, compared by pack claims); N_ marks them for the
# catalogue, and they are translated where a role is shown.
PATTERNS = (N_("previous token"), N_("current token"), N_("start of text"), N_("same character"), N_("word start"))
BROAD, MIXED = N_("broad/averaging"), N_("mixed")
THRESHOLD = 0.4
BROAD_ENTROPY = 0.75
MIN_POS_FOR_START = 8


def head_statistics(model, windows: list[list[int]], space_id: int | None) -> list[list[dict]]:
    """Mean attention statistics per layer and head over the given token-id windows."""
    cfg = model.cfg
    sums = np.zeros((cfg.n_layer, cfg.n_head, len(PATTERNS) + 1))
    counts = np.zeros(len(PATTERNS) + 1)
    top_sums = np.zeros((cfg.n_layer, cfg.n_head, len(PATTERNS)))
    for ids in windows:
        ids = np.asarray(ids)
        T = len(ids)
        _, trace = model.forward(ids, trace=True)
        w = np.stack([layer["weights"] for layer in trace["layers"]])  # (layers, heads, T, T)
        rows = np.arange(1, T)                      # queries with at least one earlier key
        same = (ids[None, :] == ids[:, None]) & np.tri(T, k=-1, dtype=bool)  # earlier key, same token
        has_same = same.any(axis=1)
        last_space = _last_space_before(ids, space_id)
        q_space = np.nonzero(last_space >= 0)[0]
        start_rows = np.arange(MIN_POS_FOR_START, T)
        n_allowed = np.arange(1, T + 1)
        ent = -(w * np.log(np.where(w > 0, w, 1.0))).sum(-1)[..., 1:] / np.log(n_allowed[1:])
        top = w.argmax(-1)                          # (layers, heads, T): the most attended key of each query
        stats = [
            w[..., rows, rows - 1].sum(-1),                          # previous token
            w[..., rows, rows].sum(-1),                              # current token
            w[..., start_rows, 0].sum(-1),                           # start of text
            (w * same).sum(-1)[..., has_same].sum(-1),               # same character
            w[..., q_space, last_space[q_space]].sum(-1),            # word start
            ent.sum(-1),                                             # normalised entropy
        ]
        tops = [
            (top[..., rows] == rows - 1).sum(-1),
            (top[..., rows] == rows).sum(-1),
            (top[..., start_rows] == 0).sum(-1),
            same[np.arange(T), top][..., has_same].sum(-1),
            (top[..., q_space] == last_space[q_space]).sum(-1),
        ]
        n = [len(rows), len(rows), len(start_rows), int(has_same.sum()), len(q_space), len(rows)]
        for j, (s, c) in enumerate(zip(stats, n)):
            sums[..., j] += s
            counts[j] += c
        for j, s in enumerate(tops):
            top_sums[..., j] += s
    means = sums / np.maximum(counts, 1)
    shares = top_sums / np.maximum(counts[:len(PATTERNS)], 1)
    return [[_describe(means[layer, head], shares[layer, head]) for head in range(cfg.n_head)]
            for layer in range(cfg.n_layer)]


def _last_space_before(ids: np.ndarray, space_id: int | None) -> np.ndarray:
    """For each position i, the latest j < i holding a space, or -1."""
    out = np.full(len(ids), -1)
    last = -1
    for i, t in enumerate(ids):
        out[i] = last
        if space_id is not None and t == space_id:
            last = i
    return out


def _describe(m: np.ndarray, share: np.ndarray) -> dict:
    scores = {name: round(float(v), 4) for name, v in zip(PATTERNS, m)}
    top = {name: round(float(v), 4) for name, v in zip(PATTERNS, share)}
    entropy = round(float(m[len(PATTERNS)]), 4)
    best = max(scores, key=scores.get)
    if scores[best] >= THRESHOLD:
        role = best
    elif entropy >= BROAD_ENTROPY:
        role = BROAD
    else:
        role = MIXED
    return {"role": role, "scores": scores, "top_key_share": top, "entropy": entropy}


def label_heads(model, ids: list[int], window: int, max_windows: int = 40, space_id: int | None = None) -> dict:
    """Cut held-out ids into windows, compute the statistics and the role of every head."""
    windows = [ids[i:i + window] for i in range(0, len(ids) - window + 1, window)][:max_windows]
    heads = head_statistics(model, windows, space_id)
    return {
        "method": "mean attention statistics on held-out validation text; role = pattern with the largest "
                  f"mean weight if ≥ {THRESHOLD}, else broad/averaging if normalised entropy ≥ {BROAD_ENTROPY}, else mixed",
        "windows": len(windows),
        "window": window,
        "heads": heads,
    }
