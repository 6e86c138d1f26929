"""How long does the ppo_step probe take, compared with one forward + backward pass of the same batch?

    python benchmarks/bench_ppo_step.py [--repeat 3] [--prompt "What is the ratio in PPO?"] [--threads N]
                                        [--model char|word] [--phases]

ppo_step samples a batch of answers token by token, scores them, runs GAE and
several epochs of minibatch updates, then recomputes the ratios. One
forward + backward pass of the policy (L^CLIP + value loss) on that same batch
is the unit: the printed ratio says how many such passes one probe call costs.
Both are measured in the same process after a warm-up call (weights loaded,
kernels warm); the figures are medians. --phases also prints where a call's
CPU time goes (process time, so another program's load stretches it less):
sampling, the reward model, the rest of the rollout, the minibatch updates
(their backward passes, gradient clipping and Adam apart) and the rest.
"""
from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def print_phases(call, repeat: int) -> None:
    """Median CPU milliseconds per phase of `call(seed)`, each phase timed by wrapping the function doing it."""
    import collections
    import functools

    import torch

    from engine.rlhf import adam, ppo_trainer

    spent: dict[str, float] = collections.defaultdict(float)

    def timed(owner, name: str, label: str) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*a, **k):
            start = time.process_time()
            try:
                return function(*a, **k)
            finally:
                spent[label] += time.process_time() - start
        setattr(owner, name, wrapper)

    for owner, name, label in ((ppo_trainer, "sample", "sampling the answers"),
                               (ppo_trainer, "score_episodes", "reward model"),
                               (ppo_trainer, "collect_rollout", "rollout"),
                               (torch.Tensor, "backward", "backward passes"),
                               (torch.nn.utils, "clip_grad_norm_", "gradient clipping"),
                               (adam.PlainAdam, "step", "Adam steps"),
                               (ppo_trainer, "ppo_update", "update"),
                               (ppo_trainer, "ppo_iteration", "iteration")):
        timed(owner, name, label)
    runs: dict[str, list[float]] = collections.defaultdict(list)
    for seed in range(repeat):
        spent.clear()
        start = time.process_time()
        call(seed)
        runs["call"].append(time.process_time() - start)
        for label, seconds in spent.items():
            runs[label].append(seconds)
    ms = {label: 1000 * statistics.median(v) for label, v in runs.items()}
    parts = [("sampling the answers (token by token)", ms["sampling the answers"]),
             ("reward model", ms["reward model"]),
             ("rollout: policy and reference log-probs, values, GAE",
              ms["rollout"] - ms["sampling the answers"] - ms["reward model"]),
             ("update: forward passes, losses, statistics",
              ms["update"] - ms["backward passes"] - ms["gradient clipping"] - ms["Adam steps"]),
             ("update: backward passes", ms["backward passes"]),
             ("update: gradient clipping", ms["gradient clipping"]),
             ("update: Adam steps", ms["Adam steps"]),
             ("ppo_iteration besides: ratios and exact KL after it", ms["iteration"] - ms["rollout"] - ms["update"]),
             ("the result's table and the rest", ms["call"] - ms["iteration"])]
    print(f"CPU time of one call, median of {repeat}: {ms['call']:.1f} ms")
    for label, value in parts:
        print(f"  {label:55s} {value:7.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--prompt", default="What is the ratio in PPO?")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own)")
    ap.add_argument("--model", default="char", choices=("char", "word"))
    ap.add_argument("--phases", action="store_true", help="CPU time of each phase of a call")
    args = ap.parse_args()

    import torch

    from engine.rlhf.ppo_trainer import (PPOSettings, clipped_surrogate, clipped_value_loss, collect_rollout,
                                    masked_mean, normalized_advantages, reward_model_judge)
    from engine.probes.rlhf import _ppo_models, as_prompt, ppo_step
    from engine.rlhf.sampling import token_log_probs

    if args.threads:
        torch.set_num_threads(args.threads)
    ppo_step(args.prompt, seed=99, model=args.model)  # warm-up: loads the three checkpoints
    probe_times = []
    for i in range(args.repeat):
        t = time.perf_counter()
        result = ppo_step(args.prompt, seed=i, model=args.model)
        probe_times.append(time.perf_counter() - t)
    if args.phases:
        print_phases(lambda seed: ppo_step.__wrapped__(args.prompt, seed=seed, model=args.model), args.repeat)

    base, ref, rm, tok, meta = _ppo_models(args.model)
    s = PPOSettings(**{k: v for k, v in meta["training"]["settings"].items() if k in PPOSettings.__dataclass_fields__})
    answers = len(result["episodes"])
    policy = copy.deepcopy(base)
    rollout = collect_rollout(policy, ref, reward_model_judge(rm, tok.eot_id), tok, [as_prompt(args.prompt)] * answers,
                              s, result["beta"], torch.Generator().manual_seed(0))
    adv = normalized_advantages(rollout)

    def forward_backward() -> None:
        logits, values = policy(rollout.episodes.inputs)
        logp = token_log_probs(logits, rollout.episodes.targets) * rollout.mask
        ratio = ((logp - rollout.logp_old) * rollout.mask).exp()
        loss = -masked_mean(clipped_surrogate(ratio, adv, s.clip_epsilon), rollout.mask) + \
            s.vf_coef * masked_mean(clipped_value_loss(values, rollout.values, rollout.returns, s.value_clip),
                                    rollout.mask)
        policy.zero_grad(set_to_none=True)
        loss.backward()

    forward_backward()
    pass_times = []
    for _ in range(max(5, args.repeat)):
        t = time.perf_counter()
        forward_backward()
        pass_times.append(time.perf_counter() - t)

    probe, one_pass = statistics.median(probe_times), statistics.median(pass_times)
    tokens = int(rollout.mask.sum())
    print(f"batch: {answers} answers, {tokens} generated tokens, {result['gradient_steps']} gradient steps per probe call; "
          f"torch threads {torch.get_num_threads()}")
    print(f"ppo_step probe:          {probe * 1000:8.1f} ms  (median of {len(probe_times)})")
    print(f"one forward+backward:    {one_pass * 1000:8.1f} ms  (median of {len(pass_times)})")
    print(f"ratio probe / pass:      {probe / one_pass:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
