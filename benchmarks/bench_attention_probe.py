"""How much an attention probe costs compared with one bare forward pass of the model.

    python benchmarks/bench_attention_probe.py [--repeat N]

In one process, on a 64-character text: the bare numpy forward pass (what the
probe needs at the least), one `attention` probe call through the registry
(forward with trace + result as plain JSON data; the trace of a new text is
not cached) and the engine part of it alone (inspect.attention, no conversion), a sweep of every layer and head on the same text (the lab's
head switcher: one forward, then cached traces) and, for reference, one
torch forward. Prints median times and the probe/forward ratio.
"""
from __future__ import annotations

import argparse
import statistics
import time

from engine.probes import transformer as inspect
from engine.probes import run_probe
from engine.transformer.weights import numpy_model

TEXT = "The dot product of the query and the key gives the attention score."[:64]


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    assert len(TEXT) == 64

    start = time.perf_counter()
    model, tok, meta = numpy_model("pretrain")
    load_ms = 1000 * (time.perf_counter() - start)
    ids = tok.encode(TEXT)
    cfg = model.cfg

    forward = median_ms(lambda: model.forward(ids), args.repeat)

    def probe_fresh():
        inspect._trace.cache_clear()  # a newly typed sentence: no cached trace
        run_probe("attention", {"text": TEXT, "layer": cfg.n_layer - 1, "head": 0})
    probe = median_ms(probe_fresh, args.repeat)

    def engine_only():
        inspect._trace.cache_clear()
        inspect.attention(TEXT, layer=cfg.n_layer - 1, head=0)
    direct = median_ms(engine_only, args.repeat)

    def sweep():
        inspect._trace.cache_clear()
        for layer in range(cfg.n_layer):
            for head in range(cfg.n_head):
                run_probe("attention", {"text": TEXT, "layer": layer, "head": head})
    all_heads = median_ms(sweep, max(3, args.repeat // 5))

    import torch
    from engine.transformer.model import GPT, GPTConfig
    from engine.transformer.weights import load_checkpoint
    state, _ = load_checkpoint("pretrain")
    tmodel = GPT.from_numpy_state(GPTConfig(**meta["config"]), state).eval()
    x = torch.tensor([ids])
    with torch.no_grad():
        torch_forward = median_ms(lambda: tmodel(x), args.repeat)

    print(f"model: {cfg.n_layer} layers × {cfg.n_head} heads, d_model {cfg.d_model}; text of {len(ids)} tokens; "
          f"median of {args.repeat} runs")
    print(f"load checkpoint (once per process):          {load_ms:8.2f} ms")
    print(f"bare numpy forward pass:                     {forward:8.2f} ms")
    print(f"attention probe, one head (new text):        {probe:8.2f} ms   ratio {probe / forward:5.2f}× forward")
    print(f"  of which engine work (inspect.attention):  {direct:8.2f} ms   ratio {direct / forward:5.2f}× forward"
          f"   (the rest is registry.to_plain turning arrays into lists)")
    print(f"attention probe, all {cfg.n_layer * cfg.n_head} heads (one text):     {all_heads:8.2f} ms   "
          f"ratio {all_heads / forward:5.2f}× forward")
    print(f"torch forward pass (reference):              {torch_forward:8.2f} ms")


if __name__ == "__main__":
    main()
