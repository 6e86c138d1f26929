"""The word model's costs, each against a baseline measured in the same run.

    python benchmarks/bench_word_model.py [--steps N] [--repeat N] [--pipeline]

1. Training speed: tokens per second of AdamW steps on the word model's
   config (batch 16 × 128 tokens, 3 layers × 4 heads, d_model 96, vocabulary
   1,024), against the same model code at nanoGPT's CPU config (its README:
   `--device=cpu --block_size=64 --batch_size=12 --n_layer=4 --n_head=4
   --n_embd=128 --dropout=0.0`, here with the word vocabulary). One torch
   thread, as training uses.
2. The attention probe on a 30-word sentence (a new text each call, so no
   cached trace) against a bare numpy forward pass of the same tokens; the
   aim is at most 2×. The character model's numbers for reference.
3. The pipeline's stage times: as recorded in the bundled word checkpoints'
   metadata, or, with --pipeline, measured now by running every stage of the
   word model into a temporary folder (wall and CPU time per stage).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

SENTENCE = ("the attention head of the small model looks back at the animal because it was the word that "
            "the reward model and the policy both read before the answer came")


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def training_tokens_per_second(cfg, batch: int, steps: int) -> float:
    import torch

    from engine.rlhf.pretrain import make_optimizer
    from engine.transformer.model import GPT

    torch.manual_seed(0)
    model = GPT(cfg).train()
    opt = make_optimizer(model, 1e-3, 0.1)
    x = torch.randint(cfg.vocab_size, (batch, cfg.block_size))

    def step():
        loss = model.loss(x, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    step()  # warm-up
    return batch * cfg.block_size / median_s(step, steps)


def bench_training(steps: int) -> None:
    import torch

    from engine.rlhf.pretrain import PretrainSettings
    from engine.transformer.model import GPTConfig

    torch.set_num_threads(1)
    s = PretrainSettings.for_model("word")
    ours = GPTConfig(vocab_size=s.vocab_size, block_size=s.block_size, n_layer=s.n_layer, n_head=s.n_head,
                     d_model=s.d_model, dropout=s.dropout)
    nano = GPTConfig(vocab_size=s.vocab_size, block_size=64, n_layer=4, n_head=4, d_model=128, dropout=0.0)
    a = training_tokens_per_second(ours, s.batch_size, steps)
    b = training_tokens_per_second(nano, 12, steps)
    print("1. training, one torch thread (median of steps)")
    print(f"   word model config   {a:9,.0f} tokens/s  (batch {s.batch_size} × {ours.block_size}, "
          f"{ours.n_layer}×{ours.n_head}, d {ours.d_model})")
    print(f"   nanoGPT CPU config  {b:9,.0f} tokens/s  (batch 12 × 64, 4×4, d 128)")
    print(f"   ratio word/nanoGPT  {a / b:9.2f}")


def bench_probe(repeat: int) -> None:
    from engine.probes import run_probe
    from engine.probes import transformer as inspect
    from engine.transformer.weights import numpy_model

    assert len(SENTENCE.split()) == 30
    print("2. attention probe on a 30-word sentence vs a bare numpy forward (median)")
    for model_name, checkpoint in (("word", "word-pretrain"), ("char", "pretrain")):
        model, tok, _ = numpy_model(checkpoint)
        ids = tok.encode(SENTENCE)[-model.cfg.block_size:]
        forward = median_s(lambda: model.forward(ids), repeat)

        def probe():
            inspect._trace.cache_clear()  # a newly typed sentence: no cached trace
            run_probe("attention", {"text": SENTENCE, "model": model_name, "layer": 1, "head": 0, "query": "it"})
        p = median_s(probe, repeat)
        print(f"   {model_name}: {len(ids)} tokens   forward {1000 * forward:7.2f} ms   probe {1000 * p:7.2f} ms   "
              f"ratio {p / forward:5.2f}")


def bench_pipeline(run: bool) -> None:
    from engine.transformer.weights import load_meta

    print("3. pipeline stage times of the word model")
    if not run:
        for stage, name in (("pretrain", "word-pretrain"), ("sft", "word-sft"), ("reward", "word-reward"),
                            ("ppo", "word-rlhf")):
            print(f"   {stage:<9} {load_meta(name)['training']['seconds']:7.0f} s  (recorded when the bundled weights "
                  "were trained)")
        print("   (--pipeline measures them now)")
        return
    import importlib

    from engine.rlhf.pipeline import ORDER

    with tempfile.TemporaryDirectory() as out:
        total_wall = total_cpu = 0.0
        for stage, target in ORDER:
            module, _, attr = target.partition(":")
            fn = getattr(importlib.import_module(module), attr)
            wall, cpu = time.perf_counter(), time.process_time()
            fn(out=out, seed=0, progress=False, model="word", log=lambda _: None)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
            print(f"   {stage:<9} wall {wall:7.0f} s   CPU {cpu:7.0f} s   load {os.getloadavg()[0]:.1f}")
        print(f"   all four  wall {total_wall:7.0f} s   CPU {total_cpu:7.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20, help="timed training steps per config")
    parser.add_argument("--repeat", type=int, default=30, help="timed probe calls and forward passes")
    parser.add_argument("--pipeline", action="store_true", help="run the four word stages now (minutes)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    bench_training(args.steps)
    bench_probe(args.repeat)
    bench_pipeline(args.pipeline)


if __name__ == "__main__":
    main()
