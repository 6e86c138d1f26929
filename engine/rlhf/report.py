"""The RLHF figures of the char and the word model side by side, from their bundled checkpoints.

    python -m engine.rlhf.report

For each model: the reward model's pairwise accuracy on the held-out preference
pairs, and, on the held-out prompts (the same prompts, samples per prompt and
seed as the PPO stage's own evaluation), the SFT and the RLHF policy's mean
reward-model score, KL to the SFT model, stand-in rater score and on-topic rate.
"""
from __future__ import annotations

from engine.transformer.variants import MODELS, checkpoint_name


def model_figures(model: str) -> dict:
    import torch

    from engine.rlhf import datasets as rlhf_data
    from engine.rlhf.ppo_trainer import PPOSettings, evaluate_policy, load_policy
    from engine.rlhf.reward_model import evaluate_pairs, load_reward_model
    from engine.rlhf.sft import load_gpt

    torch.set_num_threads(1)
    policy, tok, meta = load_policy(checkpoint_name(model, "rlhf"))
    sft, _, _ = load_gpt(checkpoint_name(model, "sft"))
    rm, _, _ = load_reward_model(checkpoint_name(model, "reward"))
    s = PPOSettings(**{k: v for k, v in meta["training"]["settings"].items() if k in PPOSettings.__dataclass_fields__})
    held = meta["metrics"]["heldout"]
    prompts = sorted({d["prompt"] for d in rlhf_data.load_demos("heldout")})
    before = evaluate_policy(sft, sft, rm, tok, prompts, held["samples_per_prompt"], held["seed"], s)
    after = evaluate_policy(policy.lm, sft, rm, tok, prompts, held["samples_per_prompt"], held["seed"], s)
    pairs = evaluate_pairs(rm, tok, rlhf_data.load_preferences("heldout"))
    return {"model": model, "reward_model_accuracy": pairs["accuracy"], "sft": before, "rlhf": after,
            "reward_gain": after["reward_score"] - before["reward_score"]}


def main() -> int:
    rows = [model_figures(m) for m in MODELS]
    print(f"{'':34}" + "".join(f"{r['model']:>16}" for r in rows))
    lines = [("reward model, held-out pair accuracy", lambda r: f"{r['reward_model_accuracy']:.1%}"),
             ("reward-model score SFT → RLHF", lambda r: f"{r['sft']['reward_score']:+.2f} → {r['rlhf']['reward_score']:+.2f}"),
             ("reward gain", lambda r: f"{r['reward_gain']:+.3f}"),
             ("KL to SFT (nats per answer)", lambda r: f"{r['rlhf']['kl_to_sft']:.2f}"),
             ("rater score SFT → RLHF (of 5)", lambda r: f"{r['sft']['rater_score']:.2f} → {r['rlhf']['rater_score']:.2f}"),
             ("on-topic SFT → RLHF", lambda r: f"{r['sft']['on_topic']:.1%} → {r['rlhf']['on_topic']:.1%}"),
             ("finished with <eot>, RLHF", lambda r: f"{r['rlhf']['finished']:.0%}")]
    for label, cell in lines:
        print(f"{label:34}" + "".join(f"{cell(r):>16}" for r in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
