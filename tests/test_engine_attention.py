"""Attention, positional encoding and the whole forward pass, checked against independent references."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.transformer.model import GPT, GPTConfig
from engine.transformer.numpy_model import Config, NumpyGPT, attention
from engine.probes.transformer import positional_encoding_probe
from engine.transformer.positional import positional_encoding


def test_attention_by_hand_on_three_tokens():
    q = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
    k = np.array([[[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]]])
    v = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])
    att = attention(q, k, v)
    # q·k by hand: row i holds q_i·k_0, q_i·k_1, q_i·k_2 (future keys included)
    assert att["scores"][0].tolist() == [[1, 1, 0], [0, 1, 2], [1, 2, 2]]
    r2 = math.sqrt(2)  # d_k = 2
    assert np.allclose(att["scaled"][0], np.array([[1, 1, 0], [0, 1, 2], [1, 2, 2]]) / r2)
    assert att["mask"].tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    # token 0 sees only itself; token 1 sees scores 0 and 1/√2; token 2 sees 1/√2, 2/√2, 2/√2
    w1 = [1 / (1 + math.exp(1 / r2)), math.exp(1 / r2) / (1 + math.exp(1 / r2))]
    z2 = math.exp(1 / r2) + 2 * math.exp(2 / r2)
    w2 = [math.exp(1 / r2) / z2, math.exp(2 / r2) / z2, math.exp(2 / r2) / z2]
    expected = np.array([[1, 0, 0], [w1[0], w1[1], 0], w2])
    assert np.allclose(att["weights"][0], expected, atol=1e-12)
    # the output is the weighted sum of the values
    out1 = [w1[0] * 1 + w1[1] * 3, w1[0] * 2 + w1[1] * 4]
    assert np.allclose(att["output"][0][0], [1, 2])
    assert np.allclose(att["output"][0][1], out1)
    assert np.allclose(att["output"][0][2], [w2[0] * 1 + w2[1] * 3 + w2[2] * 5, w2[0] * 2 + w2[1] * 4 + w2[2] * 6])


def test_positional_encoding_is_the_formula_of_vaswani_et_al():
    pe = positional_encoding(50, 16)
    for pos in (0, 1, 7, 49):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert pe[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
            assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)


def test_positional_similarity_depends_only_on_distance():
    sim = np.array(positional_encoding_probe(20, 16)["similarity"])
    assert sim[0, 0] == pytest.approx(8.0)  # d_model/2 pairs of sin² + cos²
    assert sim[3, 5] == pytest.approx(sim[10, 12])
    assert sim[4, 4] > sim[4, 5] > sim[4, 8]


CHAR_LIKE = GPTConfig(vocab_size=20, block_size=16, n_layer=2, n_head=4, d_model=32)
WORD_LIKE = GPTConfig(vocab_size=1024, block_size=16, n_layer=3, n_head=4, d_model=96)  # the word model's widths


def _random_models(dtype, cfg=CHAR_LIKE):
    torch.manual_seed(1)
    model = GPT(cfg).eval()
    with torch.no_grad():  # the initial biases and LayerNorms are trivial; make them count
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    state = model.numpy_state()
    model = model.to(dtype)
    model.pe = torch.from_numpy(positional_encoding(cfg.block_size, cfg.d_model)).to(dtype)  # not rounded via float32
    return model, NumpyGPT(Config.from_dict(cfg.to_dict()), state, dtype=np.float64)


@pytest.mark.parametrize("cfg", [CHAR_LIKE, WORD_LIKE], ids=["char", "word"])
@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_numpy_forward_equals_torch_forward(dtype, tol, cfg):
    model, npm = _random_models(dtype, cfg)
    ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    with torch.no_grad():
        logits, trace = model(torch.tensor([ids]), trace=True)
    np_logits, np_trace = npm.forward(ids, trace=True)
    scale = max(1.0, float(np.abs(np_logits).max()))
    assert np.allclose(logits[0].double().numpy(), np_logits, atol=tol * scale)
    assert np.allclose(trace["token_embedding"][0].double().numpy(), np_trace["token_embedding"], atol=tol)
    assert np.allclose(trace["positional_encoding"].double().numpy(), np_trace["positional_encoding"], atol=tol)
    for t_layer, n_layer in zip(trace["layers"], np_trace["layers"]):
        for name in ("q", "k", "v", "scores", "scaled", "weights", "output"):
            assert np.allclose(t_layer[name][0].double().numpy(), n_layer[name], atol=tol * 10), name
        assert (t_layer["mask"].numpy() == n_layer["mask"]).all()


def test_torch_attention_equals_scaled_dot_product_attention():
    model, _ = _random_models(torch.float64)
    with torch.no_grad():
        _, trace = model(torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]]), trace=True)
        for layer in trace["layers"]:
            reference = F.scaled_dot_product_attention(layer["q"], layer["k"], layer["v"], is_causal=True)
            assert torch.allclose(layer["output"], reference, atol=1e-12)
            assert torch.allclose(layer["weights"] @ layer["v"], reference, atol=1e-12)
        # and the traced forward gives the same logits as the fused training path
        assert torch.allclose(model(torch.tensor([[3, 1, 4, 1]]))[0],
                              model(torch.tensor([[3, 1, 4, 1]]), trace=True)[0], atol=1e-12)


def test_weights_are_a_causal_softmax():
    _, npm = _random_models(torch.float64)
    _, trace = npm.forward([1, 2, 3, 4, 5, 6, 7], trace=True)
    for layer in trace["layers"]:
        w = layer["weights"]
        assert np.allclose(w.sum(-1), 1.0)
        assert (w[:, ~layer["mask"]] == 0).all()
        assert (w[:, layer["mask"]] > 0).all()
        assert np.allclose(w[:, 0, 0], 1.0)  # the first token can only attend to itself
