"""Two tokenizers over the same corpus: one token per character, and byte-pair encoding on top.

CharTokenizer is the one the lecture notes describe and the model reads:
every character and symbol of the corpus gets a number; any other character
becomes the unknown token `<unk>` (reported, never an error).

BPETokenizer starts from those same characters and learns merges, as in
Sennrich et al. (2016) and minbpe: count every pair of neighbouring tokens,
merge the most frequent pair into a new token, repeat. It exists so a learner
can compare character and sub-word tokens of the same text; the model does
not read it. Merges never cross a word boundary: the text is first cut into
chunks (a word with its leading space, a run of punctuation, a run of spaces).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ProbeError
from engine.texts import _

UNK = "<unk>"  # a character outside the vocabulary
EOT = "<eot>"  # end of text: separates documents in training, ends a generated answer
SPECIALS = (UNK, EOT)


class TokenizerDataError(ProbeError):
    """A vocabulary or a list of merges (from a checkpoint's metadata) is malformed."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"the tokenizer data is malformed: {problem}; "
                         "reinstall quizapp or retrain with quizapp engine train")


@dataclass(frozen=True)
class Encoding:
    ids: list[int]
    tokens: list[str]                                # what each id stands for
    unknown: list[int] = field(default_factory=list)  # positions (in tokens) of <unk>
    unknown_chars: list[str] = field(default_factory=list)  # the characters that were replaced there


class CharTokenizer:
    """Token id ↔ character, with ids 0 and 1 reserved for <unk> and <eot>."""

    def __init__(self, chars: list[str]):
        _check_vocabulary(chars)
        self.itos: list[str] = list(SPECIALS) + [c for c in chars if c not in SPECIALS]
        self.stoi: dict[str, int] = {s: i for i, s in enumerate(self.itos)}
        self.unk_id, self.eot_id = self.stoi[UNK], self.stoi[EOT]

    @classmethod
    def train(cls, text: str) -> "CharTokenizer":
        """The vocabulary is every distinct character of the text, in code-point order."""
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    @property
    def chars(self) -> list[str]:
        return self.itos[len(SPECIALS):]

    def encode(self, text: str) -> list[int]:
        return [self.stoi.get(ch, self.unk_id) for ch in text]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.itos[i] for i in ids)

    def tokenize(self, text: str) -> Encoding:
        ids = self.encode(text)
        unknown = [i for i, t in enumerate(ids) if t == self.unk_id]
        return Encoding(ids, [self.itos[i] for i in ids], unknown, [text[i] for i in unknown])


# A word with an optional leading space, a run of other symbols, or whitespace.
CHUNK = re.compile(r" ?\w+| ?[^\w\s]+|\s+")


class BPETokenizer:
    """Byte-pair encoding over the characters of a CharTokenizer."""

    def __init__(self, base: CharTokenizer, merges: list[tuple[str, str]]):
        _check_merges(base, merges)
        self.base = base
        self.merges = [tuple(m) for m in merges]
        self.itos = list(base.itos) + [a + b for a, b in self.merges]
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        # pair of ids → (rank, new id); a lower rank was learned earlier and is applied first
        self.ranks = {(self.stoi[a], self.stoi[b]): (r, len(base.itos) + r) for r, (a, b) in enumerate(self.merges)}
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def train(cls, text: str, base: CharTokenizer, num_merges: int = 256) -> "BPETokenizer":
        words = Counter(CHUNK.findall(text))
        seqs = {w: base.encode(w) for w in words}
        itos = list(base.itos)
        merges: list[tuple[str, str]] = []
        for _merge_step in range(num_merges):
            pairs: Counter = Counter()
            for w, ids in seqs.items():
                for pair in zip(ids, ids[1:]):
                    pairs[pair] += words[w]
            if not pairs:
                break
            # most frequent pair; ties go to the smaller ids, so training is deterministic
            pair = min(pairs, key=lambda p: (-pairs[p], p))
            if pairs[pair] < 2:
                break
            new_id = len(itos)
            itos.append(itos[pair[0]] + itos[pair[1]])
            merges.append((itos[pair[0]], itos[pair[1]]))
            seqs = {w: _merge(ids, pair, new_id) for w, ids in seqs.items()}
        return cls(base, merges)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def _encode_chunk(self, chunk: str) -> list[int]:
        if chunk not in self._cache:
            ids = self.base.encode(chunk)
            while len(ids) > 1:
                # the pair learned earliest is merged first, exactly as in training
                pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, (float("inf"),))[0])
                if pair not in self.ranks:
                    break
                ids = _merge(ids, pair, self.ranks[pair][1])
            self._cache[chunk] = ids
        return self._cache[chunk]

    def encode(self, text: str) -> list[int]:
        return [i for chunk in CHUNK.findall(text) for i in self._encode_chunk(chunk)]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.itos[i] for i in ids)

    def tokenize(self, text: str) -> Encoding:
        ids = self.encode(text)
        tokens = [self.itos[i] for i in ids]
        unknown = [i for i, t in enumerate(ids) if t == self.base.unk_id]
        # each <unk> stands for exactly one character; find them in order
        chars = [ch for ch in text if ch not in self.base.stoi]
        return Encoding(ids, tokens, unknown, chars)


def _check_vocabulary(chars: Any) -> None:
    if not isinstance(chars, (list, tuple)):
        raise TokenizerDataError(_("the vocabulary must be a list of characters, not {type}").format(
            type=type(chars).__name__))
    seen: set[str] = set()
    for i, c in enumerate(chars):
        if not isinstance(c, str) or (len(c) != 1 and c not in SPECIALS):
            raise TokenizerDataError(_("vocabulary entry {i} is {entry}, not one character").format(
                i=i, entry=f"{c!r:.40}"))
        if c in seen:
            raise TokenizerDataError(_("vocabulary entry {i} ({entry!r}) appears twice").format(i=i, entry=c))
        seen.add(c)


def _check_merges(base: CharTokenizer, merges: Any) -> None:
    """Each merge is a pair of tokens that exist by the time it is learned."""
    if not isinstance(merges, (list, tuple)):
        raise TokenizerDataError(_("the merges must be a list of pairs, not {type}").format(type=type(merges).__name__))
    known = set(base.itos)
    for i, m in enumerate(merges):
        if (not isinstance(m, (list, tuple)) or len(m) != 2 or not all(isinstance(p, str) for p in m)
                or m[0] not in known or m[1] not in known):
            raise TokenizerDataError(_("merge {i} ({merge}) is not a pair of known tokens").format(i=i, merge=str(m)[:40]))
        known.add(m[0] + m[1])


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of `pair` in `ids` with `new_id`, left to right."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
