"""What a checkpoint must satisfy before anything is built from it.

The weights file is covered by its sha256, recorded in the metadata; these
checks cover the metadata itself, so a JSON file that parses but is wrong (a
list, no config, a block size of a million, head roles of the wrong shape)
is refused with one sentence instead of a traceback or a huge allocation:

- `meta_problem`: the structure: a JSON object, a config of whole numbers
  within CONFIG_BOUNDS with d_model divisible by n_head, the weights' sha256,
  well-formed head roles and training settings when present, and the
  metadata's own checksum (`meta_sha256`) when recorded. Unknown keys are
  fine: each stage and tokenizer adds its own (the tokenizers check their
  vocabularies and merges when they are built).
- `tensor_problem`: every tensor the transformer reads is there with the
  shape the config implies, and no weight is NaN or infinite.

`meta_checksum` is what `save_checkpoint` records. To stamp metadata written
by hand or by an older version: `python -m engine.transformer.checkpoint_checks DIR`.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from engine.texts import _, num

CONFIG_BOUNDS = {"vocab_size": (3, 1_000_000), "block_size": (1, 8192), "n_layer": (1, 64),
                 "n_head": (1, 64), "d_model": (1, 8192)}
MAX_META_BYTES = 32 * 1024 * 1024  # the largest metadata read (vocabularies and merges included)
CHECKSUM_KEY = "meta_sha256"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def meta_checksum(meta: Mapping[str, Any]) -> str:
    """sha256 of the metadata without its own checksum, in one canonical JSON form."""
    body = {k: v for k, v in meta.items() if k != CHECKSUM_KEY}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def meta_problem(meta: Any) -> str | None:
    """Why this metadata cannot describe a checkpoint, or None."""
    if not isinstance(meta, dict):
        return _("is a JSON {type}, not an object").format(type=type(meta).__name__)
    recorded = meta.get(CHECKSUM_KEY)
    if recorded is not None and recorded != meta_checksum(meta):
        return _("does not match its recorded checksum ({key})").format(key=CHECKSUM_KEY)
    if not isinstance(meta.get("weights_sha256"), str) or not _SHA256.fullmatch(meta["weights_sha256"]):
        return _("has no valid weights_sha256")
    config = meta.get("config")
    if not isinstance(config, dict):
        return _("has no 'config' object")
    for key, (low, high) in CONFIG_BOUNDS.items():
        value = config.get(key)
        if type(value) is not int:
            return _("config.{key} must be a whole number, not {value}").format(key=key, value=_show(value))
        if not low <= value <= high:
            return _("config.{key} must be between {low} and {high}, not {value}").format(
                key=key, low=num(low, ","), high=num(high, ","), value=num(value, ","))
    if config["d_model"] % config["n_head"]:
        return _("config.d_model ({d}) must be divisible by config.n_head ({n})").format(
            d=config["d_model"], n=config["n_head"])
    dropout = config.get("dropout", 0.0)
    if type(dropout) not in (int, float) or not 0 <= dropout < 1:
        return _("config.dropout must be a number from 0 to below 1, not {value}").format(value=_show(dropout))
    if "head_roles" in meta and (problem := _head_roles_problem(meta["head_roles"], config)):
        return problem
    training = meta.get("training", {})
    settings = training.get("settings", {}) if isinstance(training, dict) else None
    if not isinstance(settings, dict) or not all(_scalar(v) for v in settings.values()):
        return _("training.settings must be an object of numbers, texts and true/false")
    return None


def _head_roles_problem(roles: Any, config: Mapping[str, int]) -> str | None:
    heads = roles.get("heads") if isinstance(roles, dict) else None
    n_layer, n_head = config["n_layer"], config["n_head"]
    if (not isinstance(heads, list) or len(heads) != n_layer
            or not all(isinstance(layer, list) and len(layer) == n_head for layer in heads)):
        return _("head_roles.heads must list {layers} layers of {heads} heads").format(layers=n_layer, heads=n_head)
    for layer in heads:
        for head in layer:
            if not isinstance(head, dict) or not isinstance(head.get("role", ""), str):
                return _("head_roles.heads: each head must be an object with a text 'role'")
            scores = head.get("scores", {})
            if not isinstance(scores, dict) or not all(_number(v) for v in scores.values()):
                return _("head_roles.heads: each head's 'scores' must map names to numbers")
    return None


def expected_shapes(config: Mapping[str, int]) -> dict[str, tuple[int, ...]]:
    """The transformer's tensors (engine.transformer.model) and the shape the config gives each."""
    v, d = config["vocab_size"], config["d_model"]
    shapes = {"wte.weight": (v, d), "ln_f.weight": (d,), "ln_f.bias": (d,), "lm_head.weight": (v, d)}
    for i in range(config["n_layer"]):
        p = f"blocks.{i}."
        shapes.update({p + "ln1.weight": (d,), p + "ln1.bias": (d,), p + "ln2.weight": (d,), p + "ln2.bias": (d,),
                       p + "attn.qkv.weight": (3 * d, d), p + "attn.qkv.bias": (3 * d,),
                       p + "attn.proj.weight": (d, d), p + "attn.proj.bias": (d,),
                       p + "mlp.fc.weight": (4 * d, d), p + "mlp.fc.bias": (4 * d,),
                       p + "mlp.proj.weight": (d, 4 * d), p + "mlp.proj.bias": (d,)})
    return shapes


def tensor_problem(state: Mapping[str, np.ndarray], config: Mapping[str, int]) -> str | None:
    """Why these tensors do not fit the config or hold no usable numbers, or None.

    Tensors beyond the transformer's (a reward or value head) may be there; their values are checked too.
    """
    for name, shape in expected_shapes(config).items():
        if name not in state:
            return _("has no tensor '{name}'").format(name=name)
        if tuple(state[name].shape) != shape:
            return _("tensor '{name}' has shape {shape}, the config implies {expected}").format(
                name=name, shape=tuple(state[name].shape), expected=shape)
    for name, array in state.items():
        if not np.isfinite(array).all():
            return _("tensor '{name}' holds NaN or infinite values").format(name=name)
    return None


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool)) or _number(value)


def _number(value: Any) -> bool:
    return type(value) in (int, float) and np.isfinite(value)


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def stamp(folder: Path) -> list[Path]:
    """Record the metadata checksum in every NAME.json of a folder; the files changed."""
    changed = []
    for path in sorted(folder.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or "weights_sha256" not in meta:
            continue
        stamped = {**meta, CHECKSUM_KEY: meta_checksum(meta)}
        if stamped != meta:
            path.write_text(json.dumps(stamped, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    for changed in stamp(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1] / "weights")):
        print(f"stamped {changed}")
