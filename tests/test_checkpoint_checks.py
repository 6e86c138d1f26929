"""Damaged checkpoints are refused with one line; QUIZAPP_WEIGHTS_DIR loads checkpoints from another folder.

Each case copies the bundled pretrain checkpoint into a folder, damages one
thing, points QUIZAPP_WEIGHTS_DIR at the folder and runs a probe the way the
labs and `quizapp engine` do.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from engine.cli import main as engine_main
from engine.probes import ProbeError, run_probe
from engine.probes import transformer as transformer_probes
from engine.transformer import checkpoint_checks as checks
from engine.transformer import weights


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """A copy of the bundled checkpoints in tmp_path, which the engine now loads from."""
    for name in ("pretrain", "sft"):
        for path in weights.paths(name, weights.WEIGHTS_DIR):
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("QUIZAPP_WEIGHTS_DIR", str(tmp_path))
    transformer_probes.clear_caches()
    yield tmp_path
    transformer_probes.clear_caches()


def edit_meta(folder, change, stamp=True, name="pretrain"):
    path = folder / f"{name}.json"
    meta = change(json.loads(path.read_text(encoding="utf-8")))
    if stamp and isinstance(meta, dict):
        meta[checks.CHECKSUM_KEY] = checks.meta_checksum(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


def with_config(**values):
    def change(meta):
        meta["config"].update(values)
        del meta["head_roles"]  # their shape follows the config: checked on their own below
        return meta
    return change


def without(key):
    def change(meta):
        del meta[key]
        return meta
    return change


def replaced(key, value):
    def change(meta):
        meta[key] = value
        return meta
    return change


def test_the_bundled_checkpoints_record_a_checksum_of_their_metadata():
    for name in ("pretrain", "sft", "reward", "rlhf"):
        meta = json.loads(weights.paths(name, weights.WEIGHTS_DIR)[1].read_text(encoding="utf-8"))
        assert meta[checks.CHECKSUM_KEY] == checks.meta_checksum(meta)
        weights.load_checkpoint(name, weights.WEIGHTS_DIR)


def test_checkpoints_load_from_the_folder_quizapp_weights_dir_names(copy):
    edit_meta(copy, lambda meta: {**meta, "head_roles": {**meta["head_roles"], "heads": [
        [{**head, "role": f"renamed {i}.{j}"} for j, head in enumerate(layer)]
        for i, layer in enumerate(meta["head_roles"]["heads"])]}})
    result = run_probe("attention", {"text": "the cat", "layer": 1, "head": 2})
    assert result["role"] == "renamed 1.2"


@pytest.mark.parametrize("change, stamp, message", [
    (lambda meta: [meta], False, "is a JSON list, not an object"),
    (without("config"), True, "has no 'config' object"),
    (with_config(n_layer=4), True, "has no tensor 'blocks.3.ln1.weight'"),
    (with_config(n_layer=2), True, None),  # fewer layers than tensors: the extra ones are unused but shapes agree
    (with_config(n_head=3), True, "config.d_model (128) must be divisible by config.n_head (3)"),
    (with_config(n_head=8), True, None),  # a different split of the same width: loads
    (with_config(block_size=10**6), True, "config.block_size must be between 1 and 8,192, not 1,000,000"),
    (with_config(vocab_size="102"), True, 'config.vocab_size must be a whole number, not "102"'),
    (with_config(d_model=64), True, "tensor 'wte.weight' has shape (102, 128), the config implies (102, 64)"),
    (with_config(vocab_size=50), True, "tensor 'wte.weight' has shape (102, 128), the config implies (50, 128)"),
    (replaced("vocab", ["<unk>", "<eot>", "ab"]), True, "vocabulary entry 2 is 'ab', not one character"),
    (replaced("vocab", list("abc")), True, "vocabulary has 5 tokens, its config 102"),
    (replaced("vocab", 7), True, "the vocabulary must be a list of characters, not int"),
    (replaced("head_roles", {"heads": [[{}]]}), True, "head_roles.heads must list 3 layers of 4 heads"),
    (replaced("head_roles", {"heads": [[{"role": 1}] * 4] * 3}), True, "each head must be an object with a text"),
    (replaced("training", {"settings": {"lr": [1]}}), True, "training.settings must be an object of numbers"),
    (replaced("weights_sha256", "x"), True, "has no valid weights_sha256"),
    (replaced("stage", "edited"), False, "does not match its recorded checksum (meta_sha256)"),
])
def test_damaged_metadata_is_one_line_from_every_door(copy, change, stamp, message, capsys):
    edit_meta(copy, change, stamp)
    if message is None:
        assert run_probe("attention", {"text": "the cat"})["tokens"] == list("the cat")
        return
    with pytest.raises(ProbeError) as caught:
        run_probe("attention", {"text": "the cat"})
    assert message in str(caught.value) and "\n" not in str(caught.value)
    transformer_probes.clear_caches()
    assert engine_main(["attention", "--text", "the cat"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize("merges, message", [
    ([["t", "h"], ["zz", "q"]], "merge 1 (['zz', 'q']) is not a pair of known tokens"),
    ([["t"]], "merge 0 (['t']) is not a pair of known tokens"),
    ([["th", "e"], ["t", "h"]], "merge 0 (['th', 'e']) is not a pair of known tokens"),  # used before it is learned
    ("th", "the merges must be a list of pairs, not str"),
])
def test_malformed_merges_are_one_line_from_the_tokenizer_probe(copy, merges, message):
    edit_meta(copy, replaced("bpe_merges", merges))
    with pytest.raises(ProbeError) as caught:
        run_probe("tokenize", {"text": "the cat", "tokenizer": "bpe"})
    assert message in str(caught.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_weights_that_hold_nan_or_infinity_are_refused(copy, bad):
    state, meta = weights.load_checkpoint("pretrain", copy)
    state["blocks.1.mlp.fc.weight"][3, 4] = bad
    keep = {k: v for k, v in meta.items() if k not in ("checkpoint", "weights_file", "weights_sha256",
                                                         checks.CHECKSUM_KEY)}
    weights.save_checkpoint("pretrain", state, keep, copy)  # a checksum that matches the damaged weights
    with pytest.raises(ProbeError, match=r"tensor 'blocks\.1\.mlp\.fc\.weight' holds NaN or infinite values"):
        run_probe("attention", {"text": "the cat"})


def test_metadata_over_the_size_limit_is_not_parsed(copy, monkeypatch):
    monkeypatch.setattr(checks, "MAX_META_BYTES", 1000)
    with pytest.raises(ProbeError, match="cannot be read \\(over 1,000 bytes\\)"):
        run_probe("attention", {"text": "the cat"})
