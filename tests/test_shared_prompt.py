"""Rows that begin with the same prompt (one prompt, many sampled answers: the lab's PPO step) have that
prompt computed once: the same logits, values and gradients as the full pass on every row, up to float32
rounding, from fewer positions through the model."""
from __future__ import annotations

import pytest
import torch

from engine.rlhf.ppo_trainer import PPOSettings, PolicyWithValue, make_controller, make_optimizer, ppo_iteration
from engine.rlhf.sampling import sample
from engine.transformer.model import GPT, SHARED_MIN, GPTConfig
from engine.transformer.tokenizer import CharTokenizer

PROMPT = 20  # tokens every row shares (at least SHARED_MIN)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def policy(seed: int = 0, vocab: int = 11) -> PolicyWithValue:
    torch.manual_seed(seed)
    cfg = GPTConfig(vocab_size=vocab, block_size=48, n_layer=2, n_head=4, d_model=32)
    model = PolicyWithValue(GPT(cfg)).eval()
    with torch.no_grad():  # weights of a trained size, not the tiny initial ones: the attention matters
        for p in model.parameters():
            p.normal_(0, 0.3)
    return model


def rows_with_a_common_prompt(batch: int = 5, prompt: int = PROMPT, width: int = 33) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 11, (batch, width), generator=gen)
    ids[:, :prompt] = ids[0, :prompt]
    return ids


def test_the_shared_pass_gives_the_full_passs_logits_and_values():
    model, ids = policy(), rows_with_a_common_prompt()
    with torch.no_grad():
        logits, values = model(ids)
        logits_shared, values_shared = model(ids, shared=PROMPT)
    assert logits_shared.shape == logits.shape and values_shared.shape == values.shape
    assert torch.allclose(logits_shared, logits, atol=1e-5, rtol=1e-5)
    assert torch.allclose(values_shared, values, atol=1e-5, rtol=1e-5)


def test_the_shared_pass_gives_the_full_passs_gradients():
    ids = rows_with_a_common_prompt()
    target = torch.randint(0, 11, ids.shape, generator=torch.Generator().manual_seed(2))
    grads = []
    for shared in (0, PROMPT):
        model = policy()
        logits, values = model(ids, shared=shared)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 11), target.reshape(-1)) + values.square().mean()
        loss.backward()
        grads.append({name: p.grad.clone() for name, p in model.named_parameters()})
    for name, full in grads[0].items():
        assert torch.allclose(grads[1][name], full, atol=1e-5, rtol=1e-4), name


def test_sample_says_which_rows_share_their_prompt():
    model = policy()
    gen = torch.Generator().manual_seed(0)
    same = sample(model.lm, [[1, 2, 3]] * 4, 5, stop_id=0, generator=gen)
    different = sample(model.lm, [[1, 2, 3], [1, 2, 4], [1, 2, 3], [1, 2, 3]], 5, stop_id=0, generator=gen)
    assert same.shared == 3 and different.shared == 0
    assert same.rows(torch.tensor([2, 0])).shared == 3  # a minibatch keeps it


def test_rows_that_do_not_share_what_they_are_said_to_share_are_refused():
    model, ids = policy(), rows_with_a_common_prompt()
    ids[3, PROMPT - 1] = (ids[0, PROMPT - 1] + 1) % 11
    with pytest.raises(ValueError, match="differ within the first 20 tokens"):
        model(ids, shared=PROMPT)


def positions_through_the_model(model: PolicyWithValue) -> tuple[list[int], torch.utils.hooks.RemovableHandle]:
    """Rows × positions of every pass through the first layer's attention, as they happen."""
    seen: list[int] = []
    hook = model.lm.blocks[0].attn.qkv.register_forward_hook(
        lambda _m, inputs, _out: seen.append(inputs[0].shape[0] * inputs[0].shape[1]))
    return seen, hook


def test_the_shared_prompt_goes_through_the_model_once():
    model, ids = policy(), rows_with_a_common_prompt(batch=5, width=33)
    seen, hook = positions_through_the_model(model)
    with torch.no_grad():
        model(ids)
        full = sum(seen)
        seen.clear()
        model(ids, shared=PROMPT)
    hook.remove()
    assert full == 5 * 33
    assert sum(seen) == PROMPT + 5 * 13  # the prompt once, then each row's own 13 positions


def test_a_ppo_iteration_on_one_prompt_passes_it_once_in_the_rollout_every_minibatch_and_after():
    tok = CharTokenizer(list("abcdefgh?: "))
    model, ref = policy(0, tok.vocab_size), policy(1, tok.vocab_size).lm
    s = PPOSettings(episodes_per_iteration=4, minibatch_size=2, epochs=3, max_new_tokens=6)
    prompt = "abcdefgh?: abcdefgh?:"  # 21 characters, shared by the 4 answers
    seen, hook = positions_through_the_model(model)
    no_reward = lambda episodes: torch.zeros(episodes.ids.size(0))  # noqa: E731
    ppo_iteration(model, ref, no_reward, tok, make_optimizer(model, s.lr), [prompt] * 4, s, make_controller(s),
                  torch.Generator().manual_seed(0))
    hook.remove()
    # The prompt as one row of 21 positions: in the rollout, in each of 3 epochs × 2 minibatches, and after.
    assert seen.count(len(prompt)) == 1 + 3 * 2 + 1


def test_nothing_shared_too_little_shared_or_one_row_is_the_plain_pass():
    model, ids = policy(), rows_with_a_common_prompt()
    with torch.no_grad():
        plain, _ = model(ids)
        for shared in (0, SHARED_MIN - 1, ids.size(1)):  # nothing, too little to pay, the whole row
            assert torch.equal(model(ids, shared=shared)[0], plain)
        assert torch.equal(model(ids[:1], shared=PROMPT)[0], plain[:1])


def test_with_dropout_in_training_every_row_gets_its_own_noise():
    torch.manual_seed(0)
    model = PolicyWithValue(GPT(GPTConfig(vocab_size=11, block_size=48, n_layer=1, n_head=2, d_model=16,
                                          dropout=0.5))).train()
    logits, _ = model(rows_with_a_common_prompt(), shared=PROMPT)
    assert not torch.equal(logits[0, :PROMPT], logits[1, :PROMPT])  # the plain pass: noise per row
