"""The bundled word model: checked weights, its tokenizer from the metadata, the recorded claims recomputed."""
import numpy as np
import pytest

from engine.data.make_word_corpus import WORD_CORPUS
from engine.probes import ProbeError, run_probe
from engine.rlhf import heldout
from engine.rlhf.pretrain import encode_documents, load_corpus, split_documents
from engine.transformer import token_roles, weights
from engine.transformer.checkpoint_checks import meta_checksum
from engine.transformer.variants import tokenizer_from_meta

WORD = ("word-pretrain", "word-sft", "word-reward", "word-rlhf")
CHAR = ("pretrain", "sft", "reward", "rlhf")


@pytest.fixture(scope="module")
def pretrained():
    model, tok, meta = weights.numpy_model("word-pretrain")
    return model, tok, meta


def _splits(meta, tok):
    text, docs, sha = load_corpus(WORD_CORPUS)
    assert sha == meta["corpus"]["sha256"], "the word corpus changed since the bundled word model was trained"
    train, val = split_documents(docs, meta["training"]["settings"]["val_fraction"])
    return encode_documents(tok, train), encode_documents(tok, val)


def test_every_bundled_checkpoint_together_stays_under_20_mb():
    total = sum(p.stat().st_size for name in WORD + CHAR for p in weights.paths(name))
    assert total < 20_000_000


@pytest.mark.parametrize("name", WORD)
def test_word_checkpoints_are_checked_and_read_their_own_tokenizer(name):
    state, meta = weights.load_checkpoint(name)  # sha256 checked
    assert meta["model"] == "word" and meta["tokenizer"]["kind"] == "byte-bpe"
    tok = tokenizer_from_meta(meta)
    assert tok.vocab_size == meta["config"]["vocab_size"] == 1024
    for text in ("Müller", "café", "🤖 attention ✓"):
        assert tok.decode(tok.encode(text)) == text


def test_damaged_tokenizer_data_is_one_clear_error(tmp_path):
    import json
    import shutil
    for path in weights.paths("word-sft"):
        shutil.copy(path, tmp_path / path.name)
    meta_path = tmp_path / "word-sft.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["tokenizer"]["merges"][5] = ["Ġzzz", "q"]
    meta["meta_sha256"] = meta_checksum(meta)  # consistent metadata whose merges are wrong: the tokenizer's own check
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    weights.numpy_model.cache_clear()
    try:
        with pytest.raises(ProbeError, match="tokenizer data is malformed: merge 5"):
            weights.numpy_model("word-sft", str(tmp_path))
    finally:
        weights.numpy_model.cache_clear()


def test_head_roles_recomputed_from_the_bundled_weights_match_the_stored_ones(pretrained):
    model, tok, meta = pretrained
    _, val = _splits(meta, tok)
    stored = meta["head_roles"]
    again = token_roles.label_tokenizer_heads(model, tok, val.tolist(), stored["window"], seed=meta["training"]["seed"])
    assert [[h["role"] for h in layer] for layer in again["heads"]] == [[h["role"] for h in layer]
                                                                        for layer in stored["heads"]]
    for new, old in zip(sum(again["heads"], []), sum(stored["heads"], [])):
        assert new["induction"] == pytest.approx(old["induction"], abs=2e-3)
        assert new["scores"]["previous token"] == pytest.approx(old["scores"]["previous token"], abs=2e-3)


def test_heldout_sentences_loss_is_recomputed_and_beats_the_baselines_and_the_char_model(pretrained):
    from engine.rlhf.sft import load_gpt

    _, tok, meta = pretrained
    stored = meta["heldout_sentences"]
    gpt, _, _ = load_gpt("word-pretrain")
    again = heldout.model_nats_per_char(gpt, tok, heldout.heldout_sentences())
    assert again["nats_per_char"] == pytest.approx(stored["nats_per_char"], abs=1e-3)
    train, val = _splits(meta, tok)
    baselines = heldout.baseline_nats_per_char(tok, heldout.heldout_sentences(), train, val)
    assert baselines["unigram"] == pytest.approx(stored["baselines"]["unigram"], abs=1e-6)
    assert stored["nats_per_char"] < baselines["bigram"] < baselines["unigram"]
    char_gpt, char_tok, _ = load_gpt("pretrain")
    char = heldout.model_nats_per_char(char_gpt, char_tok, heldout.heldout_sentences())
    assert stored["nats_per_char"] < char["nats_per_char"]


def test_heldout_sentences_are_in_no_corpus():
    corpora = WORD_CORPUS.read_text(encoding="utf-8")
    sentences = heldout.heldout_sentences()
    assert len(sentences) == 40 and all(len(s) < 127 for s in sentences)  # each fits the char model's context
    assert not [s for s in sentences if s in corpora or s.rstrip(".") in corpora]


def test_attention_probe_on_the_word_model_keeps_every_key_and_reads_sub_words():
    text = "The animal did not cross the street because it was too tired."
    char = run_probe("attention", {"text": text, "query": "it"})
    word = run_probe("attention", {"text": text, "model": "word", "query": "it", "layer": 1, "head": 2})
    assert set(char) <= set(word)
    assert " animal" in word["tokens"] and word["tokens"][word["query"]] == " it"
    assert np.allclose(np.array(word["weights"]).sum(axis=1), 1.0)


def test_word_probes_take_any_unicode_and_cut_long_texts_with_a_note():
    result = run_probe("next_token", {"text": "Müller trinkt café 🤖", "model": "word"})
    assert result["unknown"] == [] and result["context"][0] == "M"
    long = run_probe("embedding", {"text": "the policy " * 200, "model": "word"})
    assert "only the last 128" in long["note"] and len(long["tokens"]) == 128
    with pytest.raises(ProbeError, match="empty"):
        run_probe("tokenize", {"text": "", "model": "word"})


def test_word_rlhf_metadata_records_the_figures_the_issue_asks_for():
    _, meta = weights.load_checkpoint("word-rlhf")
    held = meta["metrics"]["heldout"]
    for stage in ("sft", "rlhf"):
        assert {"reward_score", "kl_to_sft", "rater_score", "on_topic"} <= set(held[stage])
    assert held["reward_gain"] > 0
    _, reward = weights.load_checkpoint("word-reward")
    assert reward["metrics"]["heldout"]["accuracy"] > 0.6


def test_policy_probes_on_the_word_model_act_in_sub_words():
    stages = run_probe("compare_stages", {"prompt": "What does the critic do?", "model": "word"})
    assert stages["model"] == "word" and [s["checkpoint"] for s in stages["stages"]] == ["pretrain", "sft", "rlhf"]
    kl = run_probe("kl", {"text": "Question: What is PPO? Answer:", "model": "word", "samples": 200})
    assert kl["exact_kl"] >= 0 and any(t["token"].startswith(" ") for t in kl["top_tokens"])
    step = run_probe("ppo_step", {"prompt": "What does the critic do?", "model": "word"})
    episode = step["episodes"][0]
    # one row per generated sub-word: the rows' tokens spell the answer
    assert "".join(t["token"] for t in episode["tokens"]).replace("<eot>", "") == episode["answer"]
    assert len(episode["tokens"]) < len(episode["answer"])


def test_the_command_line_takes_the_model_query_and_view(capsys):
    import json

    from engine.cli import main
    assert main(["attention", "--text", "the cat sat on the mat", "--model", "word", "--query", "sat",
                 "--view", "words", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "word" and result["word_labels"] == ["the", "cat", "sat", "on", "the", "mat"]
    assert result["query_word"] == 2
    assert main(["attention", "--text", "the cat", "--query", "dog"]) == 1
    assert "'dog' is not a word of the text" in capsys.readouterr().err
