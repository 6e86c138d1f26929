"""The bundled pretrain checkpoint: it loads, matches its checksum, and is as good as its metadata says."""
import json
import shutil

import numpy as np
import pytest

from engine.transformer import weights
from engine.transformer.head_roles import label_heads
from engine.transformer.numpy_model import Config, NumpyGPT
from engine.transformer.tokenizer import CharTokenizer
from engine.rlhf.pretrain import encode_documents, load_corpus, split_documents, unigram_loss, windows


@pytest.fixture(scope="module")
def bundled():
    state, meta = weights.load_checkpoint("pretrain")
    return NumpyGPT(Config.from_dict(meta["config"]), state, dtype=np.float32), meta


def _val_ids(meta):
    text, docs, sha = load_corpus()
    assert sha == meta["corpus"]["sha256"], "the corpus changed since the bundled weights were trained"
    tok = CharTokenizer(meta["vocab"])
    train_docs, val_docs = split_documents(docs, meta["training"]["settings"]["val_fraction"])
    return encode_documents(tok, train_docs), encode_documents(tok, val_docs), tok


def test_bundled_weights_are_small_and_match_their_checksum(bundled):
    _, meta = bundled
    path, _ = weights.paths("pretrain")
    assert path.stat().st_size < 5_000_000
    assert weights.sha256_file(path) == meta["weights_sha256"]
    assert meta["parameters"] == sum(int(np.prod(v.shape)) for v in weights.load_checkpoint("pretrain")[0].values())


def test_bundled_model_reaches_its_recorded_validation_loss(bundled):
    import torch
    from engine.transformer.model import GPT, GPTConfig
    from engine.rlhf.pretrain import evaluate

    _, meta = bundled
    _, val, _ = _val_ids(meta)
    torch.set_num_threads(1)
    model = GPT.from_numpy_state(GPTConfig(**meta["config"]), weights.load_checkpoint("pretrain")[0])
    assert evaluate(model, val, meta["config"]["block_size"]) == pytest.approx(meta["losses"]["val"], abs=1e-3)


def test_numpy_model_gives_the_same_loss_on_held_out_windows(bundled):
    model, meta = bundled
    _, val, _ = _val_ids(meta)
    x, y = windows(val, meta["config"]["block_size"])
    total = 0.0
    for xi, yi in zip(x[:20], y[:20]):  # the labs' forward pass, on a sample of the validation split
        logits, _ = model.forward(xi)
        logits = logits - logits.max(-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        total -= logp[np.arange(len(yi)), yi].sum()
    assert total / y[:20].size < 0.3 * meta["losses"]["unigram_val"]


def test_bundled_model_beats_the_unigram_baseline_by_far(bundled):
    _, meta = bundled
    train, val, tok = _val_ids(meta)
    losses = meta["losses"]
    assert losses["unigram_val"] == pytest.approx(unigram_loss(train, val, tok.vocab_size), abs=1e-4)
    assert losses["val"] < 0.5 * losses["unigram_val"]


def test_head_roles_are_computed_and_one_head_follows_the_previous_token(bundled):
    model, meta = bundled
    heads = meta["head_roles"]["heads"]
    assert max(h["scores"]["previous token"] for layer in heads for h in layer) >= 0.5
    assert any(h["role"] == "previous token" for layer in heads for h in layer)
    # the labels follow from the statistics: recomputing them on the held-out text gives the same roles
    _, val, tok = _val_ids(meta)
    again = label_heads(model, val.tolist(), window=meta["head_roles"]["window"],
                        max_windows=meta["head_roles"]["windows"], space_id=tok.stoi[" "])
    assert [[h["role"] for h in layer] for layer in again["heads"]] == [[h["role"] for h in layer] for layer in heads]


def test_corrupt_weights_give_one_clear_error(tmp_path):
    for f in weights.paths("pretrain"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "pretrain.safetensors"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(weights.WeightsError, match="corrupt"):
        weights.load_checkpoint("pretrain", tmp_path)


def test_missing_weights_file_gives_one_clear_error(tmp_path):
    shutil.copy(weights.paths("pretrain")[1], tmp_path / "pretrain.json")
    with pytest.raises(weights.WeightsError, match="missing"):
        weights.load_checkpoint("pretrain", tmp_path)


def test_unreadable_metadata_gives_one_clear_error(tmp_path):
    shutil.copy(weights.paths("pretrain")[0], tmp_path / "pretrain.safetensors")
    (tmp_path / "pretrain.json").write_text("{not json")
    with pytest.raises(weights.WeightsError, match="cannot be read"):
        weights.load_checkpoint("pretrain", tmp_path)


def test_a_checkpoint_not_yet_trained_says_where_it_was_looked_for_and_how_to_train_it(tmp_path, monkeypatch):
    with pytest.raises(weights.WeightsError, match=r"the sft checkpoint is not in .+ \(run quizapp engine train --stage sft\)"):
        weights.load_checkpoint("sft", tmp_path)
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(weights.WeightsError, match=r"the sft checkpoint is not bundled \(run quizapp engine train"):
        weights.load_checkpoint("sft")


def test_metadata_records_how_the_weights_were_made(bundled):
    _, meta = bundled
    for key in ("config", "vocab", "bpe_merges", "corpus", "training", "losses", "head_roles", "weights_sha256"):
        assert key in meta
    assert meta["training"]["seed"] == 0 and meta["training"]["steps"] > 0
    assert json.loads(json.dumps(meta)) == meta
