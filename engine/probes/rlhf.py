"""Probes on the bundled RLHF models: KL between checkpoints, one live PPO update, the three stages side by side.

`kl` and `compare_stages` run on the numpy model (no torch); `ppo_step` runs a
real update with gradients, so it imports torch when it runs.
"""
from __future__ import annotations

import copy
import math
import threading
from collections.abc import Iterable
from functools import lru_cache, wraps

import numpy as np

from engine.rl import kl as klm
from engine.rl.ppo import log_softmax
from engine.errors import ProbeError
from engine.texts import N_, _
from engine.transformer.variants import MODELS, checkpoint_name

# compare_stages' note on its two scores (data: translated where it is shown)
STAGES_NOTE = N_("reward_score: the learned reward model (mean 0, std 1 on its training answers); "
                 "rater_score: the rule that labelled the preference pairs (0 to 5; on_topic only for course "
                 "questions)")

STAGES = ("pretrain", "sft", "rlhf")
MAX_NEW_TOKENS = 64
MAX_NEW_TOKENS_OF = {"char": MAX_NEW_TOKENS, "word": 32}  # a word token holds about 3.5 characters


def as_prompt(text: str) -> str:
    """A bare question becomes "Question: … Answer:", the format the models were tuned on."""
    from engine.rlhf.datasets import prompt_text

    text = text.strip()
    if not text:
        raise ProbeError(_("prompt must not be empty"))
    return text if text.endswith("Answer:") else prompt_text(text)


def _numpy(name: str):
    from engine.transformer.weights import numpy_model
    return numpy_model(name)


def _context_ids(tok, text: str, block_size: int) -> list[int]:
    if not text:
        raise ProbeError(_("text must not be empty"))
    return tok.encode(text)[-block_size:]


# --- kl ---

def kl_probe(text: str, checkpoint_a: str = "sft", checkpoint_b: str = "rlhf", samples: int = 1000,
             seed: int = 0, model: str = "char") -> dict:
    """KL[π_a(·|s) ‖ π_b(·|s)] exactly over the vocabulary, and from `samples` tokens x ~ π_a."""
    model_a, tok, _ = _numpy(checkpoint_name(model, checkpoint_a))
    model_b, _, _ = _numpy(checkpoint_name(model, checkpoint_b))
    ids = _context_ids(tok, text, model_a.cfg.block_size)
    logp_a = log_softmax(model_a(ids)[0][-1])
    logp_b = log_softmax(model_b(ids)[0][-1])
    exact = float(klm.exact_kl(logp_a, logp_b))
    est = klm.estimate_kl(logp_a, logp_b, samples, np.random.default_rng(seed))
    expected = klm.expected_estimators(logp_a, logp_b)
    p_a = np.exp(logp_a)
    top = np.argsort(-p_a)[:10]
    return {
        "text": text,
        "model": model,
        "checkpoint_a": checkpoint_a,
        "checkpoint_b": checkpoint_b,
        "exact_kl": exact,                                       # Σ_x π_a(x) log(π_a(x)/π_b(x))
        "exact_kl_reverse": float(klm.exact_kl(logp_b, logp_a)),  # KL[b ‖ a]: not the same number
        "samples": samples,
        "seed": seed,
        "estimates": {name: {"mean": est[name], "std": est[f"{name}_std"],
                             "stderr": est[f"{name}_std"] / math.sqrt(samples),
                             "error": est[name] - exact, "expected": expected[name],
                             "bias": expected[name] - exact}
                      for name in ("k1", "k2", "k3")},
        "top_tokens": [{"token": tok.itos[i], "p_a": float(p_a[i]), "p_b": float(np.exp(logp_b[i])),
                        "log_rho": float(logp_b[i] - logp_a[i]),
                        "kl_contribution": float(p_a[i] * (logp_a[i] - logp_b[i]))} for i in top],
    }


# --- compare_stages ---

def sample_numpy(model, tok, prompt_ids: list[int], samples: int, rng: np.random.Generator,
                 max_new_tokens: int = MAX_NEW_TOKENS, record: list | None = None) -> list[tuple[list[int], bool]]:
    """`samples` answers to one prompt from the numpy model, all rows in one batch, keys and values cached.

    The prompt runs once through NumpyGPT (whose trace holds every layer's k and v);
    then each new token costs one position per row. Returns (answer ids, finished);
    `record`, if given, receives the logits (B, vocab) of every step (the tests compare them
    with NumpyGPT's full forward pass).
    """
    from engine.transformer.numpy_model import gelu, layer_norm, linear

    cfg, w = model.cfg, model.w
    H, d_k, C = cfg.n_head, cfg.d_k, cfg.d_model
    trace: dict = {}
    hidden = model.hidden(prompt_ids, trace)
    T0 = len(prompt_ids)
    keys = [np.zeros((samples, H, cfg.block_size, d_k)) for _ in range(cfg.n_layer)]
    values = [np.zeros((samples, H, cfg.block_size, d_k)) for _ in range(cfg.n_layer)]
    for i, layer in enumerate(trace["layers"]):
        keys[i][:, :, :T0], values[i][:, :, :T0] = layer["k"], layer["v"]
    logits = np.repeat(linear(hidden[-1:], w["lm_head.weight"]), samples, axis=0)   # (B, vocab)
    out = [[] for _ in range(samples)]
    done = np.zeros(samples, dtype=bool)
    for pos in range(T0, min(T0 + max_new_tokens, cfg.block_size)):
        if record is not None:
            record.append(logits)
        p = np.exp(log_softmax(logits))
        u = rng.random(samples)
        nxt = np.minimum((np.cumsum(p, axis=1) < u[:, None]).sum(axis=1), p.shape[1] - 1)
        for b in np.flatnonzero(~done):
            out[b].append(int(nxt[b]))
        done |= nxt == tok.eot_id
        if done.all() or pos == cfg.block_size - 1:
            break
        x = w["wte.weight"][nxt] + model.pe[pos]                                      # (B, C)
        for i in range(cfg.n_layer):
            pre = f"blocks.{i}."
            h = layer_norm(x, w[pre + "ln1.weight"], w[pre + "ln1.bias"])
            q, k, v = (m.reshape(samples, H, d_k)
                       for m in np.split(linear(h, w[pre + "attn.qkv.weight"], w[pre + "attn.qkv.bias"]), 3, axis=1))
            keys[i][:, :, pos], values[i][:, :, pos] = k, v
            scores = np.einsum("bhd,bhtd->bht", q, keys[i][:, :, :pos + 1]) / np.sqrt(d_k)
            weights = np.exp(scores - scores.max(-1, keepdims=True))
            weights /= weights.sum(-1, keepdims=True)
            y = np.einsum("bht,bhtd->bhd", weights, values[i][:, :, :pos + 1]).reshape(samples, C)
            x = x + linear(y, w[pre + "attn.proj.weight"], w[pre + "attn.proj.bias"])
            h = layer_norm(x, w[pre + "ln2.weight"], w[pre + "ln2.bias"])
            x = x + linear(gelu(linear(h, w[pre + "mlp.fc.weight"], w[pre + "mlp.fc.bias"])),
                           w[pre + "mlp.proj.weight"], w[pre + "mlp.proj.bias"])
        logits = linear(layer_norm(x, w["ln_f.weight"], w["ln_f.bias"]), w["lm_head.weight"])
    return [(ids, bool(ids and ids[-1] == tok.eot_id)) for ids in out]


def reward_score_numpy(rm, tok, prompt: str, answer_ids: list[int], pooling: str = "last+mean") -> float:
    """r_φ(prompt, answer) with the numpy model: the reward head on the answer's hidden states."""
    prompt_ids = tok.encode(prompt)
    ids = prompt_ids + [i for i in answer_ids if i != tok.eot_id] + [tok.eot_id]
    cut = max(0, len(ids) - rm.cfg.block_size)
    ids, start = ids[cut:], max(0, len(prompt_ids) - cut)
    hidden = rm.hidden(ids)
    parts = {"last": [hidden[-1]], "mean": [hidden[start:].mean(axis=0)],
             "last+mean": [hidden[-1], hidden[start:].mean(axis=0)]}[pooling]
    h = np.concatenate(parts)
    return float(h @ rm.w["reward_head.weight"][0] + rm.w["reward_head.bias"][0])


def compare_stages(prompt: str, seed: int = 0, samples: int = 3, model: str = "char") -> dict:
    """The same prompt answered by the pretrained, SFT and RLHF models, each answer scored by the reward model."""
    from engine.rlhf.rater import rater_components, rater_score
    from engine.rlhf.datasets import course_lexicon, references

    text = as_prompt(prompt)
    rm, tok, rm_meta = _numpy(checkpoint_name(model, "reward"))
    reference = references().get(text)
    lexicon = course_lexicon()
    prompt_ids = _context_ids(tok, text, rm.cfg.block_size - 8)
    stages = []
    for name in STAGES:
        policy, _, meta = _numpy(checkpoint_name(model, name))
        answers = []
        for out, finished in sample_numpy(policy, tok, prompt_ids, samples, np.random.default_rng(seed),
                                          MAX_NEW_TOKENS_OF[model]):
            answer = tok.decode([i for i in out if i != tok.eot_id])
            answers.append({
                "answer": answer,
                "finished": finished,
                "reward_score": reward_score_numpy(rm, tok, text, out, rm_meta.get("pooling", "last")),
                "rater_score": rater_score(answer, reference, lexicon),
                "rater": rater_components(answer, reference, lexicon),
            })
        stages.append({"checkpoint": name, "stage": meta.get("stage", name), "answers": answers,
                       "mean_reward_score": float(np.mean([a["reward_score"] for a in answers])),
                       "mean_rater_score": float(np.mean([a["rater_score"] for a in answers]))})
    return {"prompt": text, "seed": seed, "model": model, "reference_answer": reference, "stages": stages,
            "note": STAGES_NOTE}


# --- ppo_step ---

@lru_cache(maxsize=2)
def _ppo_models(model: str = "char"):
    from engine.rlhf.ppo_trainer import load_policy
    from engine.rlhf.reward_model import load_reward_model
    from engine.rlhf.sft import load_gpt

    policy, tok, meta = load_policy(checkpoint_name(model, "rlhf"))
    ref, _, _ = load_gpt(checkpoint_name(model, "sft"))
    rm, _, _ = load_reward_model(checkpoint_name(model, "reward"))
    for p in list(ref.parameters()) + list(rm.parameters()):
        p.requires_grad_(False)
    return policy, ref, rm, tok, meta


@lru_cache(maxsize=2)
def _scratch_policy(model: str = "char"):
    """A second copy of the policy for the update to change: made once, reset from the bundled one per call."""
    return copy.deepcopy(_ppo_models(model)[0])


def _fresh_policy(model: str):
    """The scratch policy with the bundled weights (copying tensors costs 0.2 ms, a deepcopy 7 ms)."""
    import torch

    policy = _scratch_policy(model)
    with torch.no_grad():
        for mine, bundled in zip(policy.parameters(), _ppo_models(model)[0].parameters()):
            mine.copy_(bundled)
    return policy


def _one_at_a_time(function):
    """torch.manual_seed is global: two updates at once (a lab's and the warm-up's) would mix their random
    streams, both would load the models, and both would change the one scratch policy. The second waits
    for the first.

    The same seed gives the same numbers, so a call with the arguments of the one before gets a copy of
    its result: a question's evidence and the lab opened from it ask for the same step, often while the
    first is still running, and the lab waited for both."""
    lock = threading.Lock()
    latest: list[tuple[tuple, dict]] = []  # (arguments, result) of the last call

    @wraps(function)
    def serialized(*args, **kwargs):
        key = (args, sorted(kwargs.items()))
        with lock:
            if latest and latest[0][0] == key:
                return copy.deepcopy(latest[0][1])
            result = function(*args, **kwargs)
            latest[:] = [(key, copy.deepcopy(result))]
            return result
    return serialized


def _optimizer(policy, lr: float):
    """The training's optimizer (ppo_trainer.make_optimizer), without torch.optim's import of
    torch._dynamo; the same numbers (tests compare it with make_optimizer)."""
    from engine.rlhf.adam import PlainAdam
    from engine.rlhf.ppo_trainer import ADAM_EPS
    return PlainAdam(policy.parameters(), lr=lr, eps=ADAM_EPS)


@_one_at_a_time
def ppo_step(prompt: str, seed: int = 0, answers: int = 8, model: str = "char") -> dict:
    """One real PPO update of the bundled RLHF policy on `answers` fresh samples; nothing is saved."""
    import torch

    from engine.rl.kl import FixedKLController, adaptive_beta
    from engine.rlhf.ppo_trainer import PPOSettings, normalized_advantages, ppo_iteration, reward_model_judge

    # One thread, as the training stages use: the matrices are tiny, and on two busy cores a second
    # OpenMP thread made a PPO step 5 to 10 times slower (its threads wait for each other). Set in the
    # calling thread: a thread that used torch before keeps the count it had then.
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    base, ref, rm, tok, meta = _ppo_models(model)
    settings = PPOSettings(**{k: v for k, v in meta["training"]["settings"].items()
                              if k in PPOSettings.__dataclass_fields__})
    settings.episodes_per_iteration = answers
    settings.minibatch_size = max(1, answers // 2)
    beta = float(meta["training"].get("final_beta", settings.beta))
    text = as_prompt(prompt)
    n_tokens = len(tok.encode(text))
    if n_tokens > base.cfg.block_size - 16:
        limit = _("prompt is too long: at most {max} characters, not {n}") if model == "char" else \
            _("prompt is too long: at most {max} tokens, not {n}")
        raise ProbeError(limit.format(max=base.cfg.block_size - 16, n=n_tokens))

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    policy = _fresh_policy(model)             # the update must not touch the bundled weights
    optimizer = _optimizer(policy, settings.lr)
    controller = FixedKLController(beta)
    log, rollout, stats = ppo_iteration(policy, ref, reward_model_judge(rm, tok.eot_id), tok, optimizer,
                                        [text] * answers, settings, controller, gen)
    optimizer.zero_grad(set_to_none=True)     # the scratch policy stays in memory; its last gradients need not
    adv_norm = normalized_advantages(rollout, settings.normalize_advantages)
    eps = settings.clip_epsilon
    # Every per-token number as Python lists at once: reading tensors one element at a time cost more
    # than the arithmetic (the same float32 values either way).
    table = {name: t.tolist() for name, t in (
        ("targets", rollout.episodes.targets), ("logp_old", rollout.logp_old), ("logp_new", stats.logp_after),
        ("adv", rollout.advantages), ("adv_norm", adv_norm), ("rewards", rollout.rewards), ("kl", rollout.kl),
        ("values", rollout.values), ("returns", rollout.returns))}
    episodes = []
    for i, ids in enumerate(rollout.episodes.ids.tolist()):
        tokens = []
        for j in rollout.mask[i].nonzero().flatten().tolist():
            old, new = table["logp_old"][i][j], table["logp_new"][i][j]
            ratio = math.exp(new - old)
            a_hat = table["adv_norm"][i][j]
            clipped_ratio = min(max(ratio, 1 - eps), 1 + eps)
            tokens.append({
                "token": tok.itos[table["targets"][i][j]],
                "pi_old": math.exp(old),                 # π_θold(a_t|s_t)
                "pi_new": math.exp(new),                 # π_θ(a_t|s_t) after the update
                "ratio": ratio,
                "advantage": table["adv"][i][j],         # Â_t from GAE
                "advantage_normalized": a_hat,           # what L^CLIP used
                "reward": table["rewards"][i][j],
                "kl": table["kl"][i][j],                 # log π_θold − log π_ref (k1)
                "kl_penalty": -beta * table["kl"][i][j],
                "value": table["values"][i][j],
                "return": table["returns"][i][j],
                "clipped": bool(ratio * a_hat > clipped_ratio * a_hat),  # the clip bound: no gradient
                "outside_band": abs(ratio - 1) > eps,
            })
        p, n = int(rollout.episodes.prompt_lens[i]), int(rollout.episodes.response_lens[i])
        episodes.append({
            "answer": tok.decode([t for t in ids[p:p + n] if t != tok.eot_id]),
            "finished": bool(rollout.episodes.finished[i]),
            "reward_score": float(rollout.scores[i]),
            "kl_to_ref": float(rollout.kl_per_answer[i]),
            "tokens": tokens,
        })
    return {
        "prompt": text,
        "seed": seed,
        "model": model,
        "epsilon": eps,
        "beta": beta,
        "beta_next_adaptive": adaptive_beta(beta, log["kl_to_ref"], settings.kl_target),
        "kl_target": settings.kl_target,
        "trust_region_delta": settings.trust_region_delta,
        "gamma": settings.gamma,
        "lam": settings.lam,
        "epochs": settings.epochs,
        "minibatch_size": settings.minibatch_size,
        "gradient_steps": len(stats.pg_loss),
        "ratio_is_one_before_update": bool(stats.first_minibatch_ratio_error < 1e-4),
        "stats": {k: v for k, v in log.items() if k not in ("seconds", "iteration")},  # same seed, same result
        "episodes": episodes,
    }


def warm(which: Iterable[str]) -> None:
    """Load what ppo_step and compare_stages (those of them in `which`) run on and run each once on a small
    batch, results dropped.

    A first call pays for torch's import, the checkpoints and torch's first-use set-up; after this,
    the first call a learner makes costs what later ones do. Both models: a question's example uses the character model, a lab opened on its
    own the word model.
    """
    for model in MODELS:
        if "ppo_step" in which:
            ppo_step("what does the critic do?", seed=0, answers=2, model=model)
        if "compare_stages" in which:
            compare_stages("what is an agent?", seed=0, samples=1, model=model)
