"""The PPO update in torch: agrees with the numpy maths, ratio 1 before the first step,
zero gradient where the clip binds, and a few iterations on a tiny model raise the reward."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import torch

from engine.rl import kl as klm  # noqa: E402
from engine.rl import ppo  # noqa: E402
from engine.transformer.model import GPT, GPTConfig  # noqa: E402
from engine.rlhf.ppo_trainer import (PPOSettings, PolicyWithValue, clipped_surrogate, clipped_value_loss,  # noqa: E402
                                collect_rollout, entropy, exact_kl, make_controller, make_optimizer,
                                ppo_iteration, ppo_update)
from engine.rlhf.sampling import CachedDecoder, sample, token_log_probs  # noqa: E402
from engine.transformer.tokenizer import CharTokenizer  # noqa: E402


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_torch_losses_match_numpy():
    rng = np.random.default_rng(0)
    ratio, adv = np.exp(rng.normal(0, 0.3, 64)), rng.normal(0, 1, 64)
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    assert clipped_surrogate(t(ratio), t(adv), 0.2).mean().item() == pytest.approx(ppo.clip_objective(ratio, adv, 0.2))
    v, v_old, ret = rng.normal(size=64), rng.normal(size=64), rng.normal(size=64)
    assert clipped_value_loss(t(v), t(v_old), t(ret), 0.2).mean().item() == pytest.approx(
        ppo.clipped_value_loss(v, v_old, ret, 0.2))
    logits, logits2 = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    actions = rng.integers(0, 7, 5)
    assert entropy(t(logits)).numpy() == pytest.approx(ppo.entropy(logits))
    assert token_log_probs(t(logits), torch.tensor(actions)).numpy() == pytest.approx(
        ppo.action_log_probs(logits, actions))
    assert exact_kl(t(logits), t(logits2)).numpy() == pytest.approx(
        klm.exact_kl(ppo.log_softmax(logits), ppo.log_softmax(logits2)))


def test_clipped_side_has_zero_gradient():
    # ε = 0.2; samples: bound above (r=1.5, Â>0), not bound (r=0.5, Â>0), not bound (r=1.5, Â<0),
    # bound below (r=0.5, Â<0), inside the band (r=1.1, Â>0).
    ratio0 = torch.tensor([1.5, 0.5, 1.5, 0.5, 1.1], dtype=torch.float64)
    adv = torch.tensor([1.0, 1.0, -1.0, -1.0, 1.0], dtype=torch.float64)
    logp_old = torch.log(torch.full((5,), 0.3, dtype=torch.float64))
    logp_new = (logp_old + ratio0.log()).clone().requires_grad_(True)
    ratio = (logp_new - logp_old).exp()
    clipped_surrogate(ratio, adv, 0.2).sum().backward()
    bound = ppo.clip_bound_mask(ratio0.numpy(), adv.numpy(), 0.2)
    assert bound.tolist() == [True, False, False, True, False]
    # d/dlogπ of r·Â is r·Â; where the clip binds the objective is flat.
    expected = np.where(bound, 0.0, (ratio0 * adv).numpy())
    assert logp_new.grad.numpy() == pytest.approx(expected)


# --- a tiny policy on a toy task: the reward is the share of 'a' in the answer ---

TOK = CharTokenizer(list("ab?: "))
PROMPTS = ["a?:", "b?:", "ab?:", "ba?:"]


def tiny_policy(seed: int = 0) -> PolicyWithValue:
    torch.manual_seed(seed)
    cfg = GPTConfig(vocab_size=TOK.vocab_size, block_size=24, n_layer=1, n_head=2, d_model=32)
    return PolicyWithValue(GPT(cfg)).eval()


def share_of_a(episodes) -> torch.Tensor:
    a = TOK.stoi["a"]
    scores = []
    for i in range(episodes.ids.size(0)):
        p, n = int(episodes.prompt_lens[i]), int(episodes.response_lens[i])
        resp = episodes.ids[i, p:p + n]
        scores.append(float((resp == a).float().mean()) if n else 0.0)
    return torch.tensor(scores)


SETTINGS = dict(episodes_per_iteration=16, minibatch_size=4, epochs=4, lr=3e-3, max_new_tokens=8,
                beta=0.01, adaptive_kl=False, kl_target=1.0)


def test_rollout_ratio_is_one_before_the_first_step_and_moves_after():
    policy = tiny_policy()
    ref = copy.deepcopy(policy.lm)
    s = PPOSettings(**SETTINGS)
    gen = torch.Generator().manual_seed(0)
    log, rollout, stats = ppo_iteration(policy, ref, share_of_a, TOK, make_optimizer(policy, s.lr),
                                        PROMPTS * 4, s, make_controller(s), gen)
    assert stats.first_minibatch_ratio_error < 1e-6
    assert len(stats.pg_loss) == s.epochs * (s.episodes_per_iteration // s.minibatch_size)
    assert log["ratio_max"] > 1.0 + 1e-3 or log["ratio_min"] < 1.0 - 1e-3
    # The policy and the reference were the same model: the KL penalty was 0 in this rollout.
    assert float(rollout.kl.abs().max()) < 1e-5
    # Rewards: −β·KL per token plus the score on the last token of each answer.
    rows = torch.arange(rollout.mask.size(0))
    total = rollout.rewards.sum(1)
    assert total.numpy() == pytest.approx((rollout.scores - rollout.beta * rollout.kl_per_answer).numpy(), abs=1e-5)
    assert rollout.mask[rows, rollout.episodes.last_index].bool().all()


def test_only_the_policy_learns():
    policy = tiny_policy()
    ref = copy.deepcopy(policy.lm)
    for p in ref.parameters():
        p.requires_grad_(False)
    ref_before = {k: v.clone() for k, v in ref.state_dict().items()}
    s = PPOSettings(**SETTINGS)
    gen = torch.Generator().manual_seed(1)
    rollout = collect_rollout(policy, ref, share_of_a, TOK, PROMPTS * 4, s, 0.01, gen)
    before = copy.deepcopy(policy.state_dict())
    ppo_update(policy, make_optimizer(policy, s.lr), rollout, s, gen)
    assert all(torch.equal(v, ref.state_dict()[k]) for k, v in ref_before.items())
    assert any(not torch.equal(v, policy.state_dict()[k]) for k, v in before.items())
    assert not torch.equal(before["value_head.2.weight"], policy.state_dict()["value_head.2.weight"])


def test_value_loss_trains_the_critic_only_and_the_policy_loss_the_body_only():
    policy = tiny_policy()
    ids = torch.tensor([TOK.encode("ab?:ab")])
    logits, values = policy(ids)
    ((values - 1.0) ** 2).sum().backward()
    assert all(p.grad is None for p in policy.lm.parameters())
    assert policy.value_head[2].weight.grad.abs().sum() > 0
    policy.zero_grad(set_to_none=True)
    logits, values = policy(ids)
    token_log_probs(logits[:, :-1], ids[:, 1:]).sum().backward()
    assert all(p.grad is None for p in policy.value_head.parameters())
    assert policy.lm.wte.weight.grad.abs().sum() > 0


def test_a_few_iterations_raise_the_reward():
    policy = tiny_policy()
    ref = copy.deepcopy(policy.lm)
    s = PPOSettings(**SETTINGS)
    opt, controller = make_optimizer(policy, s.lr), make_controller(s)
    gen = torch.Generator().manual_seed(2)
    rewards = [ppo_iteration(policy, ref, share_of_a, TOK, opt, PROMPTS * 4, s, controller, gen, it)[0]["reward_score"]
               for it in range(12)]
    assert np.mean(rewards[-3:]) > np.mean(rewards[:3]) + 0.15


def test_sampling_respects_prompts_and_stop():
    policy = tiny_policy()
    gen = torch.Generator().manual_seed(0)
    ep = sample(policy.lm, [TOK.encode(p) for p in PROMPTS], 6, TOK.eot_id, gen)
    for i, p in enumerate(PROMPTS):
        assert TOK.decode(ep.ids[i, :len(p)].tolist()) == p
        n = int(ep.response_lens[i])
        resp = ep.ids[i, len(p):len(p) + n].tolist()
        assert (TOK.eot_id in resp) == bool(ep.finished[i])
        if ep.finished[i]:
            assert resp[-1] == TOK.eot_id and TOK.eot_id not in resp[:-1]
    assert int(ep.mask.sum()) == int(ep.response_lens.sum())


def test_cached_decoding_equals_the_full_forward_pass():
    policy = tiny_policy(3)
    model = policy.lm
    prompts = [TOK.encode(p) for p in PROMPTS]
    gen = torch.Generator().manual_seed(0)
    ep = sample(model, prompts, 10, TOK.eot_id, gen)
    # Replay the sampled tokens through the cache and compare every step with model(ids).
    with torch.no_grad():
        full, _ = model(ep.ids)
        dec = CachedDecoder(model, len(prompts))
        lens = ep.prompt_lens
        first = dec.prefill(ep.ids[:, :int(lens.max())])
        rows = torch.arange(len(prompts))
        assert torch.allclose(first[rows, lens - 1], full[rows, lens - 1], atol=1e-5)
        for t in range(int(ep.response_lens.max()) - 1):
            pos = torch.clamp(lens + t, max=ep.ids.size(1) - 1)
            step = dec.step(ep.ids[rows, pos], pos)
            ok = (t < ep.response_lens - 1)
            assert torch.allclose(step[ok], full[rows, pos][ok], atol=1e-5)
