"""The bundled sft, reward and rlhf checkpoints: loadable without pickle, checked, documented,
and the RLHF claim in the metadata re-computed on a sample of held-out prompts."""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine.rlhf import datasets as rlhf_data
from engine.transformer.weights import WEIGHTS_DIR, load_checkpoint, numpy_model, paths

STAGES = {"sft": "sft", "reward": "reward", "rlhf": "ppo"}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("name", list(STAGES))
def test_checkpoint_metadata(name):
    state, meta = load_checkpoint(name)  # checks the sha256
    assert meta["stage"] == STAGES[name]
    assert meta["training"]["seed"] == 0
    assert set(meta["config"]) >= {"vocab_size", "block_size", "n_layer", "n_head", "d_model"}
    assert meta["data"]["sft_demos"]["sha256"] == rlhf_data.file_sha256(rlhf_data.DEMOS_FILE)
    assert meta["data"]["preferences"]["sha256"] == rlhf_data.file_sha256(rlhf_data.PREFERENCES_FILE)
    assert "metrics" in meta
    assert (WEIGHTS_DIR / f"{name}.safetensors").stat().st_size < 8_000_000
    # No pickle: safetensors and JSON only.
    assert json.loads(paths(name)[1].read_text())["weights_sha256"] == meta["weights_sha256"]


@pytest.mark.parametrize("name", ["sft", "rlhf", "reward"])
def test_language_model_weights_load_in_numpy_and_torch_alike(name):
    import torch

    from engine.rlhf.sft import load_gpt

    model_np, tok, _ = numpy_model(name)
    model_t, _, _ = load_gpt(name)
    ids = tok.encode("Question: What is the ratio in PPO? Answer:")
    logits_np = model_np(ids)[0]
    with torch.no_grad():
        logits_t = model_t(torch.tensor([ids]))[0][0].numpy()
    assert np.abs(logits_np - logits_t).max() < 1e-3


def test_the_data_files_are_what_the_generator_writes():
    demos = rlhf_data.build_demos()
    assert [d.prompt for d in demos] == [r["prompt"] for r in rlhf_data.load_demos()]
    pairs = rlhf_data.build_preferences(demos, rlhf_data.course_lexicon())
    assert pairs == rlhf_data.load_preferences()


def test_reward_model_heldout_accuracy_recomputed():
    from engine.rlhf.reward_model import evaluate_pairs, load_reward_model

    rm, tok, meta = load_reward_model()
    pairs = rlhf_data.load_preferences("heldout")
    recorded = meta["metrics"]["heldout"]
    assert recorded["pairs"] == len(pairs)
    sample = pairs[::4]
    got = evaluate_pairs(rm, tok, sample)
    assert got["accuracy"] > 0.7
    assert abs(got["accuracy"] - recorded["accuracy"]) < 0.06
    # the ending mistakes are learned perfectly: those pairs are what PPO exploits first
    for kind in ("no_full_stop", "filler", "cut_off"):
        assert recorded["accuracy_by_rejected_kind"][kind] > 0.95


def test_rlhf_beats_sft_on_heldout_prompts_within_the_kl_target():
    """Re-compute a sample of the metadata's claim: higher reward-model score, KL to SFT within the target."""
    from engine.rlhf.ppo_trainer import PPOSettings, evaluate_policy, load_policy
    from engine.rlhf.reward_model import load_reward_model
    from engine.rlhf.sft import load_gpt

    policy, tok, meta = load_policy("rlhf")
    sft, _, _ = load_gpt("sft")
    rm, _, _ = load_reward_model()
    held = meta["metrics"]["heldout"]
    assert held["rlhf"]["reward_score"] > held["sft"]["reward_score"] + 0.5
    assert held["kl_within_target"] and held["rlhf"]["kl_to_sft"] <= held["kl_target"]

    s = PPOSettings(**{k: v for k, v in meta["training"]["settings"].items() if k in PPOSettings.__dataclass_fields__})
    prompts = sorted({d["prompt"] for d in rlhf_data.load_demos("heldout")})
    after = evaluate_policy(policy.lm, sft, rm, tok, prompts, 1, seed=7, s=s)
    before = evaluate_policy(sft, sft, rm, tok, prompts, 1, seed=7, s=s)
    assert after["reward_score"] > before["reward_score"] + 0.25
    assert after["kl_to_sft_exact"] <= 1.5 * held["kl_target"]
    assert before["kl_to_sft_exact"] == pytest.approx(0.0, abs=1e-6)
