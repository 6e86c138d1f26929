"""Byte-level byte-pair encoding, as in GPT-2 and minbpe: the tokenizer of the `word` model.

    text ─► pre-split into chunks (GPT-2's rule: a word with its leading space, a number,
            a run of other symbols, whitespace) ─► each chunk's UTF-8 bytes ─► merges ─► ids

- The base vocabulary is the 256 bytes, so every text has an encoding: "Müller",
  "café" and emoji are a few byte tokens each when no merge covers them. There is
  no unknown token, and decode(encode(text)) == text for every string.
- Training counts the pairs of neighbouring tokens inside the chunks of the corpus
  and merges the most frequent pair into a new token, again and again (Sennrich et
  al. 2016). Merges never cross a chunk boundary, so no token spans two words, and
  the space before a word belongs to the word (" attention" is one token).
- Merges are stored readably in the checkpoint metadata, as GPT-2's merges.txt
  does: each byte is written as one printable character (the space as "Ġ", other
  invisible bytes shifted above U+0100), so a merge reads ["Ġatt", "ention"].
- `<eot>` (end of text) is the last id; it never comes out of encode().

The pre-split pattern is GPT-2's with the stdlib `re` module: \\p{L} becomes
[^\\W\\d_] (letters, plus the few non-decimal numerals that str.isalnum() counts,
such as "²") and \\p{N} becomes \\d. Every character falls in exactly one chunk
either way, which is what the round trip needs.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from engine.transformer.tokenizer import EOT, Encoding, TokenizerDataError
from engine.transformer.tokenizer import _merge  # the same pair replacement as the char BPE
from engine.texts import _

# GPT-2's pre-tokenizer: contractions, a word, a number, a run of other symbols (each with an
# optional leading space), whitespace not followed by a word (so the word keeps its space), whitespace.
SPLIT = re.compile(r"""'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")
N_BYTES = 256


@lru_cache(maxsize=1)
def byte_alphabet() -> tuple[str, ...]:
    """GPT-2's bytes_to_unicode: one printable character per byte (printable Latin-1 bytes stand for themselves)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, shifted = {}, 0
    for b in range(N_BYTES):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(N_BYTES + shifted)
            shifted += 1
    return tuple(chars[b] for b in range(N_BYTES))


def to_alphabet(data: bytes) -> str:
    alphabet = byte_alphabet()
    return "".join(alphabet[b] for b in data)


def from_alphabet(text: str) -> bytes:
    index = {c: b for b, c in enumerate(byte_alphabet())}
    try:
        return bytes(index[c] for c in text)
    except KeyError as exc:
        raise TokenizerDataError(_("character {char!r} is not in the byte alphabet").format(char=exc.args[0])) from None


def split_text(text: str) -> list[str]:
    """The chunks merges stay inside; joined they give the text back."""
    return SPLIT.findall(text)


def display(data: bytes) -> str:
    """A token as a learner reads it: its text, or ⟨xx⟩ for each byte of an unfinished UTF-8 character."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        out, i = [], 0
        while i < len(data):
            for j in range(min(len(data), i + 4), i, -1):  # the longest valid UTF-8 piece from i
                try:
                    out.append(data[i:j].decode("utf-8"))
                    i = j
                    break
                except UnicodeDecodeError:
                    continue
            else:
                out.append(f"⟨{data[i]:02x}⟩")
                i += 1
        return "".join(out)


class ByteBPETokenizer:
    """ids 0–255: bytes; 256 … 255 + len(merges): merged tokens in the order learned; then <eot>."""

    kind = "byte-bpe"

    def __init__(self, merges: list[tuple[int, int]]):
        self.merges = [tuple(m) for m in merges]
        self.vocab: list[bytes] = [bytes([b]) for b in range(N_BYTES)]
        self.ranks: dict[tuple[int, int], int] = {}
        for rank, (a, b) in enumerate(self.merges):
            if not (0 <= a < len(self.vocab) and 0 <= b < len(self.vocab)):
                raise TokenizerDataError(_("merge {rank} refers to a token that does not exist yet").format(rank=rank))
            if (a, b) in self.ranks:
                raise TokenizerDataError(_("merge {rank} repeats merge {earlier}").format(
                    rank=rank, earlier=self.ranks[(a, b)] - N_BYTES))
            self.ranks[(a, b)] = N_BYTES + rank
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self.eot_id = len(self.vocab)
        self.itos: list[str] = [display(t) for t in self.vocab] + [EOT]
        self._cache: dict[str, list[int]] = {}

    # --- training and storage ---

    @classmethod
    def train(cls, text: str, vocab_size: int) -> "ByteBPETokenizer":
        """Learn vocab_size − 257 merges on the text (256 bytes and <eot> are the rest of the vocabulary)."""
        num_merges = vocab_size - N_BYTES - 1
        if num_merges < 0:
            raise ValueError(f"vocab_size must be at least {N_BYTES + 1}")
        counts = Counter(split_text(text))
        words = [list(w.encode("utf-8")) for w in counts]
        freq = list(counts.values())
        merges: list[tuple[int, int]] = []
        pairs = _pair_counts(words, freq)
        for _merge_step in range(num_merges):
            if not pairs:
                break
            # the most frequent pair; ties go to the smaller ids, so training is deterministic
            best = min(pairs, key=lambda p: (-pairs[p], p))
            if pairs[best] < 2:
                break
            new_id = N_BYTES + len(merges)
            merges.append(best)
            for k, ids in enumerate(words):
                if len(ids) > 1 and best[0] in ids:
                    merged = _merge(ids, best, new_id)
                    if len(merged) != len(ids):
                        _count_into(pairs, ids, -freq[k])
                        _count_into(pairs, merged, freq[k])
                        words[k] = merged
        return cls(merges)

    def to_metadata(self) -> dict:
        """What a checkpoint stores: the merges as readable strings in GPT-2's byte alphabet."""
        return {"kind": self.kind, "pre_split": SPLIT.pattern, "vocab_size": self.vocab_size,
                "eot_id": self.eot_id,
                "merges": [[to_alphabet(self.vocab[a]), to_alphabet(self.vocab[b])] for a, b in self.merges]}

    @classmethod
    def from_metadata(cls, data: object) -> "ByteBPETokenizer":
        """Rebuild from to_metadata()'s dict; TokenizerDataError names what is wrong with damaged data."""
        if not isinstance(data, dict) or data.get("kind") != cls.kind:
            raise TokenizerDataError(_("tokenizer data must be a mapping with kind {kind!r}").format(kind=cls.kind))
        merges = data.get("merges")
        if not isinstance(merges, list):
            raise TokenizerDataError(_("tokenizer data has no list of merges"))
        stoi: dict[bytes, int] = {bytes([b]): b for b in range(N_BYTES)}
        pairs = []
        for rank, merge in enumerate(merges):
            if not (isinstance(merge, list) and len(merge) == 2 and all(isinstance(s, str) and s for s in merge)):
                raise TokenizerDataError(_("merge {rank} must be a pair of non-empty strings, not {merge!r}").format(
                    rank=rank, merge=merge))
            left, right = (from_alphabet(s) for s in merge)
            if left not in stoi or right not in stoi:
                raise TokenizerDataError(_("merge {rank} {merge!r} joins a token that no earlier merge made").format(
                    rank=rank, merge=merge))
            pairs.append((stoi[left], stoi[right]))
            stoi.setdefault(left + right, N_BYTES + rank)
        tok = cls(pairs)
        for key, value in (("vocab_size", tok.vocab_size), ("eot_id", tok.eot_id)):
            if key in data and data[key] != value:
                raise TokenizerDataError(_("tokenizer data says {key} {said!r} but its merges give {value}").format(
                    key=key, said=data[key], value=value))
        return tok

    # --- use ---

    @property
    def vocab_size(self) -> int:
        return len(self.vocab) + 1

    def _encode_chunk(self, chunk: str) -> list[int]:
        ids = self._cache.get(chunk)
        if ids is None:
            ids = list(chunk.encode("utf-8"))
            while len(ids) > 1:
                # the pair learned earliest is merged first, exactly as in training
                pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, 1 << 30))
                if pair not in self.ranks:
                    break
                ids = _merge(ids, pair, self.ranks[pair])
            if len(self._cache) < 50_000:
                self._cache[chunk] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        return [i for chunk in split_text(text) for i in self._encode_chunk(chunk)]

    def token_bytes(self, i: int) -> bytes:
        return b"" if i == self.eot_id else self.vocab[i]

    def decode(self, ids: list[int]) -> str:
        """The text of the ids (<eot> written out); an unfinished UTF-8 character becomes U+FFFD."""
        out, pending = [], bytearray()
        for i in ids:
            if i == self.eot_id:
                out.append(pending.decode("utf-8", errors="replace") + EOT)
                pending = bytearray()
            else:
                pending += self.vocab[i]
        return "".join(out) + pending.decode("utf-8", errors="replace")

    def tokenize(self, text: str) -> Encoding:
        ids = self.encode(text)
        return Encoding(ids, [self.itos[i] for i in ids])


def _count_into(pairs: Counter, ids: list[int], weight: int) -> None:
    for p in zip(ids, ids[1:]):
        pairs[p] += weight
        if pairs[p] <= 0:
            del pairs[p]


def _pair_counts(words: list[list[int]], freq: list[int]) -> Counter:
    pairs: Counter = Counter()
    for ids, f in zip(words, freq):
        _count_into(pairs, ids, f)
    return pairs
