"""Tokens grouped into the words of a text: the attention probe's `query` word and its words view.

A text's words are the chunks of GPT-2's pre-split rule (a word with its
leading space, a number, a run of symbols); a run of spaces joins the word
after it. Every token lies inside one word: a character token trivially, a
sub-word token because BPE merges never cross a chunk boundary.

The words view turns a head's (tokens × tokens) weights into (words × words):

    W[a, b] = mean over the query tokens i of word a of  Σ over the key tokens j of word b  of  w[i, j]

Each row still sums to 1 (a sum over all keys of a row that sums to 1, then a mean).
"""
from __future__ import annotations

import numpy as np

from engine.errors import ProbeError
from engine.texts import N_, _
from engine.transformer.byte_bpe import split_text
from engine.transformer.tokenizer import EOT, UNK, Encoding

# How the words view gathers weights, by the unit a word is made of (translated where it is shown).
AGGREGATION = {
    "tokens": N_("rows: mean over the query word's tokens; columns: sum over the key word's tokens "
                 "(so every row still sums to 1)"),
    "characters": N_("rows: mean over the query word's characters; columns: sum over the key word's characters "
                     "(so every row still sums to 1)"),
}
MAX_LISTED = 40


def token_char_spans(tok, enc: Encoding, text: str) -> list[tuple[int, int]]:
    """(start, end) character positions in `text` of each kept token (the encoding may hold only the last ones)."""
    if not hasattr(tok, "token_bytes"):  # tokens of characters; <unk> stands for one
        lengths = [1 if t in (UNK, EOT) else len(t) for t in enc.tokens]
        start = len(text) - sum(lengths)
        spans = []
        for n in lengths:
            spans.append((start, start + n))
            start += n
        return spans
    data = text.encode("utf-8")
    char_of_byte = [k for k, ch in enumerate(text) for _ in ch.encode("utf-8")] + [len(text)]
    pos = len(data) - sum(len(tok.token_bytes(i)) for i in enc.ids)
    spans = []
    for i in enc.ids:
        end = pos + len(tok.token_bytes(i))
        spans.append((char_of_byte[pos], max(char_of_byte[max(end - 1, pos)] + 1, char_of_byte[pos] + 1)))
        pos = end
    return spans


def _word_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of the words of the text; a run of spaces belongs to the next word (or the last one)."""
    ranges, start, pending = [], 0, None
    for chunk in split_text(text):
        end = start + len(chunk)
        if chunk.isspace():
            pending = start if pending is None else pending
        else:
            ranges.append((start if pending is None else pending, end))
            pending = None
        start = end
    if pending is not None:
        if ranges:
            ranges[-1] = (ranges[-1][0], len(text))
        else:
            ranges.append((0, len(text)))
    return ranges


def word_spans(tok, enc: Encoding, text: str) -> list[tuple[str, int, int]]:
    """(word, first token, end token) for every word with at least one kept token, in order."""
    spans = token_char_spans(tok, enc, text)
    words = []
    for a, b in _word_ranges(text):
        inside = [k for k, (s, _) in enumerate(spans) if a <= s < b]
        if inside:
            label = text[a:b].strip() or text[a:b]
            words.append((label, inside[0], inside[-1] + 1))
    return words


def query_index(query: str | None, tokens: list[str], words: list[tuple[str, int, int]]) -> int | None:
    """A token index from `query`: a number is an index, anything else a word of the text (its first token)."""
    if query is None or not str(query).strip():
        return None
    q = str(query).strip()
    if q.lstrip("-").isdigit():
        index = int(q)
        if not 0 <= index < len(tokens):
            raise ProbeError(_("query must be a token index between 0 and {last}, or a word of the text; "
                               "not {index}").format(last=len(tokens) - 1, index=index))
        return index
    for word, first, _end in words:
        if word.casefold() == q.casefold():
            return first
    raise ProbeError(_("query {query!r} is not a word of the text; its words are {words} and its tokens {tokens}").format(
        query=q, words=_listed([w for w, _, _ in words]), tokens=_listed(tokens)))


def _listed(items: list[str]) -> str:
    return ", ".join(repr(t) for t in items[:MAX_LISTED]) + (", …" if len(items) > MAX_LISTED else "")


def words_view(weights, words: list[tuple[str, int, int]], query: int | None, grain: str = "tokens") -> dict:
    """The head's weights gathered to words, the causal mask of words, and the query's word."""
    w = np.asarray(weights)
    n = len(words)
    grid = np.zeros((n, n))
    for a, (_word, qa, qb) in enumerate(words):
        for b, (_word, ka, kb) in enumerate(words):
            grid[a, b] = w[qa:qb, ka:kb].sum(axis=1).mean()
    query_word = None
    if query is not None:
        query_word = next(k for k, (_, a, b) in enumerate(words) if a <= query < b)
    return {"word_labels": [word for word, _, _ in words], "word_weights": grid,
            "word_mask": np.tril(np.ones((n, n), dtype=bool)), "query_word": query_word,
            "aggregation": AGGREGATION[grain]}
