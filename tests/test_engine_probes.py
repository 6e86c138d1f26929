"""The model probes as the labs and `quizapp engine NAME` call them."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from engine.probes import transformer as inspect
from engine.transformer import weights
from engine.cli import main
from engine.probes import ProbeError, run_probe

SENTENCE = "The attention score is the dot product of q and k."


def test_attention_probe_returns_every_number_of_one_head():
    r = run_probe("attention", {"text": SENTENCE, "layer": 0, "head": 1})
    n = len(SENTENCE)
    assert r["tokens"] == list(SENTENCE)
    assert (r["layer"], r["head"]) == (0, 1)
    for key in ("q", "k", "v", "output"):
        assert np.shape(r[key]) == (n, r["d_k"]), key
    for key in ("scores", "scaled", "mask", "weights"):
        assert np.shape(r[key]) == (n, n), key
    q, k = np.array(r["q"]), np.array(r["k"])
    assert np.allclose(r["scores"], q @ k.T)                       # future positions included
    assert np.allclose(r["scaled"], q @ k.T / math.sqrt(r["d_k"]))
    mask, w = np.array(r["mask"]), np.array(r["weights"])
    assert mask.dtype == bool and (mask == np.tril(np.ones((n, n), dtype=bool))).all()
    assert np.allclose(w.sum(1), 1) and (w[~mask] == 0).all()
    assert np.allclose(r["output"], w @ np.array(r["v"]))
    assert isinstance(r["role"], str) and r["role"]
    json.dumps(r)


def test_attention_probe_rejects_layer_and_head_out_of_range_with_the_valid_range():
    with pytest.raises(ProbeError, match=r"layer must be between 0 and 2"):
        run_probe("attention", {"text": "abc", "layer": 3})
    with pytest.raises(ProbeError, match=r"head must be between 0 and 3"):
        run_probe("attention", {"text": "abc", "head": 4})


@pytest.mark.parametrize("probe", ["tokenize", "embedding", "attention", "next_token"])
def test_empty_text_is_a_clear_error(probe):
    with pytest.raises(ProbeError, match="empty"):
        run_probe(probe, {"text": ""})


def test_text_longer_than_the_context_is_cut_to_its_last_tokens_with_a_note():
    block = weights.numpy_model("pretrain")[0].cfg.block_size
    text = "a" * 50 + "é" + "b" * (block - 1)
    r = run_probe("attention", {"text": text})
    assert len(r["tokens"]) == block and r["tokens"][0] == "<unk>"
    assert "context" in r["note"] and r["unknown"] == [{"position": 0, "char": "é"}]
    assert run_probe("next_token", {"text": text})["note"]


def test_unknown_characters_are_marked_not_fatal():
    r = run_probe("attention", {"text": "naïve ~ model"})
    assert r["tokens"][2] == "<unk>" and {"position": 2, "char": "ï"} in r["unknown"]
    t = run_probe("tokenize", {"text": "naïve", "tokenizer": "bpe"})
    assert t["unknown"] == [{"position": t["tokens"].index("<unk>"), "char": "ï"}]


def test_tokenize_compares_characters_and_subwords():
    char = run_probe("tokenize", {"text": SENTENCE})
    bpe = run_probe("tokenize", {"text": SENTENCE, "tokenizer": "bpe"})
    assert char["tokens"] == list(SENTENCE) and len(char["ids"]) == len(SENTENCE)
    assert "".join(bpe["tokens"]) == SENTENCE
    assert bpe["n_tokens"] < char["n_tokens"] / 2
    assert " attention" in bpe["tokens"]


def test_embedding_lists_vectors_and_nearest_tokens_by_cosine():
    r = run_probe("embedding", {"text": "aeq", "top_k": 3})
    table = weights.numpy_model("pretrain")[0].w["wte.weight"]
    a = r["tokens"][0]
    assert len(a["vector"]) == r["d_model"] and len(a["nearest"]) == 3
    other = a["nearest"][0]
    expected = table[a["id"]] @ table[other["id"]] / np.linalg.norm(table[a["id"]]) / np.linalg.norm(table[other["id"]])
    assert other["cosine"] == pytest.approx(expected)
    assert all(n["id"] != a["id"] for n in a["nearest"])
    assert [n["cosine"] for n in a["nearest"]] == sorted((n["cosine"] for n in a["nearest"]), reverse=True)


def test_next_token_is_a_probability_distribution_that_knows_the_course():
    r = run_probe("next_token", {"text": "The dot product q·k produces the attention scor", "top_k": 5})
    probs = [t["probability"] for t in r["top"]]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-9
    assert r["top"][0]["token"] == "e"
    cold = run_probe("next_token", {"text": "the attention ", "top_k": 5, "temperature": 0.2})
    warm = run_probe("next_token", {"text": "the attention ", "top_k": 5, "temperature": 5})
    assert cold["top"][0]["probability"] > warm["top"][0]["probability"]


def test_a_checkpoint_that_is_not_bundled_is_a_probe_error(monkeypatch, tmp_path):
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    inspect.clear_caches()
    try:
        with pytest.raises(ProbeError, match="not bundled"):
            run_probe("next_token", {"text": "abc", "checkpoint": "sft"})
    finally:
        monkeypatch.undo()
        inspect.clear_caches()


def test_positional_encoding_probe_from_the_command_line(capsys):
    assert main(["positional-encoding", "--length", "16", "--d-model", "16", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert np.shape(r["encoding"]) == (16, 16) and np.shape(r["similarity"]) == (16, 16)
    assert r["encoding"][0][:4] == [0.0, 1.0, 0.0, 1.0]


def test_attention_from_the_command_line_as_json(capsys):
    assert main(["attention", "--text", "the attention", "--layer", "0", "--head", "1", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert {"tokens", "layer", "head", "d_k", "q", "k", "scores", "scaled", "mask", "weights", "role", "v",
            "output"} <= set(r)


@pytest.mark.parametrize("argv", [
    ["attention", "--text", "the attention", "--layer", "1", "--head", "2"],
    ["next-token", "--text", "the attention ", "--top-k", "5"],
    ["tokenize", "--text", "naïve tokens", "--tokenizer", "bpe"],
    ["embedding", "--text", "qk"],
])
def test_probes_render_as_tables_without_json(argv, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out.strip()


def test_command_line_errors_are_one_sentence(capsys):
    assert main(["attention", "--text", "abc", "--layer", "9"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "layer must be between 0 and 2" in err


def test_probes_and_the_train_parser_never_import_torch():
    code = ("import sys; from engine.cli import build_parser; build_parser(); "
            "from engine.probes import run_probe; run_probe('attention', {'text': 'abc'}); "
            "run_probe('next_token', {'text': 'abc'}); run_probe('tokenize', {'text': 'abc', 'tokenizer': 'bpe'}); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_the_probe_list_fits_the_terminal_and_names_every_flag(columns, capsys, monkeypatch):
    from engine.probes import all_probes
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= columns
    flat = " ".join(lines)
    for probe in all_probes().values():
        assert any(line.startswith(probe.name.replace("_", "-") + " ") for line in lines)
        for arg in probe.args:
            assert f"--{arg.name.replace('_', '-')} {arg.kind.upper()}" in flat  # a flag is never split from its kind


def test_results_become_plain_json_data():
    from dataclasses import dataclass

    from engine.probes.registry import to_plain

    @dataclass
    class Pair:
        a: float
        b: tuple

    value = {1: [0.5, float("nan"), float("inf"), -float("inf"), np.float32(0.25), np.array([1.0, np.inf]),
                 np.int64(3), True, None, "x", (1, 2)], "pair": Pair(2.0, (np.float64(1.5),))}
    plain = to_plain(value)
    assert plain == {"1": [0.5, None, 1e308, -1e308, 0.25, [1.0, 1e308], 3, True, None, "x", [1, 2]],
                     "pair": {"a": 2.0, "b": [1.5]}}
    assert json.loads(json.dumps(plain, allow_nan=False)) == plain
    assert [type(v) for v in plain["1"][4:7]] == [float, list, int]  # no numpy types left
