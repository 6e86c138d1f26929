"""Stage 4, RLHF proper: PPO against the reward model, with a KL penalty to the SFT model.

The reinforcement-learning view of a language model (Ziegler et al. 2019, InstructGPT):

    agent / policy π_θ   the language model being tuned (actor), with a value head V(s_t) (critic)
    state s_t            the prompt and the answer so far
    action a_t           the next token
    episode              one answer, ending at <eot> or at the length limit
    reward               r_t = −β · KL_t  for every token,  plus the reward model's score on the last one
    KL_t                 log π_θold(a_t|s_t) − log π_ref(a_t|s_t)   (k1, see engine/rl/kl.py)
    π_ref                a frozen copy of the SFT model: the penalty keeps the policy near it

One iteration (CleanRL's ppo.py, line for line in spirit):

1. rollout: sample answers to a batch of prompts from π_θold (the current weights,
   dropout off), and record log π_θold(a_t|s_t), log π_ref(a_t|s_t), V(s_t) and the
   reward-model score of every answer;
2. rewards per token as above, then advantages Â_t and returns by GAE(γ, λ)
   (engine/rl/gae.py), advantages normalised over the rollout;
3. several epochs over shuffled minibatches of the rollout, each a gradient step on

       loss = −L^CLIP(θ) + c_v · L^V(θ) − c_H · H[π_θ]

   with ratio r_t = exp(log π_θ − log π_θold). On the first minibatch of the first
   epoch θ = θold, so every ratio is exactly 1 (checked); later minibatches see the
   ratio move and the clip take hold;
4. log the batch statistics, and adapt β to the measured KL to π_ref
   (PPO paper, section 4: halve or double; engine/rl/kl.py).

The numpy versions of every objective are in engine/rl/ppo.py; the torch ones
below compute the same numbers (a test checks) and carry the gradients.
"""
from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from engine.rlhf import datasets as rlhf_data
from engine.rl.gae import gae
from engine.rl.kl import AdaptiveKLController, FixedKLController, within_trust_region
from engine.transformer.model import GPT, GPTConfig
from engine.rlhf.reward_model import RewardModel, score_episodes
from engine.rlhf.sampling import Episodes, responses, sample, token_log_probs
from engine.transformer.tokenizer import CharTokenizer
from engine.transformer.variants import checkpoint_name, tokenizer_from_meta, tokenizer_metadata
from engine.texts import _, num


@dataclass
class PPOSettings:
    iterations: int = 60
    episodes_per_iteration: int = 32   # answers sampled per rollout
    minibatch_size: int = 8            # answers per gradient step
    epochs: int = 4                    # passes over each rollout
    lr: float = 1.5e-5
    clip_epsilon: float = 0.2          # ε
    value_clip: float = 0.2
    vf_coef: float = 0.5               # c_v
    ent_coef: float = 0.0              # c_H
    gamma: float = 1.0                 # γ: no discount within one short answer
    lam: float = 0.95                  # λ of GAE
    beta: float = 0.1                  # β, the initial KL coefficient
    adaptive_kl: bool = True           # adapt β (PPO paper, section 4) or keep it fixed
    beta_min: float = 0.05             # bounds of the adaptive β: halving at KL ≈ 0 must not erase the penalty
    beta_max: float = 2.0
    kl_target: float = 4.0             # d_targ: nats per answer, KL[π_θ ‖ π_ref] summed over its tokens
    trust_region_delta: float = 0.05   # δ: reported check of Ê_t[KL[π_θold(·|s_t), π_θ(·|s_t)]] ≤ δ
    max_new_tokens: int = 64
    temperature: float = 1.0
    grad_clip: float = 1.0
    normalize_advantages: bool = True
    eval_samples_per_prompt: int = 4
    threads: int = 1

    @classmethod
    def for_model(cls, model: str) -> "PPOSettings":
        # A word token is about 3.5 characters: 32 of them hold any answer the rater calls concise.
        return cls(max_new_tokens=32) if model == "word" else cls()


class PolicyWithValue(nn.Module):
    """Actor and critic on one transformer: the LM head gives π_θ(·|s_t), the value head V(s_t).

    The value head is a small MLP on the body's final hidden states, read with
    .detach(): the critic learns from the policy's features but its loss never
    changes the body, so π_θ moves only where the policy gradient (and the KL
    penalty) push it. With a shared, trained body the value loss alone drifts a
    model this small away from π_ref.
    """

    def __init__(self, lm: GPT):
        super().__init__()
        self.lm = lm
        d = lm.cfg.d_model
        self.value_head = nn.Sequential(nn.Linear(d, d), nn.Tanh(), nn.Linear(d, 1))
        nn.init.zeros_(self.value_head[2].weight)  # V starts at 0 everywhere: no noise in the first advantages
        nn.init.zeros_(self.value_head[2].bias)

    @property
    def cfg(self) -> GPTConfig:
        return self.lm.cfg

    def forward(self, ids: torch.Tensor, shared: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits [B, T, vocab], values [B, T]) from one pass through the shared body (`shared`: GPT.hidden)."""
        hidden = self.lm.hidden(ids, shared=shared)
        return self.lm.lm_head(hidden), self.value_head(hidden.detach()).squeeze(-1)

    def numpy_state(self) -> dict[str, np.ndarray]:
        state = self.lm.numpy_state()
        for k, v in self.value_head.state_dict().items():
            state[f"value_head.{k}"] = v.detach().numpy().copy()
        return state


def load_policy(name: str = "rlhf", directory: Path | str | None = None
                ) -> tuple[PolicyWithValue, CharTokenizer, dict]:
    """The policy and its value head from a checkpoint (a checkpoint without a value head gets a zero one)."""
    from engine.rlhf.sft import lm_state
    from engine.transformer.weights import load_checkpoint

    state, meta = load_checkpoint(name, directory)
    cfg = GPTConfig(**{**meta["config"], "dropout": 0.0})
    policy = PolicyWithValue(GPT.from_numpy_state(cfg, lm_state(state)))
    head = {k[len("value_head."):]: torch.from_numpy(np.asarray(v)) for k, v in state.items()
            if k.startswith("value_head.")}
    if head:
        policy.value_head.load_state_dict(head)
    return policy.eval(), tokenizer_from_meta(meta), meta


# --- the losses in torch (the same maths as engine/rl/ppo.py, with gradients) ---

def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Ê_t over the positions that hold an action."""
    return (x * mask).sum() / mask.sum()


def clipped_surrogate(ratio: torch.Tensor, advantages: torch.Tensor, epsilon: float) -> torch.Tensor:
    """min(r_t Â_t, clip(r_t, 1 − ε, 1 + ε) Â_t) per token."""
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - epsilon, 1.0 + epsilon) * advantages
    return torch.min(unclipped, clipped)


def clipped_value_loss(values: torch.Tensor, values_old: torch.Tensor, returns: torch.Tensor,
                       clip_range: float) -> torch.Tensor:
    """½ max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²) per token."""
    values_clipped = values_old + torch.clamp(values - values_old, -clip_range, clip_range)
    return 0.5 * torch.max((values - returns) ** 2, (values_clipped - returns) ** 2)


def entropy(logits: torch.Tensor) -> torch.Tensor:
    """H[π(·|s_t)] = −Σ_a π log π per position."""
    logp = F.log_softmax(logits, dim=-1)
    return -(logp.exp() * logp).sum(-1)


def exact_kl(logits_q: torch.Tensor, logits_p: torch.Tensor) -> torch.Tensor:
    """KL[q ‖ p] over the whole vocabulary, per position."""
    logq, logp = F.log_softmax(logits_q, dim=-1), F.log_softmax(logits_p, dim=-1)
    return (logq.exp() * (logq - logp)).sum(-1)


# --- one rollout ---

@dataclass
class Rollout:
    episodes: Episodes
    prompts: list[str]
    mask: torch.Tensor         # [B, T−1] 1.0 at actions
    logits_old: torch.Tensor   # [B, T−1, vocab] π_θold(·|s_t) in full, for the exact KL after the update
    logp_old: torch.Tensor     # log π_θold(a_t|s_t)
    logp_ref: torch.Tensor     # log π_ref(a_t|s_t)
    values: torch.Tensor       # V(s_t) under θold
    kl: torch.Tensor           # k1 per token: log π_θold − log π_ref
    kl_exact: torch.Tensor     # KL[π_θold(·|s_t) ‖ π_ref(·|s_t)] per token
    scores: torch.Tensor       # [B] reward-model score of each answer
    rewards: torch.Tensor      # −β·kl, plus the score on the last token
    advantages: torch.Tensor   # Â_t by GAE
    returns: torch.Tensor      # Â_t + V(s_t): the critic's target
    beta: float

    @property
    def kl_per_answer(self) -> torch.Tensor:
        return (self.kl * self.mask).sum(1)


@torch.no_grad()
def collect_rollout(policy: PolicyWithValue, ref: GPT, score_fn: Callable[[Episodes], torch.Tensor],
                    tok: CharTokenizer, prompts: list[str], s: PPOSettings, beta: float,
                    gen: torch.Generator) -> Rollout:
    """Sample answers from π_θold and compute everything the update needs; score_fn is the judge."""
    policy.eval()
    episodes = sample(policy.lm, [tok.encode(p) for p in prompts], s.max_new_tokens, tok.eot_id, gen,
                      temperature=s.temperature)
    mask = episodes.mask.float()
    logits, values = policy(episodes.inputs, episodes.shared)
    logits_ref, _ = ref(episodes.inputs, shared=episodes.shared)
    logp_old = token_log_probs(logits, episodes.targets) * mask
    logp_ref = token_log_probs(logits_ref, episodes.targets) * mask
    values = values * mask
    kl = (logp_old - logp_ref) * mask
    kl_exact = exact_kl(logits, logits_ref) * mask
    scores = score_fn(episodes)

    rows = torch.arange(len(prompts))
    rewards = -beta * kl
    rewards[rows, episodes.last_index] += scores
    # GAE over the answer: an episode ends after its last token; positions that are not
    # actions (prompt, padding) are "done" with zero reward and value, so they add nothing.
    dones = torch.ones_like(mask)
    dones[mask.bool()] = 0.0
    dones[rows, episodes.last_index] = 1.0
    _, adv, ret = gae(rewards.numpy(), values.numpy(), s.gamma, s.lam, dones.numpy())
    advantages = torch.from_numpy(adv).float() * mask
    returns = torch.from_numpy(ret).float() * mask
    return Rollout(episodes, prompts, mask, logits, logp_old, logp_ref, values, kl, kl_exact, scores, rewards,
                   advantages, returns, beta)


# --- one PPO update: epochs of minibatches ---

@dataclass
class UpdateStats:
    pg_loss: list[float] = field(default_factory=list)
    value_loss: list[float] = field(default_factory=list)
    entropy: list[float] = field(default_factory=list)
    approx_kl: list[float] = field(default_factory=list)       # k3 = (r − 1) − log r, Ê_t
    clipfrac_outside: list[float] = field(default_factory=list)  # |r − 1| > ε
    clipfrac_bound: list[float] = field(default_factory=list)    # r Â > clip(r) Â: the clip took the gradient away
    ratio_min: list[float] = field(default_factory=list)
    ratio_mean: list[float] = field(default_factory=list)
    ratio_max: list[float] = field(default_factory=list)
    first_minibatch_ratio_error: float = float("nan")           # max |r − 1| before the first step: 0 up to rounding
    logp_after: torch.Tensor | None = None                      # log π_θ(a_t|s_t) after the update, every position


def normalized_advantages(rollout: Rollout, enabled: bool = True) -> torch.Tensor:
    """(Â − mean) / std over all actions of the rollout."""
    if not enabled:
        return rollout.advantages
    m = rollout.mask.bool()
    a = rollout.advantages[m]
    out = torch.zeros_like(rollout.advantages)
    out[m] = (a - a.mean()) / (a.std(unbiased=False) + 1e-8)
    return out


def ppo_update(policy: PolicyWithValue, optimizer: torch.optim.Optimizer, rollout: Rollout, s: PPOSettings,
               gen: torch.Generator) -> UpdateStats:
    policy.eval()  # dropout off: π_θ must be the same function that sampled, up to the weights
    stats = UpdateStats()
    advantages_all = normalized_advantages(rollout, s.normalize_advantages)
    B = rollout.mask.size(0)
    first = True
    for epoch in range(s.epochs):
        order = torch.randperm(B, generator=gen)
        for start in range(0, B, s.minibatch_size):
            idx = order[start:start + s.minibatch_size]
            mb = rollout.episodes.rows(idx)
            width = mb.ids.size(1) - 1
            mask = rollout.mask[idx, :width]
            logp_old = rollout.logp_old[idx, :width]
            values_old = rollout.values[idx, :width]
            returns = rollout.returns[idx, :width]
            advantages = advantages_all[idx, :width]

            logits, values = policy(mb.inputs, mb.shared)
            logp_new = token_log_probs(logits, mb.targets) * mask
            log_ratio = (logp_new - logp_old) * mask
            ratio = log_ratio.exp()                                  # r_t(θ); 1 at non-actions
            pg_loss = -masked_mean(clipped_surrogate(ratio, advantages, s.clip_epsilon), mask)   # −L^CLIP
            v_loss = masked_mean(clipped_value_loss(values, values_old, returns, s.value_clip), mask)
            # With c_H = 0 the entropy is only reported: no gradient through it (it would add zeros).
            ent = masked_mean(entropy(logits if s.ent_coef else logits.detach()), mask)
            loss = pg_loss + s.vf_coef * v_loss - s.ent_coef * ent

            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if s.grad_clip:
                nn.utils.clip_grad_norm_(policy.parameters(), s.grad_clip)
            optimizer.step()

            with torch.no_grad():
                m = mask.bool()
                r, lr_, a = ratio[m], log_ratio[m], advantages[m]
                if first:
                    stats.first_minibatch_ratio_error = float((r - 1).abs().max())
                    first = False
                stats.pg_loss.append(float(pg_loss))
                stats.value_loss.append(float(v_loss))
                stats.entropy.append(float(ent))
                stats.approx_kl.append(float(((r - 1) - lr_).mean()))
                stats.clipfrac_outside.append(float(((r - 1).abs() > s.clip_epsilon).float().mean()))
                bound = r * a > torch.clamp(r, 1 - s.clip_epsilon, 1 + s.clip_epsilon) * a
                stats.clipfrac_bound.append(float(bound.float().mean()))
                stats.ratio_min.append(float(r.min()))
                stats.ratio_mean.append(float(r.mean()))
                stats.ratio_max.append(float(r.max()))
    return stats


def iteration_log(it: int, rollout: Rollout, stats: UpdateStats, kl_old_new: float, ratio_after: torch.Tensor,
                  beta_next: float, s: PPOSettings, seconds: float) -> dict:
    m = rollout.mask.bool()
    return {
        "iteration": it,
        "reward_score": float(rollout.scores.mean()),                 # mean reward-model score of the answers
        "kl_to_ref": float(rollout.kl_per_answer.mean()),             # k1 summed over each answer, Ê over answers
        "kl_to_ref_exact": float((rollout.kl_exact * rollout.mask).sum(1).mean()),
        "beta": rollout.beta,
        "beta_next": beta_next,
        "answer_length": float(rollout.episodes.response_lens.float().mean()),
        "finished": float(rollout.episodes.finished.float().mean()),
        "advantage_mean": float(rollout.advantages[m].mean()),
        "clipfrac_outside": float(np.mean(stats.clipfrac_outside)),
        "clipfrac_bound": float(np.mean(stats.clipfrac_bound)),
        "approx_kl": float(np.mean(stats.approx_kl)),                 # k3 of π_θold → π_θ during the epochs
        "ratio_min": float(np.min(stats.ratio_min)),
        "ratio_mean": float(np.mean(stats.ratio_mean)),
        "ratio_max": float(np.max(stats.ratio_max)),
        "first_minibatch_ratio_error": stats.first_minibatch_ratio_error,
        "ratio_after_min": float(ratio_after.min()),
        "ratio_after_max": float(ratio_after.max()),
        "kl_old_new_exact": kl_old_new,                                # Ê_t KL[π_θold(·|s_t) ‖ π_θ(·|s_t)]
        "within_trust_region": within_trust_region(kl_old_new, s.trust_region_delta),
        "pg_loss": float(np.mean(stats.pg_loss)),
        "value_loss": float(np.mean(stats.value_loss)),
        "entropy": float(np.mean(stats.entropy)),
        "seconds": round(seconds, 2),
    }


def reward_model_judge(rm: RewardModel, eot_id: int) -> Callable[[Episodes], torch.Tensor]:
    """score_fn for collect_rollout: the learned reward model's score of each answer."""
    return lambda episodes: score_episodes(rm, episodes, eot_id)


def ppo_iteration(policy: PolicyWithValue, ref: GPT, score_fn: Callable[[Episodes], torch.Tensor],
                  tok: CharTokenizer, optimizer, prompts: list[str], s: PPOSettings, controller,
                  gen: torch.Generator, it: int = 0) -> tuple[dict, Rollout, UpdateStats]:
    """Rollout → rewards → GAE → epochs of minibatches → statistics and the next β."""
    started = time.perf_counter()
    rollout = collect_rollout(policy, ref, score_fn, tok, prompts, s, controller.beta, gen)
    if s.epochs > 0 and (rollout.mask.sum() > 0):
        stats = ppo_update(policy, optimizer, rollout, s, gen)
    else:
        stats = UpdateStats()
    with torch.no_grad():
        # the policy's logits, without its values
        logits_new, _ = policy.lm(rollout.episodes.inputs, shared=rollout.episodes.shared)
        m = rollout.mask.bool()
        stats.logp_after = token_log_probs(logits_new, rollout.episodes.targets)
        ratio_after = (stats.logp_after - rollout.logp_old).exp()[m]
        kl_old_new = float(exact_kl(rollout.logits_old, logits_new)[m].mean())
    beta_next = controller.update(float(rollout.kl_per_answer.mean()))
    log = iteration_log(it, rollout, stats, kl_old_new, ratio_after, beta_next, s, time.perf_counter() - started)
    return log, rollout, stats


# --- evaluation on held-out prompts ---

@torch.no_grad()
def evaluate_policy(policy_lm: GPT, ref: GPT, rm: RewardModel, tok: CharTokenizer, prompts: list[str],
                    samples_per_prompt: int, seed: int, s: PPOSettings) -> dict:
    """Mean reward-model score, stand-in rater score and KL to π_ref of sampled answers to the prompts."""
    from engine.rlhf.rater import rater_components, rater_score

    gen = torch.Generator().manual_seed(seed)
    all_prompts = [p for p in prompts for _ in range(samples_per_prompt)]
    scores, kls, kls_exact, raters, on_topic, lens, finished = [], [], [], [], [], [], []
    lexicon, refs = rlhf_data.course_lexicon(), rlhf_data.references()
    for i in range(0, len(all_prompts), 64):
        batch = all_prompts[i:i + 64]
        ep = sample(policy_lm, [tok.encode(p) for p in batch], s.max_new_tokens, tok.eot_id, gen,
                    temperature=s.temperature)
        mask = ep.mask.float()
        logits, _ = policy_lm(ep.inputs)
        logits_ref, _ = ref(ep.inputs)
        k1 = (token_log_probs(logits, ep.targets) - token_log_probs(logits_ref, ep.targets)) * mask
        kls.append(k1.sum(1).numpy())
        kls_exact.append((exact_kl(logits, logits_ref) * mask).sum(1).numpy())
        scores.append(score_episodes(rm, ep, tok.eot_id).numpy())
        answers = responses(ep, tok.decode)
        raters.append([rater_score(a, refs.get(p), lexicon) for p, a in zip(batch, answers)])
        on_topic.append([rater_components(a, refs.get(p), lexicon)["on_topic"] for p, a in zip(batch, answers)])
        lens.append(ep.response_lens.numpy())
        finished.append(ep.finished.numpy())
    cat = np.concatenate
    return {
        "reward_score": float(cat(scores).mean()),
        "reward_score_stderr": float(cat(scores).std() / np.sqrt(len(all_prompts))),
        "kl_to_sft": float(cat(kls).mean()),              # per answer, k1 summed over its tokens
        "kl_to_sft_exact": float(cat(kls_exact).mean()),  # per answer, exact per-token KL summed
        "rater_score": float(np.mean([x for r in raters for x in r])),
        "on_topic": float(np.mean([x for r in on_topic for x in r])),  # the rater's on_topic part, 0 to 1
        "answer_length": float(cat(lens).mean()),
        "finished": float(cat(finished).mean()),
        "answers": len(all_prompts),
    }


# --- the stage ---

def make_controller(s: PPOSettings, beta: float | None = None):
    beta = s.beta if beta is None else beta
    if s.adaptive_kl:
        return AdaptiveKLController(beta, s.kl_target, beta_min=s.beta_min, beta_max=s.beta_max)
    return FixedKLController(beta)


ADAM_EPS = 1e-5  # CleanRL's choice of eps; the lab's PlainAdam uses it too


def make_optimizer(policy: PolicyWithValue, lr: float) -> torch.optim.Optimizer:
    return torch.optim.Adam(policy.parameters(), lr=lr, eps=ADAM_EPS)


def train_ppo(out: Path | str, seed: int = 0, steps: int | None = None, settings: PPOSettings | None = None,
              progress: bool = True, source_dir: Path | str | None = None,
              log: Callable[[str], None] = print, model: str = "char") -> dict:
    """PPO from the SFT checkpoint against the reward checkpoint; write out/rlhf.* (word: word-rlhf.*).

    steps: PPO iterations (rollout + update), default PPOSettings.iterations.
    """
    from engine.rlhf.progress import progress_bar
    from engine.rlhf.reward_model import load_reward_model
    from engine.rlhf.sft import _data_meta, load_gpt, source_for
    from engine.transformer.weights import save_checkpoint

    s = settings or PPOSettings.for_model(model)
    if steps is not None:
        s.iterations = steps
    sft_name, reward_name = checkpoint_name(model, "sft"), checkpoint_name(model, "reward")
    torch.set_num_threads(s.threads)
    torch.manual_seed(seed)
    started = time.perf_counter()
    sft_lm, tok, sft_meta = load_gpt(sft_name, source_for(sft_name, out, source_dir, log))
    ref = copy.deepcopy(sft_lm).eval()          # π_ref: frozen
    for p in ref.parameters():
        p.requires_grad_(False)
    rm, _rm_tok, rm_meta = load_reward_model(reward_name, source_for(reward_name, out, source_dir, log))
    for p in rm.parameters():
        p.requires_grad_(False)
    judge = reward_model_judge(rm, tok.eot_id)
    policy = PolicyWithValue(sft_lm)
    optimizer = make_optimizer(policy, s.lr)
    controller = make_controller(s)

    train_prompts = sorted({d["prompt"] for d in rlhf_data.load_demos("train")})
    heldout_prompts = sorted({d["prompt"] for d in rlhf_data.load_demos("heldout")})
    log(_("ppo: {n} training prompts, {held} held out; {iterations} iterations of {answers} answers, {epochs} epochs "
          "of minibatches of {minibatch}").format(
        n=len(train_prompts), held=len(heldout_prompts), iterations=s.iterations, answers=s.episodes_per_iteration,
        epochs=s.epochs, minibatch=s.minibatch_size))
    before = evaluate_policy(ref, ref, rm, tok, heldout_prompts, s.eval_samples_per_prompt, seed + 1, s)
    log(_("held-out before PPO (SFT): reward score {score}, rater {rater}").format(
        score=num(before["reward_score"], ".3f"), rater=num(before["rater_score"], ".2f")))

    gen = torch.Generator().manual_seed(seed)
    history = []
    with progress_bar("ppo", s.iterations, enabled=progress) as bar:
        for it in range(s.iterations):
            pick = torch.randint(len(train_prompts), (s.episodes_per_iteration,), generator=gen).tolist()
            entry = ppo_iteration(policy, ref, judge, tok, optimizer, [train_prompts[i] for i in pick], s,
                                  controller, gen, it)[0]
            history.append(entry)
            if abs(entry["first_minibatch_ratio_error"]) > 1e-4:
                raise RuntimeError(f"the ratio was not 1 before the first step of iteration {it} "
                                   f"(max |r − 1| = {entry['first_minibatch_ratio_error']:.2e})")
            bar(it + 1, _("reward {reward} KL {kl} β {beta}").format(
                reward=num(entry["reward_score"], "+.2f"), kl=num(entry["kl_to_ref"], ".2f"), beta=num(entry["beta"], ".3f")))
            if it % 5 == 0 or it == s.iterations - 1:
                log(_format(entry))
    policy.eval()
    after = evaluate_policy(policy.lm, ref, rm, tok, heldout_prompts, s.eval_samples_per_prompt, seed + 1, s)
    seconds = time.perf_counter() - started
    log(_("held-out after PPO: reward score {score} (SFT {sft_score}), KL to SFT {kl} nats per answer (target "
          "{target}), rater {rater} (SFT {sft_rater}); {seconds} s").format(
        score=num(after["reward_score"], ".3f"), sft_score=num(before["reward_score"], ".3f"),
        kl=num(after["kl_to_sft"], ".2f"), target=num(s.kl_target), rater=num(after["rater_score"], ".2f"),
        sft_rater=num(before["rater_score"], ".2f"), seconds=num(seconds, ".0f")))

    meta = {
        "stage": "ppo",
        "model": model,
        "config": policy.cfg.to_dict(),
        "parameters": sum(p.numel() for p in policy.parameters()),
        **tokenizer_metadata(tok),
        "head": "value_head: V(s_t) = MLP(h_t) (Linear d→d, tanh, Linear d→1) on the policy's final hidden state "
                "h_t, read detached (the value loss trains the head only)",
        "sources": {"policy_and_reference": {"checkpoint": sft_name, "weights_sha256": sft_meta.get("weights_sha256")},
                    "reward_model": {"checkpoint": reward_name, "weights_sha256": rm_meta.get("weights_sha256")}},
        "data": _data_meta(),
        "training": {"seed": seed, "iterations": s.iterations, "settings": asdict(s), "seconds": round(seconds, 1),
                     "torch": torch.__version__, "final_beta": controller.beta},
        "metrics": {
            "heldout": {"prompts": len(heldout_prompts), "samples_per_prompt": s.eval_samples_per_prompt,
                        "seed": seed + 1, "sft": before, "rlhf": after,
                        "reward_gain": after["reward_score"] - before["reward_score"],
                        "kl_target": s.kl_target, "kl_within_target": after["kl_to_sft"] <= s.kl_target},
            "first_iteration": history[0], "last_iteration": history[-1],
            "history": history,
        },
    }
    weights_path, meta_path = save_checkpoint(checkpoint_name(model, "rlhf"), policy.numpy_state(), meta, out)
    log(_("wrote {weights} and {meta}").format(weights=weights_path, meta=meta_path))
    return meta


def _format(e: dict) -> str:
    return _("ppo it {it:>3}: reward {reward}  KL→ref {kl}  β {beta}  clipfrac {clipfrac}/{bound}  approx_kl "
             "{approx_kl}  ratio [{ratio_min}, {ratio_mean}, {ratio_max}]  KL(old,new) {kl_old_new}  V loss "
             "{value_loss}  H {entropy}  len {length}  {seconds}s").format(
        it=e["iteration"], reward=num(e["reward_score"], "+.3f"), kl=num(e["kl_to_ref"], ".3f"),
        beta=num(e["beta"], ".4f"), clipfrac=num(e["clipfrac_outside"], ".3f"), bound=num(e["clipfrac_bound"], ".3f"),
        approx_kl=num(e["approx_kl"], ".4f"), ratio_min=num(e["ratio_min"], ".3f"),
        ratio_mean=num(e["ratio_mean"], ".3f"), ratio_max=num(e["ratio_max"], ".3f"),
        kl_old_new=num(e["kl_old_new_exact"], ".4f"), value_loss=num(e["value_loss"], ".4f"),
        entropy=num(e["entropy"], ".3f"), length=num(e["answer_length"], ".1f"), seconds=num(e["seconds"], ".1f"))
