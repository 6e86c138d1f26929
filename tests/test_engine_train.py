"""Training: a few real steps make the loss fall; the command writes a checkpoint the probes can load."""
import json

import numpy as np
import torch

from engine.transformer import weights
from engine.cli import build_parser, main
from engine.transformer.model import GPT, GPTConfig
from engine.transformer.numpy_model import Config, NumpyGPT
from engine.transformer.tokenizer import CharTokenizer
from engine.data.make_word_corpus import WORD_CORPUS
from engine.rlhf.pretrain import PretrainSettings, encode_documents, evaluate, load_corpus, random_batches, train_lm


def test_a_few_training_steps_make_the_loss_fall():
    text, docs, _ = load_corpus()
    tok = CharTokenizer.train(text.replace("\n", ""))
    data = encode_documents(tok, docs[:200])
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=32, n_layer=1, n_head=2, d_model=32))
    before = evaluate(model, data[:4000], 32)
    history = train_lm(model, random_batches(data, 32, 16, torch.Generator().manual_seed(0)), steps=60, lr=1e-2,
                       warmup=5, eval_fn=lambda: evaluate(model, data[:4000], 32), eval_every=30)
    assert history.val[-1] < before - 1.0
    assert history.train[-1] < history.train[0]


def test_train_command_writes_a_checkpoint_that_loads_without_torch(tmp_path, monkeypatch, capsys):
    import engine.rlhf.pretrain as train
    small = PretrainSettings(n_layer=1, n_head=2, d_model=32, block_size=32, batch_size=4, eval_every=5,
                             bpe_merges=10, warmup=2)
    monkeypatch.setattr(train.PretrainSettings, "for_model", classmethod(lambda cls, model: small))
    assert main(["train", "--stage", "pretrain", "--out", str(tmp_path), "--seed", "3", "--steps", "6",
                 "--no-progress"]) == 0
    assert "val loss" in capsys.readouterr().out
    state, meta = weights.load_checkpoint("pretrain", tmp_path)
    assert meta["training"]["seed"] == 3 and meta["training"]["steps"] == 6
    assert len(meta["losses"]["history"]["val"]) == 2 and len(meta["bpe_merges"]) == 10
    npm = NumpyGPT(Config.from_dict(meta["config"]), state)
    logits, _ = npm.forward(CharTokenizer(meta["vocab"]).encode("attention"))
    assert logits.shape == (9, len(meta["vocab"])) and np.isfinite(logits).all()
    assert json.loads((tmp_path / "pretrain.json").read_text())["weights_sha256"] == meta["weights_sha256"]


def test_word_model_pretrains_through_the_same_stage(tmp_path, capsys):
    from engine.rlhf.pretrain import pretrain
    from engine.transformer.variants import tokenizer_from_meta
    small = PretrainSettings(n_layer=2, n_head=2, d_model=32, block_size=32, batch_size=4, eval_every=5,
                             vocab_size=300, warmup=2)
    corpus = tmp_path / "small.txt"  # a slice of the word corpus keeps the smoke run short
    corpus.write_text("\n".join(WORD_CORPUS.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    pretrain(tmp_path, steps=3, settings=small, progress=False, corpus=corpus, model="word")
    assert "nats per character" in capsys.readouterr().out
    state, meta = weights.load_checkpoint("word-pretrain", tmp_path)
    assert meta["model"] == "word" and meta["corpus"]["file"] == "engine/data/small.txt"
    tok = tokenizer_from_meta(meta)
    assert tok.vocab_size == 300 == meta["config"]["vocab_size"] and tok.decode(tok.encode("Müller 🤖")) == "Müller 🤖"
    roles = meta["head_roles"]
    assert roles["level"] == "token" and len(roles["heads"]) == 2
    assert all(0 <= h["induction"] <= 1 and h["role"] for layer in roles["heads"] for h in layer)
    held = meta["heldout_sentences"]
    assert held["sentences"] == 40 and held["baselines"]["bigram"] < held["baselines"]["unigram"]


def test_train_parser_offers_the_stages_and_options():
    ns = build_parser().parse_args(["train", "--stage", "pretrain", "--out", "x", "--seed", "5", "--steps", "7"])
    assert (ns.stage, ns.out, ns.seed, ns.steps) == ("pretrain", "x", 5, 7)
    assert callable(ns.run)
