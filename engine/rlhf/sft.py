"""Stage 2, supervised fine-tuning (SFT): learn from demonstrations of good answers.

The pretrained model continues text; SFT teaches it to answer. Each
demonstration (engine/data/sft_demos.jsonl) is a prompt "Question: … Answer:"
and a short correct response; the model is trained with the same next-token
cross-entropy as in pre-training, but only on the response tokens and the
end-of-text token after them (the prompt is given, not learned):

    L_SFT(θ) = −Ê[ Σ_t log π_θ(a_t | prompt, a_<t) ] / (number of response tokens)

The result is the `sft` checkpoint: the starting point of the reward model
and of PPO, and the frozen reference model π_ref of the KL penalty.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from engine.rlhf import datasets as rlhf_data
from engine.transformer.model import GPT, GPTConfig
from engine.rlhf.sampling import pad_right, responses, sample
from engine.transformer.tokenizer import CharTokenizer
from engine.transformer.variants import checkpoint_name, tokenizer_from_meta, tokenizer_metadata
from engine.texts import _, num


@dataclass
class SFTSettings:
    steps: int = 300
    batch_size: int = 16
    lr: float = 5e-4
    warmup: int = 20
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 100
    eval_samples_per_prompt: int = 2
    max_new_tokens: int = 64
    threads: int = 1

    @classmethod
    def for_model(cls, model: str) -> "SFTSettings":
        # A word token is about 3.5 characters: 32 of them hold any answer the rater calls concise.
        return cls(max_new_tokens=32) if model == "word" else cls()


# --- checkpoints as models ---

def lm_state(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Only the language-model tensors of a checkpoint (drops value/reward heads)."""
    return {k: v for k, v in state.items() if not k.startswith(("value_head.", "reward_head."))}


def load_gpt(name: str, directory: Path | str | None = None, dropout: float | None = 0.0
             ) -> tuple[GPT, CharTokenizer, dict]:
    """(torch GPT in eval mode, tokenizer, metadata) from a checkpoint such as pretrain, sft or rlhf.

    dropout: the rate used in train mode; None keeps the checkpoint's own (fine-tuning does).
    """
    from engine.transformer.weights import load_checkpoint

    state, meta = load_checkpoint(name, directory)
    config = dict(meta["config"])
    if dropout is not None:
        config["dropout"] = dropout
    cfg = GPTConfig(**config)
    model = GPT.from_numpy_state(cfg, lm_state(state))
    return model.eval(), tokenizer_from_meta(meta), meta


def source_for(name: str, out: Path | str, source_dir: Path | str | None, log: Callable[[str], None]) -> Path | None:
    """Where a stage reads the checkpoint it starts from: source_dir if given, else `out` when the
    previous stage wrote it there, else the bundled weights (None)."""
    from engine.transformer.weights import paths

    if source_dir is not None:
        return Path(source_dir)
    if paths(name, out)[0].exists():
        log(_("reading {name} from {folder}").format(name=name, folder=out))
        return Path(out)
    log(_("reading the bundled {name} checkpoint (no {name} in {folder})").format(name=name, folder=out))
    return None


# --- data ---

def encode_example(tok: CharTokenizer, prompt: str, response: str) -> tuple[list[int], int]:
    """(ids of prompt + response + <eot>, number of prompt tokens)."""
    return tok.encode(prompt + response) + [tok.eot_id], len(tok.encode(prompt))


def make_batch(tok: CharTokenizer, examples: list[tuple[list[int], int]]):
    """(inputs, targets, loss mask): the mask is 1 where the target is a response token or the <eot>."""
    ids, lens = pad_right([e[0] for e in examples], tok.eot_id)
    x, y = ids[:, :-1], ids[:, 1:]
    j = torch.arange(y.size(1))[None, :]
    prompt_lens = torch.tensor([e[1] for e in examples])[:, None]
    mask = (j >= prompt_lens - 1) & (j < lens[:, None] - 1)
    return x, y, mask


def sft_loss(model: GPT, batch) -> torch.Tensor:
    """Mean cross-entropy over the response tokens only."""
    x, y, mask = batch
    logits, _ = model(x)
    ce = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="none").view_as(y)
    return (ce * mask).sum() / mask.sum()


def demo_batches(tok: CharTokenizer, examples: list[tuple[list[int], int]], batch_size: int,
                 generator: torch.Generator) -> Callable:
    """A function returning a random batch of demonstrations (an epoch-free sampler)."""
    def get_batch():
        idx = torch.randint(len(examples), (batch_size,), generator=generator).tolist()
        return make_batch(tok, [examples[i] for i in idx])
    return get_batch


@torch.no_grad()
def response_loss(model: GPT, tok: CharTokenizer, examples: list[tuple[list[int], int]], batch: int = 64) -> float:
    """Mean cross-entropy per response token over all the examples (nats)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(examples), batch):
        x, y, mask = make_batch(tok, examples[i:i + batch])
        logits, _ = model(x)
        ce = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="none").view_as(y)
        total += float((ce * mask).sum())
        count += int(mask.sum())
    model.train(was_training)
    return total / count


@torch.no_grad()
def rater_eval(model: GPT, tok: CharTokenizer, prompts: list[str], samples_per_prompt: int, seed: int,
               max_new_tokens: int = 64) -> dict:
    """Sample answers to the prompts and score them with the stand-in rater rule (engine/rlhf/rater.py)."""
    from engine.rlhf.rater import rater_components, rater_score

    lexicon, refs = rlhf_data.course_lexicon(), rlhf_data.references()
    gen = torch.Generator().manual_seed(seed)
    all_prompts = [p for p in prompts for _ in range(samples_per_prompt)]
    episodes = sample(model, [tok.encode(p) for p in all_prompts], max_new_tokens, tok.eot_id, gen)
    answers = responses(episodes, tok.decode)
    parts = [rater_components(a, refs.get(p), lexicon) for p, a in zip(all_prompts, answers)]
    return {
        "rater_score": float(np.mean([rater_score(a, refs.get(p), lexicon) for p, a in zip(all_prompts, answers)])),
        **{k: float(np.mean([c[k] for c in parts])) for k in parts[0]},
        "finished": float(episodes.finished.float().mean()),
        "examples": [{"prompt": p, "answer": a} for p, a in list(zip(all_prompts, answers))[:: max(1, samples_per_prompt)][:6]],
    }


# --- the stage ---

def train_sft(out: Path | str, seed: int = 0, steps: int | None = None, settings: SFTSettings | None = None,
              progress: bool = True, source: str | None = None, source_dir: Path | str | None = None,
              log: Callable[[str], None] = print, model: str = "char") -> dict:
    """Fine-tune the pretrained checkpoint on the demonstrations; write out/sft.* (word: out/word-sft.*)."""
    from engine.rlhf.progress import progress_bar
    from engine.transformer.weights import save_checkpoint

    model_name = model  # "char" or "word"; from here on `model` is the GPT being tuned
    source = source or checkpoint_name(model_name, "pretrain")
    s = settings or SFTSettings.for_model(model_name)
    if steps is not None:
        s.steps = steps
    torch.set_num_threads(s.threads)
    torch.manual_seed(seed)
    started = time.perf_counter()
    from engine.rlhf.pretrain import train_lm

    model, tok, source_meta = load_gpt(source, source_for(source, out, source_dir, log), dropout=None)
    train_demos, heldout_demos = rlhf_data.load_demos("train"), rlhf_data.load_demos("heldout")
    train_ex = [encode_example(tok, d["prompt"], d["response"]) for d in train_demos]
    heldout_ex = [encode_example(tok, d["prompt"], d["response"]) for d in heldout_demos]
    heldout_prompts = [d["prompt"] for d in heldout_demos]
    before = {"train_loss": response_loss(model, tok, train_ex), "heldout_loss": response_loss(model, tok, heldout_ex)}
    log(_("sft: {n} demonstrations ({held} held out); before: train loss {train}, held-out loss {heldout} nats per "
          "response token").format(n=len(train_ex), held=len(heldout_ex), train=num(before["train_loss"], ".3f"),
                                   heldout=num(before["heldout_loss"], ".3f")))

    get_batch = demo_batches(tok, train_ex, s.batch_size, torch.Generator().manual_seed(seed))
    with progress_bar("sft", s.steps, enabled=progress) as bar:
        history = train_lm(
            model, get_batch, s.steps, s.lr, warmup=s.warmup, min_lr_ratio=s.min_lr_ratio,
            weight_decay=s.weight_decay, grad_clip=s.grad_clip, loss_fn=sft_loss,
            eval_fn=lambda: response_loss(model, tok, heldout_ex), eval_every=s.eval_every,
            on_step=lambda step, loss: bar(step, _("loss {loss}").format(loss=num(loss, ".3f"))),
            on_eval=lambda step, tr, va: log(_("sft step {step:>4}: train loss {train}, held-out loss {heldout}").format(
                step=step, train=num(tr, ".4f"), heldout=num(va, ".4f"))))
    model.eval()
    after = {"train_loss": response_loss(model, tok, train_ex), "heldout_loss": history.val[-1]}
    samples = rater_eval(model, tok, heldout_prompts, s.eval_samples_per_prompt, seed, s.max_new_tokens)
    seconds = time.perf_counter() - started
    log(_("sft done in {seconds} s: train loss {train}, held-out loss {heldout}; held-out answers: rater score "
          "{rater} / 5, finished {finished}").format(
        seconds=num(seconds, ".0f"), train=num(after["train_loss"], ".4f"), heldout=num(after["heldout_loss"], ".4f"),
        rater=num(samples["rater_score"], ".2f"), finished=num(samples["finished"], ".0%")))

    meta = {
        "stage": "sft",
        "model": model_name,
        "config": model.cfg.to_dict(),
        "parameters": model.num_params(),
        **tokenizer_metadata(tok),
        "source": {"checkpoint": source, "weights_sha256": source_meta.get("weights_sha256")},
        "data": _data_meta(),
        "training": {"seed": seed, "steps": s.steps, "settings": asdict(s), "seconds": round(seconds, 1),
                     "torch": torch.__version__},
        "metrics": {
            "unit": "nats per response token (mean cross-entropy)",
            "before": _rounded(before), "after": _rounded(after),
            "history": {"step": history.steps, "train": [round(x, 5) for x in history.train],
                        "heldout": [round(x, 5) for x in history.val]},
            "heldout_samples": samples,
        },
    }
    weights_path, meta_path = save_checkpoint(checkpoint_name(model_name, "sft"), model.numpy_state(), meta, out)
    log(_("wrote {weights} and {meta}").format(weights=weights_path, meta=meta_path))
    return meta


def _data_meta() -> dict:
    return {
        "sft_demos": {"file": "engine/data/sft_demos.jsonl", "sha256": rlhf_data.file_sha256(rlhf_data.DEMOS_FILE),
                      "train": len(rlhf_data.load_demos("train")), "heldout": len(rlhf_data.load_demos("heldout"))},
        "preferences": {"file": "engine/data/preferences.jsonl",
                        "sha256": rlhf_data.file_sha256(rlhf_data.PREFERENCES_FILE),
                        "train": len(rlhf_data.load_preferences("train")),
                        "heldout": len(rlhf_data.load_preferences("heldout"))},
    }


def _rounded(d: dict) -> dict:
    return {k: round(v, 5) if isinstance(v, float) else v for k, v in d.items()}
