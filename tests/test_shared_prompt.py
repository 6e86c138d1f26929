"""Rows that begin with the same prompt (one prompt, many sampled answers: the lab's PPO step) have that
prompt computed once: the same logits, values and gradients as the full pass on every row, up to float32
rounding, from fewer positions through the model."""
from __future__ import annotations

import pytest
import torch

from engine.rlhf.ppo_trainer import PolicyWithValue
from engine.rlhf.sampling import sample
from engine.transformer.model import GPT, GPTConfig


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def policy(seed: int = 0) -> PolicyWithValue:
    torch.manual_seed(seed)
    cfg = GPTConfig(vocab_size=11, block_size=32, n_layer=2, n_head=4, d_model=32)
    model = PolicyWithValue(GPT(cfg)).eval()
    with torch.no_grad():  # weights of a trained size, not the tiny initial ones: the attention matters
        for p in model.parameters():
            p.normal_(0, 0.3)
    return model


def rows_with_a_common_prompt(batch: int = 5, prompt: int = 7, width: int = 20) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 11, (batch, width), generator=gen)
    ids[:, :prompt] = ids[0, :prompt]
    return ids


def test_the_shared_pass_gives_the_full_passs_logits_and_values():
    model, ids = policy(), rows_with_a_common_prompt()
    with torch.no_grad():
        logits, values = model(ids)
        logits_shared, values_shared = model(ids, shared=7)
    assert logits_shared.shape == logits.shape and values_shared.shape == values.shape
    assert torch.allclose(logits_shared, logits, atol=1e-5, rtol=1e-5)
    assert torch.allclose(values_shared, values, atol=1e-5, rtol=1e-5)


def test_the_shared_pass_gives_the_full_passs_gradients():
    ids = rows_with_a_common_prompt()
    target = torch.randint(0, 11, ids.shape, generator=torch.Generator().manual_seed(2))
    grads = []
    for shared in (0, 7):
        model = policy()
        logits, values = model(ids, shared=shared)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 11), target.reshape(-1)) + values.square().mean()
        loss.backward()
        grads.append({name: p.grad.clone() for name, p in model.named_parameters()})
    for name, full in grads[0].items():
        assert torch.allclose(grads[1][name], full, atol=1e-5, rtol=1e-4), name


def test_rows_that_differ_before_the_end_of_the_shared_part_are_not_what_it_is_for():
    # The caller promises the prefix is common; sample() says so only when every prompt is the same.
    model = policy()
    gen = torch.Generator().manual_seed(0)
    same = sample(model.lm, [[1, 2, 3]] * 4, 5, stop_id=0, generator=gen)
    different = sample(model.lm, [[1, 2, 3], [1, 2, 4], [1, 2, 3], [1, 2, 3]], 5, stop_id=0, generator=gen)
    assert same.shared == 3 and different.shared == 0
    assert same.rows(torch.tensor([2, 0])).shared == 3  # a minibatch keeps it


def test_the_shared_prompt_goes_through_the_model_once():
    model, ids = policy(), rows_with_a_common_prompt(batch=5, prompt=7, width=20)
    seen: list[int] = []
    hook = model.lm.blocks[0].attn.qkv.register_forward_hook(lambda _m, inputs, _out: seen.append(
        inputs[0].shape[0] * inputs[0].shape[1]))
    with torch.no_grad():
        model(ids)
        full = sum(seen)
        seen.clear()
        model(ids, shared=7)
    hook.remove()
    assert full == 5 * 20
    assert sum(seen) == 7 + 5 * 13  # the prompt once, then each row's own 13 positions


def test_nothing_shared_or_one_row_is_the_plain_pass():
    model, ids = policy(), rows_with_a_common_prompt()
    with torch.no_grad():
        plain, _ = model(ids)
        for shared in (0, ids.size(1)):  # nothing, or the whole row: the plain pass
            assert torch.equal(model(ids, shared=shared)[0], plain)
        assert torch.equal(model(ids[:1], shared=7)[0], plain[:1])
