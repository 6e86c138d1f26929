"""Training: a generic language-model loop, and the pre-training stage built on it.

`train_lm` knows nothing of the corpus: it takes a model, a function that
returns a batch (inputs, targets[, loss mask]) and a step count, runs AdamW
with warm-up and cosine decay, and reports progress. Later stages (SFT,
reward model, PPO) reuse it or its pieces. `pretrain` is the stage that
writes the bundled `pretrain` checkpoint.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from engine.data.make_corpus import CORPUS, UNSEEN
from engine.data.make_word_corpus import WORD_CORPUS
from engine.transformer.model import GPT, GPTConfig
from engine.transformer.tokenizer import BPETokenizer, CharTokenizer
from engine.transformer.variants import checkpoint_name
from engine.texts import _, num


@dataclass
class PretrainSettings:
    steps: int = 2500
    batch_size: int = 16
    block_size: int = 128
    n_layer: int = 3
    n_head: int = 4
    d_model: int = 128
    dropout: float = 0.1
    lr: float = 2e-3
    min_lr_ratio: float = 0.1
    warmup: int = 100
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 250
    val_fraction: float = 0.1
    bpe_merges: int = 256
    vocab_size: int = 0  # the word model's byte-level BPE vocabulary (0: the char model, whose vocabulary is the corpus's characters)
    threads: int = 1  # one thread: on a shared 2-core machine, 2 OpenMP threads stall each other

    @classmethod
    def for_model(cls, model: str) -> "PretrainSettings":
        """The bundled checkpoints' settings: the char model's defaults, or the word model's."""
        if model == "word":
            # Sized so the four word checkpoints stay under 10 MB together (float32): 1,024 × 96 embeddings and
            # LM head, 3 layers × 4 heads of d_k = 24.
            return cls(steps=WORD_STEPS, d_model=96, vocab_size=1024, lr=3e-3, warmup=100)
        return cls()


WORD_STEPS = 2000


# --- data ---

def load_corpus(path: Path = CORPUS) -> tuple[str, list[str], str]:
    """(text, documents, sha256 of the file); one document per line."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    return text, [line for line in text.split("\n") if line], hashlib.sha256(raw).hexdigest()


def encode_documents(tok: CharTokenizer, docs: list[str]) -> np.ndarray:
    """Every document's ids followed by <eot>, end to end."""
    ids: list[int] = []
    for doc in docs:
        ids += tok.encode(doc)
        ids.append(tok.eot_id)
    return np.asarray(ids, dtype=np.int64)


def split_documents(docs: list[str], val_fraction: float) -> tuple[list[str], list[str]]:
    """The last documents are held out for validation (the generator already shuffled them)."""
    n_val = max(1, int(len(docs) * val_fraction))
    return docs[:-n_val], docs[-n_val:]


def random_batches(data: np.ndarray, block_size: int, batch_size: int, generator: torch.Generator):
    """A function returning (x, y): random windows of the data and the same windows shifted by one."""
    data_t = torch.from_numpy(data)

    def get_batch():
        starts = torch.randint(len(data_t) - block_size - 1, (batch_size,), generator=generator)
        x = torch.stack([data_t[s:s + block_size] for s in starts])
        y = torch.stack([data_t[s + 1:s + 1 + block_size] for s in starts])
        return x, y
    return get_batch


def windows(data: np.ndarray, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping (inputs, targets) windows covering the data: every token is predicted once."""
    n = (len(data) - 1) // block_size
    x = data[: n * block_size].reshape(n, block_size)
    y = data[1: n * block_size + 1].reshape(n, block_size)
    return x, y


@torch.no_grad()
def evaluate(model: GPT, data: np.ndarray, block_size: int, batch: int = 64) -> float:
    """Mean next-token cross-entropy (nats) over the data, in non-overlapping windows."""
    was_training = model.training
    model.eval()
    x, y = windows(data, block_size)
    total = 0.0
    for i in range(0, len(x), batch):
        logits, _ = model(torch.from_numpy(x[i:i + batch]))
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), torch.from_numpy(y[i:i + batch]).reshape(-1),
                                 reduction="sum").item()
    model.train(was_training)
    return total / y.size


@torch.no_grad()
def sentences_loss(model: GPT, tok: CharTokenizer, sentences: list[str]) -> float:
    """Mean next-token cross-entropy over sentences, each read on its own from its first character."""
    total, count = 0.0, 0
    for sentence in sentences:
        ids = torch.tensor([tok.encode(sentence)[: model.cfg.block_size + 1]])
        logits, _ = model(ids[:, :-1])
        total += F.cross_entropy(logits[0], ids[0, 1:], reduction="sum").item()
        count += ids.size(1) - 1
    return total / count


def unigram_loss(train: np.ndarray, val: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy on val of a model that ignores context: p(token) = its frequency in train (add-one)."""
    counts = np.bincount(train, minlength=vocab_size) + 1.0
    logp = np.log(counts / counts.sum())
    return float(-logp[val].mean())


# --- the generic loop ---

@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)


def lr_at(step: int, steps: int, lr: float, warmup: int, min_ratio: float) -> float:
    """Linear warm-up, then cosine decay to min_ratio·lr."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return lr * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(model: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW; weight decay on matrices only (not on embeddings, biases or LayerNorm)."""
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wte" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wte" not in n)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": rest, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.99))


def train_lm(model: torch.nn.Module, get_batch: Callable, steps: int, lr: float, *, warmup: int = 100,
             min_lr_ratio: float = 0.1, weight_decay: float = 0.1, grad_clip: float = 1.0,
             loss_fn: Callable | None = None, eval_fn: Callable[[], float] | None = None, eval_every: int = 250,
             on_step: Callable[[int, float], None] | None = None,
             on_eval: Callable[[int, float, float], None] | None = None) -> History:
    """Minimise loss_fn(model, batch) (default: next-token cross-entropy) for `steps` AdamW steps.

    Every `eval_every` steps and at the end, `eval_fn()` gives a validation loss;
    the training loss reported is the mean over the steps since the last report.
    """
    loss_fn = loss_fn or (lambda m, batch: m.loss(*batch))
    opt = make_optimizer(model, lr, weight_decay)
    history = History()
    running, n_running = 0.0, 0
    model.train()
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, steps, lr, warmup, min_lr_ratio)
        loss = loss_fn(model, get_batch())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        opt.step()
        running, n_running = running + loss.item(), n_running + 1
        if on_step:
            on_step(step + 1, loss.item())
        if (step + 1) % eval_every == 0 or step + 1 == steps:
            val = eval_fn() if eval_fn else float("nan")
            history.steps.append(step + 1)
            history.train.append(running / n_running)
            history.val.append(val)
            running, n_running = 0.0, 0
            if on_eval:
                on_eval(step + 1, history.train[-1], val)
    return history


# --- the pre-training stage ---

def pretrain(out: Path | str, seed: int = 0, steps: int | None = None, settings: PretrainSettings | None = None,
             progress: bool = True, corpus: Path | None = None, log: Callable[[str], None] = print,
             model: str = "char") -> dict:
    """Train a GPT on its corpus and write out/pretrain.{safetensors,json} (char) or out/word-pretrain.* (word).

    The char model reads corpus.txt one character per token; the word model reads word_corpus.txt
    through a byte-level BPE tokenizer learned here on the training documents. Returns the metadata.
    """
    model_name = model  # "char" or "word"; from here on `model` is the GPT being trained
    from engine.rlhf import heldout
    from engine.rlhf.progress import progress_bar
    from engine.transformer import head_roles, token_roles
    from engine.transformer.numpy_model import Config, NumpyGPT
    from engine.transformer.weights import save_checkpoint

    s = settings or PretrainSettings.for_model(model)
    if steps is not None:
        s.steps = steps
    torch.set_num_threads(s.threads)
    torch.manual_seed(seed)
    started = time.perf_counter()

    corpus = corpus or (WORD_CORPUS if model_name == "word" else CORPUS)
    text, docs, corpus_sha = load_corpus(corpus)
    train_docs, val_docs = split_documents(docs, s.val_fraction)
    if model_name == "word":
        from engine.transformer.byte_bpe import ByteBPETokenizer
        tok = ByteBPETokenizer.train("\n".join(train_docs), s.vocab_size)
        bpe = None
    else:
        tok = CharTokenizer.train(text.replace("\n", ""))
        bpe = BPETokenizer.train(text, tok, s.bpe_merges)
    train_ids, val_ids = encode_documents(tok, train_docs), encode_documents(tok, val_docs)
    baseline = unigram_loss(train_ids, val_ids, tok.vocab_size)
    log(_("corpus: {chars} characters, {docs} documents, vocabulary {vocab} (train {train} tokens, val {val}); "
          "unigram baseline {baseline} nats").format(
        chars=num(len(text), ","), docs=len(docs), vocab=tok.vocab_size, train=num(len(train_ids), ","),
        val=num(len(val_ids), ","), baseline=num(baseline, ".3f")))

    cfg = GPTConfig(vocab_size=tok.vocab_size, block_size=s.block_size, n_layer=s.n_layer,
                    n_head=s.n_head, d_model=s.d_model, dropout=s.dropout)
    model = GPT(cfg)
    log(_("model: {layers} layers, {heads} heads, d_model {d}, context {context}, {params} parameters; {steps} steps "
          "of {batch}×{context} tokens, seed {seed}").format(
        layers=cfg.n_layer, heads=cfg.n_head, d=cfg.d_model, context=cfg.block_size,
        params=num(model.num_params(), ","), steps=s.steps, batch=s.batch_size, seed=seed))
    get_batch = random_batches(train_ids, s.block_size, s.batch_size, torch.Generator().manual_seed(seed))

    with progress_bar(_("training"), s.steps, enabled=progress) as bar:
        history = train_lm(
            model, get_batch, s.steps, s.lr, warmup=s.warmup, min_lr_ratio=s.min_lr_ratio,
            weight_decay=s.weight_decay, grad_clip=s.grad_clip,
            eval_fn=lambda: evaluate(model, val_ids, s.block_size), eval_every=s.eval_every,
            on_step=lambda step, loss: bar(step, _("loss {loss}").format(loss=num(loss, ".3f"))),
            on_eval=lambda step, tr, va: log(_("step {step:>5}: train loss {train}, val loss {val}").format(
                step=step, train=num(tr, ".4f"), val=num(va, ".4f"))))
    model.eval()
    train_loss = evaluate(model, train_ids, s.block_size)
    val_loss = history.val[-1]
    unseen = sentences_loss(model, tok, UNSEEN)
    held = heldout.report(model, tok, train_ids, val_ids)
    seconds = time.perf_counter() - started
    log(_("done in {seconds} s: train loss {train}, val loss {val}, unseen sentences {unseen} (unigram baseline "
          "{baseline}); held-out sentences {held} nats per character (unigram {unigram}, bigram {bigram})").format(
        seconds=num(seconds, ".0f"), train=num(train_loss, ".4f"), val=num(val_loss, ".4f"), unseen=num(unseen, ".4f"),
        baseline=num(baseline, ".4f"), held=num(held["nats_per_char"], ".3f"),
        unigram=num(held["baselines"]["unigram"], ".3f"), bigram=num(held["baselines"]["bigram"], ".3f")))

    state = model.numpy_state()
    numpy_gpt = NumpyGPT(Config.from_dict(cfg.to_dict()), state)
    if model_name == "word":
        roles = token_roles.label_tokenizer_heads(numpy_gpt, tok, val_ids.tolist(), s.block_size, seed=seed)
        tokenizer_meta = {"tokenizer": tok.to_metadata()}
    else:
        roles = head_roles.label_heads(numpy_gpt, val_ids.tolist(), window=s.block_size, space_id=tok.stoi.get(" "))
        tokenizer_meta = {"bpe_merges": [list(m) for m in bpe.merges]}
    meta = {
        "stage": "pretrain",
        "model": model_name,
        "config": cfg.to_dict(),
        "parameters": model.num_params(),
        "vocab": tok.itos,
        **tokenizer_meta,
        "corpus": {"file": f"engine/data/{corpus.name}", "sha256": corpus_sha, "characters": len(text),
                   "documents": len(docs), "train_documents": len(train_docs), "val_documents": len(val_docs),
                   "train_tokens": int(len(train_ids)), "val_tokens": int(len(val_ids))},
        "training": {"seed": seed, "steps": s.steps, "settings": vars(s), "seconds": round(seconds, 1),
                     "torch": torch.__version__},
        "losses": {"train": round(train_loss, 5), "val": round(val_loss, 5), "unigram_val": round(baseline, 5),
                   "unseen_sentences": round(unseen, 5),
                   "val_nats_per_char": round(val_loss * len(val_ids) / len("\n".join(val_docs) + "\n"), 5),
                   "unit": "nats per token (mean cross-entropy)",
                   "history": {"step": history.steps, "train": [round(x, 5) for x in history.train],
                               "val": [round(x, 5) for x in history.val]}},
        "heldout_sentences": held,
        "head_roles": roles,
    }
    weights_path, meta_path = save_checkpoint(checkpoint_name(model_name, "pretrain"), state, meta, out)
    log(_("wrote {weights} and {meta}").format(weights=weights_path, meta=meta_path))
    return meta

