"""Transformer probes: tokens, embeddings, one head's attention, the next-token distribution, positions.

Everything runs on the numpy forward pass (engine.transformer.numpy_model), so a lab never
waits for torch. The model and tokenizers are loaded once per checkpoint;
the trace of the last few texts is kept, so switching layer or head on the
same sentence costs no new forward pass.

Every model probe takes `model`: "char" (one token per character, the default)
or "word" (byte-level BPE sub-words); `checkpoint` names the stage (pretrain,
sft, rlhf) of that model.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from engine.errors import ProbeError
from engine.texts import N_, _
from engine.probes.words import query_index, token_char_spans, words_view, word_spans
from engine.transformer.positional import positional_encoding
from engine.transformer.tokenizer import BPETokenizer, CharTokenizer, Encoding
from engine.transformer.variants import checkpoint_name
from engine.transformer.weights import load_meta, numpy_model, weights_dir

# Texts a result carries as data, translated where they are shown.
PE_NOTE = N_("similarity[p][q] = PE[p]·PE[q] = Σ_i cos((p − q)·ω_i): it depends only on the distance p − q "
             "and is largest, d_model/2, at distance 0")
UNKNOWN_ROLE = N_("unknown")  # a checkpoint without head roles

TOKENIZER_CHECKPOINT = "pretrain"  # the vocabulary and BPE merges every stage shares


@lru_cache(maxsize=2)
def _tokenizers(checkpoint: str = TOKENIZER_CHECKPOINT, directory: str | None = None
                ) -> tuple[CharTokenizer, BPETokenizer]:
    meta = load_meta(checkpoint, directory)
    char = CharTokenizer(meta.get("vocab"))
    return char, BPETokenizer(char, meta.get("bpe_merges"))


def clear_caches() -> None:
    """Forget loaded models, tokenizers and traces (after the weights on disk change)."""
    for cached in (_tokenizers, _trace, numpy_model):
        cached.cache_clear()


def _require_text(text: str) -> None:
    if not text:
        raise ProbeError(_("the text is empty: type at least one character"))


def _fit_context(enc: Encoding, block_size: int) -> tuple[Encoding, str | None]:
    """Keep the last block_size tokens, with a note saying so."""
    n = len(enc.ids)
    if n <= block_size:
        return enc, None
    cut = n - block_size
    kept = [(p - cut, ch) for p, ch in zip(enc.unknown, enc.unknown_chars) if p >= cut]
    enc = Encoding(enc.ids[cut:], enc.tokens[cut:], [p for p, _ in kept], [ch for _, ch in kept])
    # a message about the learner's input, like a ProbeError: in the language of the moment
    return enc, _("the text has {n} tokens, more than the model's context of {size}; "
                  "only the last {size} are used").format(n=n, size=block_size)


def _unknown(enc: Encoding) -> list[dict]:
    return [{"position": p, "char": ch} for p, ch in zip(enc.unknown, enc.unknown_chars)]


def tokenize(text: str, tokenizer: str = "model", model: str = "char") -> dict:
    """Tokens and ids of a text, and where characters outside the vocabulary became <unk>.

    tokenizer "model" is the model's own (characters, or the word model's byte-level BPE);
    "char" and "bpe" are the char model's characters and its 256-merge BPE, for comparison.
    """
    _require_text(text)
    if tokenizer == "model" and model == "word":
        tok, tokenizer = numpy_model(checkpoint_name("word", "pretrain"))[1], "word"
    else:
        char, bpe = _tokenizers(TOKENIZER_CHECKPOINT, str(weights_dir()))
        tokenizer = "char" if tokenizer == "model" else tokenizer
        tok = char if tokenizer == "char" else bpe
    enc = tok.tokenize(text)
    return {
        "model": model,
        "tokenizer": tokenizer,
        "text": text,
        "tokens": enc.tokens,
        "ids": enc.ids,
        "spans": token_char_spans(tok, enc, text),  # (start, end) characters of the text under each token
        "unknown": _unknown(enc),
        "n_characters": len(text),
        "n_tokens": len(enc.ids),
        "characters_per_token": round(len(text) / len(enc.ids), 3),
        "vocab_size": tok.vocab_size,
    }


def _encode_for_model(text: str, checkpoint: str):
    _require_text(text)
    model, tok, meta = numpy_model(checkpoint)
    enc, note = _fit_context(tok.tokenize(text), model.cfg.block_size)
    return model, tok, meta, enc, note


def embedding(text: str, top_k: int = 5, checkpoint: str = "pretrain", model: str = "char") -> dict:
    """Each token's row of the embedding table and the tokens whose rows point the most the same way."""
    name = checkpoint_name(model, checkpoint)
    gpt, tok, _, enc, note = _encode_for_model(text, name)
    table = gpt.w["wte.weight"]
    unit = table / np.linalg.norm(table, axis=1, keepdims=True)
    cosine = unit[enc.ids] @ unit.T  # (n, vocab): cosine similarity of each token with every token
    tokens = []
    for i, (token_id, token) in enumerate(zip(enc.ids, enc.tokens)):
        order = [j for j in np.argsort(-cosine[i]) if j != token_id][:top_k]
        tokens.append({
            "position": i, "token": token, "id": token_id,
            "vector": table[token_id], "norm": float(np.linalg.norm(table[token_id])),
            "nearest": [{"token": tok.itos[j], "id": int(j), "cosine": float(cosine[i, j])} for j in order],
        })
    return {"tokens": tokens, "d_model": int(table.shape[1]), "vocab_size": int(table.shape[0]),
            "unknown": _unknown(enc), "note": note, "checkpoint": checkpoint, "model": model}


@lru_cache(maxsize=16)
def _trace(checkpoint: str, ids: tuple[int, ...]) -> dict:
    model, _, _ = numpy_model(checkpoint)
    return model.forward(np.asarray(ids), trace=True)[1]


def attention(text: str, layer: int = 0, head: int = 0, checkpoint: str = "pretrain", model: str = "char",
              query: str | None = None, view: str = "tokens") -> dict:
    """Every number of one head's attention on a text: q, k, q·k, /√d_k, mask, softmax weights, Σ weights·v.

    query: a token index, or a word of the text (its first token); view "words" adds the weights
    gathered to words (mean over the query word's tokens, sum over the key word's tokens).
    """
    name = checkpoint_name(model, checkpoint)
    gpt, tok, meta, enc, note = _encode_for_model(text, name)
    cfg = gpt.cfg
    if not 0 <= layer < cfg.n_layer:
        raise ProbeError(_("layer must be between 0 and {last} (the model has {n} layers), not {layer}").format(
            last=cfg.n_layer - 1, n=cfg.n_layer, layer=layer))
    if not 0 <= head < cfg.n_head:
        raise ProbeError(_("head must be between 0 and {last} (each layer has {n} heads), not {head}").format(
            last=cfg.n_head - 1, n=cfg.n_head, head=head))
    att = _trace(name, tuple(enc.ids))["layers"][layer]
    role = meta.get("head_roles", {}).get("heads", [[{}] * cfg.n_head] * cfg.n_layer)[layer][head]
    spans = word_spans(tok, enc, text)
    q = query_index(query, enc.tokens, spans)
    extra = {"model": model, "view": view, "query": q, "query_token": None if q is None else enc.tokens[q],
             "induction": role.get("induction"), "role_level": meta.get("head_roles", {}).get("level", "character"),
             "words": [{"word": w, "tokens": [a, b]} for w, a, b in spans]}
    if view == "words":
        extra.update(words_view(att["weights"][head], spans, q, "characters" if model == "char" else "tokens"))
    return {
        "tokens": enc.tokens,
        "ids": enc.ids,
        "layer": layer,
        "head": head,
        "n_layers": cfg.n_layer,
        "n_heads": cfg.n_head,
        "d_k": cfg.d_k,
        "q": att["q"][head],
        "k": att["k"][head],
        "v": att["v"][head],
        "scores": att["scores"][head],      # q·k for every pair, future keys included
        "scaled": att["scaled"][head],      # scores / √d_k
        "mask": att["mask"],                # True where the key is at or before the query
        "weights": att["weights"][head],    # softmax over the allowed keys; masked entries exactly 0
        "output": att["output"][head],      # weights @ v
        "role": role.get("role", UNKNOWN_ROLE),
        "role_scores": role.get("scores", {}),
        "unknown": _unknown(enc),
        "note": note,
        "checkpoint": checkpoint,
        **extra,
    }


def next_token(text: str, top_k: int = 10, temperature: float = 1.0, checkpoint: str = "pretrain",
               model: str = "char") -> dict:
    """π_θ(·|s): the distribution over the token after the text, its top_k tokens and their probabilities."""
    name = checkpoint_name(model, checkpoint)
    _, tok, _, enc, note = _encode_for_model(text, name)
    raw = _trace(name, tuple(enc.ids))["logits"][-1]
    logits = raw / temperature
    shifted = logits - logits.max()
    probs = np.exp(shifted) / np.exp(shifted).sum()
    order = np.argsort(-probs)[:top_k]
    entropy = float(-(probs * np.log(np.where(probs > 0, probs, 1.0))).sum())
    return {
        "context": enc.tokens,
        "temperature": temperature,
        "top": [{"token": tok.itos[j], "id": int(j), "probability": float(probs[j]), "logit": float(raw[j])}
                for j in order],
        "top_mass": float(probs[order].sum()),
        "entropy": entropy,
        "vocab_size": int(len(probs)),
        "unknown": _unknown(enc),
        "note": note,
        "checkpoint": checkpoint,
        "model": model,
    }


def positional_encoding_probe(length: int = 16, d_model: int = 16) -> dict:
    """The matrix, and PE·PEᵀ: how similar each position's code is to every other's."""
    if d_model % 2:
        raise ProbeError(_("d_model must be even (sines and cosines come in pairs), not {d}").format(d=d_model))
    pe = positional_encoding(length, d_model)
    similarity = pe @ pe.T  # dot product between positions; d_model/2 on the diagonal
    return {
        "length": length,
        "d_model": d_model,
        "formula": "PE[pos, 2i] = sin(pos / 10000^(2i/d_model)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))",
        "encoding": pe,
        "similarity": similarity,
        "note": PE_NOTE,
    }
