"""The kl, compare_stages and ppo_step probes on the bundled checkpoints."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from engine.probes import ProbeError, run_probe


CLI = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main(sys.argv[1:]))"]
PROMPT = "What is the ratio in PPO?"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_kl_probe_exact_and_estimates():
    from engine.rl.ppo import log_softmax
    from engine.transformer.weights import numpy_model

    a, tok, _ = numpy_model("sft")
    b, _, _ = numpy_model("rlhf")

    def next_token(model, text):
        return np.exp(log_softmax(model(tok.encode(text))[0][-1]))

    # a context where the two policies differ (the last token of an answer: full stop or not)
    candidates = ["Question: What is the policy? Answer: The rule that picks actions, here the next token",
                  "Question: What is a reward? Answer: The points the environment gives for an action",
                  "Question: What does the softmax do? Answer: It turns scores into probabilities",
                  "Question: What is gamma? Answer:", "Question: What is beta? Answer: The"]
    text = max(candidates, key=lambda t: float(np.sum(next_token(a, t) * np.log(next_token(a, t) / next_token(b, t)))))
    out = run_probe("kl", {"text": text, "checkpoint_a": "sft", "checkpoint_b": "rlhf", "samples": 20000})
    pa, pb = next_token(a, text), next_token(b, text)
    assert out["exact_kl"] == pytest.approx(float(np.sum(pa * np.log(pa / pb))), rel=1e-6)
    assert out["exact_kl"] > 1e-3
    for name in ("k1", "k3"):
        est = out["estimates"][name]
        assert est["expected"] == pytest.approx(out["exact_kl"], rel=1e-6)  # unbiased
        assert abs(est["mean"] - out["exact_kl"]) <= 5 * est["stderr"] + 1e-3 * out["exact_kl"]
    assert out["estimates"]["k3"]["std"] <= out["estimates"]["k1"]["std"]
    same = run_probe("kl", {"text": text, "checkpoint_a": "sft", "checkpoint_b": "sft"})
    assert same["exact_kl"] == pytest.approx(0.0, abs=1e-12)
    assert same["estimates"]["k3"]["mean"] == pytest.approx(0.0, abs=1e-12)


def test_numpy_sampling_with_cache_equals_the_full_forward_pass():
    from engine.probes.rlhf import sample_numpy
    from engine.transformer.weights import numpy_model

    model, tok, _ = numpy_model("rlhf")
    prompt = tok.encode("Question: What is the critic? Answer:")
    record: list = []
    answers = sample_numpy(model, tok, prompt, 3, np.random.default_rng(0), max_new_tokens=12, record=record)
    for b, (ids, _) in enumerate(answers):
        for t in range(len(ids)):
            full = model(prompt + ids[:t])[0][-1]
            assert np.abs(record[t][b] - full).max() < 1e-8


def test_compare_stages_is_deterministic_and_scored():
    out = run_probe("compare_stages", {"prompt": PROMPT, "seed": 3})
    assert [s["checkpoint"] for s in out["stages"]] == ["pretrain", "sft", "rlhf"]
    assert out["prompt"] == "Question: What is the ratio in PPO? Answer:"
    assert out["reference_answer"]
    for stage in out["stages"]:
        for answer in stage["answers"]:
            assert math.isfinite(answer["reward_score"])
    assert run_probe("compare_stages", {"prompt": PROMPT, "seed": 3}) == out
    with pytest.raises(ProbeError):
        run_probe("compare_stages", {"prompt": "   "})


def test_ppo_step_one_real_update():
    from engine.probes.rlhf import _ppo_models

    policy = _ppo_models()[0]
    before = {k: v.clone() for k, v in policy.state_dict().items()}
    out = run_probe("ppo_step", {"prompt": PROMPT, "seed": 1})
    assert out["ratio_is_one_before_update"]
    assert out["gradient_steps"] > 1
    stats = out["stats"]
    for key in ("reward_score", "kl_to_ref", "beta", "clipfrac_outside", "clipfrac_bound", "approx_kl",
                "ratio_min", "ratio_mean", "ratio_max", "value_loss", "entropy"):
        assert key in stats
    moved = False
    for ep in out["episodes"]:
        assert ep["tokens"]
        for t in ep["tokens"]:
            assert t["ratio"] == pytest.approx(t["pi_new"] / t["pi_old"], rel=1e-6)
            clip_r = min(max(t["ratio"], 1 - out["epsilon"]), 1 + out["epsilon"])
            assert t["clipped"] == (t["ratio"] * t["advantage_normalized"] > clip_r * t["advantage_normalized"])
            assert t["kl_penalty"] == pytest.approx(-out["beta"] * t["kl"])
            moved |= abs(t["ratio"] - 1) > 1e-3
        # the rewards of an answer add up to its score minus β times its KL
        assert sum(t["reward"] for t in ep["tokens"]) == pytest.approx(
            ep["reward_score"] - out["beta"] * ep["kl_to_ref"], abs=1e-4)
    assert moved
    # nothing was saved: the bundled policy is untouched
    after = policy.state_dict()
    assert all(np.array_equal(v.numpy(), after[k].numpy()) for k, v in before.items())
    # the same seed gives the same numbers (computed again: the engine keeps only the latest call's result)
    assert run_probe("ppo_step", {"prompt": PROMPT, "seed": 2}) != out
    assert run_probe("ppo_step", {"prompt": PROMPT, "seed": 1}) == out


def test_kl_cli_json():
    out = subprocess.run([*CLI, "kl", "--text", "Question: What is SFT? Answer:", "--samples", "200", "--json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["exact_kl"] >= 0 and set(data["estimates"]) == {"k1", "k2", "k3"}


def test_one_at_a_time_computes_a_repeated_call_once_and_hands_out_copies():
    import threading

    from engine.probes.rlhf import _one_at_a_time

    started, release, calls = threading.Event(), threading.Event(), []

    @_one_at_a_time
    def step(prompt, seed=0):
        calls.append((prompt, seed))
        started.set()
        release.wait(5)
        return {"seed": seed, "episodes": [{"answer": prompt}]}

    results = []
    first = threading.Thread(target=lambda: results.append(step("p", seed=1)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: results.append(step("p", seed=1)))  # waits for the first
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert calls == [("p", 1)] and results[0] == results[1] == {"seed": 1, "episodes": [{"answer": "p"}]}
    results[0]["episodes"][0]["answer"] = "changed by a caller"
    assert step("p", seed=1)["episodes"][0]["answer"] == "p"  # each caller has its own copy
    step("p", seed=2)
    step("p", seed=1)  # only the latest call is kept: computed again
    assert calls == [("p", 1), ("p", 2), ("p", 1)]


def test_plain_adam_updates_exactly_as_torch_adam():
    import copy

    import torch

    from engine.rlhf.adam import PlainAdam

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3), torch.nn.Linear(3, 2))
    ours, theirs = copy.deepcopy(net), copy.deepcopy(net)
    optimizers = {id(ours): PlainAdam(ours.parameters(), lr=3e-4, eps=1e-5),
                  id(theirs): torch.optim.Adam(theirs.parameters(), lr=3e-4, eps=1e-5)}
    for step in range(12):
        x = torch.randn(5, 8)
        for model in (ours, theirs):
            optimizer = optimizers[id(model)]
            optimizer.zero_grad(set_to_none=True)
            out = model[:3](x) if step % 3 == 0 else model(x)  # some steps leave the last layer without a gradient
            out.pow(2).sum().backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
    assert all(torch.equal(a, b) for a, b in zip(ours.parameters(), theirs.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(ours.parameters(), net.parameters()))


def test_ppo_step_gives_the_numbers_the_training_optimizer_gives(monkeypatch):
    import engine.probes.rlhf as rlhf
    from engine.rlhf.ppo_trainer import make_optimizer

    step = rlhf.ppo_step.__wrapped__  # not the copy of the latest call's result
    ours = step(PROMPT, seed=5)
    monkeypatch.setattr(rlhf, "_optimizer", make_optimizer)  # torch.optim.Adam, as the PPO training uses
    assert step(PROMPT, seed=5) == ours
