"""Checkpoints on disk: NAME.safetensors (the weights) + NAME.json (config, vocabulary, how it was trained).

No pickle anywhere: weights are safetensors, metadata is JSON, and the sha256
of the weights file is recorded in the JSON and checked on every load, as are
the metadata's structure and own checksum, the tensors' shapes and their
values (engine.transformer.checkpoint_checks). The bundled checkpoints live in
engine/weights/; `quizapp engine train --out DIR` writes new ones anywhere, and
QUIZAPP_WEIGHTS_DIR=DIR makes the app load every checkpoint from DIR instead.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from engine.errors import ProbeError
from engine.texts import N_, _
from engine.transformer import checkpoint_checks as checks

WEIGHTS_DIR = Path(__file__).parent.parent / "weights"  # engine/weights: the bundled checkpoints

# The training stage that writes each checkpoint, for the "run ... to create it" hint.
STAGE_OF = {"pretrain": "pretrain", "sft": "sft", "reward": "reward", "rlhf": "ppo"}


def train_hint(name: str) -> str:
    """The command that writes a checkpoint: "quizapp engine train [--model word] --stage STAGE"."""
    word = name.startswith("word-")
    stage = STAGE_OF.get(name.removeprefix("word-"), name)
    return f"quizapp engine train {'--model word ' if word else ''}--stage {stage}"


HINT = N_("reinstall quizapp or retrain with quizapp engine train")  # the way out of every damaged checkpoint


class WeightsError(ProbeError):
    """A checkpoint is missing, corrupt or does not match its metadata."""


def weights_dir() -> Path:
    """Where checkpoints load from: QUIZAPP_WEIGHTS_DIR when set, else the bundled folder."""
    override = os.environ.get("QUIZAPP_WEIGHTS_DIR")
    return Path(override).expanduser() if override else WEIGHTS_DIR


def paths(name: str, directory: Path | str | None = None) -> tuple[Path, Path]:
    d = Path(directory) if directory is not None else weights_dir()
    return d / f"{name}.safetensors", d / f"{name}.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_checkpoint(name: str, state: dict[str, np.ndarray], meta: dict,
                    directory: Path | str | None = None) -> tuple[Path, Path]:
    """Write the weights, then the metadata with the weights' sha256 in it."""
    from safetensors.numpy import save_file

    weights_path, meta_path = paths(name, directory)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}, str(weights_path))
    meta = {**meta, "checkpoint": name, "weights_file": weights_path.name, "weights_sha256": sha256_file(weights_path)}
    meta[checks.CHECKSUM_KEY] = checks.meta_checksum(meta)
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return weights_path, meta_path


def load_meta(name: str, directory: Path | str | None = None) -> dict:
    weights_path, meta_path = paths(name, directory)
    if not meta_path.exists() and not weights_path.exists():
        if meta_path.parent == WEIGHTS_DIR:
            missing = _("the {name} checkpoint is not bundled (run {command})")
        else:
            missing = _("the {name} checkpoint is not in {folder} (run {command})")
        raise WeightsError(missing.format(name=name, folder=meta_path.parent, command=train_hint(name)))
    try:
        if meta_path.stat().st_size > checks.MAX_META_BYTES:
            raise ValueError(f"over {checks.MAX_META_BYTES:,} bytes")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise WeightsError(_("the {name} checkpoint's metadata {path} cannot be read ({error}); {hint}").format(
            name=name, path=meta_path, error=exc, hint=_(HINT))) from None
    if problem := checks.meta_problem(meta):
        raise WeightsError(_("the {name} checkpoint's metadata {path} {problem}; {hint}").format(
            name=name, path=meta_path, problem=problem, hint=_(HINT)))
    return meta


def load_checkpoint(name: str, directory: Path | str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """(weights as float32 arrays, metadata), after checking the weights file against its sha256."""
    from safetensors.numpy import load_file

    meta = load_meta(name, directory)
    weights_path = paths(name, directory)[0]
    hint = _(HINT)
    if not weights_path.exists():
        raise WeightsError(_("the {name} checkpoint's weights file {path} is missing; {hint}").format(
            name=name, path=weights_path, hint=hint))
    if sha256_file(weights_path) != meta.get("weights_sha256"):
        raise WeightsError(_("the {name} checkpoint's weights file {path} is corrupt (its sha256 does not match the "
                             "one recorded in {name}.json); {hint}").format(name=name, path=weights_path, hint=hint))
    try:
        state = load_file(str(weights_path))
    except Exception as exc:  # a file that matches its checksum but still fails to parse
        raise WeightsError(_("the {name} checkpoint's weights file {path} cannot be read ({error}); {hint}").format(
            name=name, path=weights_path, error=exc, hint=hint)) from None
    if problem := checks.tensor_problem(state, meta["config"]):
        raise WeightsError(_("the {name} checkpoint's weights file {path}: {problem}; {hint}").format(
            name=name, path=weights_path, problem=problem, hint=hint))
    return state, meta


def numpy_model(name: str, directory: str | None = None):
    """(NumpyGPT, tokenizer, metadata) for a checkpoint, loaded once per process and folder."""
    return _numpy_model(name, str(directory if directory is not None else weights_dir()))


@lru_cache(maxsize=8)
def _numpy_model(name: str, directory: str):
    from engine.transformer.numpy_model import Config, NumpyGPT
    from engine.transformer.variants import tokenizer_from_meta

    state, meta = load_checkpoint(name, directory)
    tok = tokenizer_from_meta(meta)
    if tok.vocab_size != meta["config"]["vocab_size"]:
        raise WeightsError(_("the {name} checkpoint's vocabulary has {n} tokens, its config {m}; {hint}").format(
            name=name, n=tok.vocab_size, m=meta["config"]["vocab_size"], hint=_(HINT)))
    return NumpyGPT(Config.from_dict(meta["config"]), state), tok, meta


numpy_model.cache_clear = _numpy_model.cache_clear  # type: ignore[attr-defined]  # callers clear it by this name
