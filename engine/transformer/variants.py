"""The two models the engine ships, and how to find their checkpoints and tokenizers.

- `char`: one token per character (CharTokenizer); checkpoints pretrain, sft, reward, rlhf.
- `word`: byte-level BPE sub-words (ByteBPETokenizer); checkpoints word-pretrain, word-sft,
  word-reward, word-rlhf.

Both run the same model code (engine.transformer.model and its numpy twin) with
their own config; a checkpoint's metadata says which tokenizer it reads.
"""
from __future__ import annotations

MODELS = ("char", "word")
DEFAULT_MODEL = "char"  # what the CLI and packs' live blocks use when they name no model
STAGES = ("pretrain", "sft", "reward", "rlhf")
WORD_PREFIX = "word-"


def checkpoint_name(model: str, stage: str) -> str:
    """The checkpoint of a stage ("pretrain", "sft", "reward", "rlhf") of a model ("char" or "word")."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    return stage if model == "char" else WORD_PREFIX + stage


def split_name(name: str) -> tuple[str, str]:
    """(model, stage) of a checkpoint name: "word-sft" → ("word", "sft"), "sft" → ("char", "sft")."""
    return ("word", name[len(WORD_PREFIX):]) if name.startswith(WORD_PREFIX) else ("char", name)


def tokenizer_from_meta(meta: dict):
    """The tokenizer a checkpoint was trained with: byte-level BPE if its metadata says so, else characters.

    Malformed tokenizer data raises TokenizerDataError, one sentence naming what is wrong."""
    from engine.transformer.tokenizer import CharTokenizer

    data = meta.get("tokenizer")
    if data is None:
        return CharTokenizer(meta.get("vocab"))
    from engine.transformer.byte_bpe import ByteBPETokenizer

    return ByteBPETokenizer.from_metadata(data)  # TokenizerDataError (a ProbeError) names what is malformed


def tokenizer_metadata(tok) -> dict:
    """What a checkpoint stores about its tokenizer: the readable vocabulary, and the merges of a BPE one."""
    meta = {"vocab": list(tok.itos)}
    if hasattr(tok, "to_metadata"):
        meta["tokenizer"] = tok.to_metadata()
    return meta
