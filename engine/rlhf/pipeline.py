"""`quizapp engine train --stage all`: pre-training → SFT → reward model → PPO, one after the other.

Each stage writes its checkpoint into `out` and the next one reads it from
there, so `--out engine/weights` refreshes every bundled checkpoint. The time
of each stage is printed at the end.
"""
from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Callable

from engine.texts import _, num

ORDER = (
    ("pretrain", "engine.rlhf.pretrain:pretrain"),
    ("sft", "engine.rlhf.sft:train_sft"),
    ("reward", "engine.rlhf.reward_model:train_reward_model"),
    ("ppo", "engine.rlhf.ppo_trainer:train_ppo"),
)


def train_all(out: Path | str, seed: int = 0, steps: int | None = None, progress: bool = True,
              log: Callable[[str], None] = print, model: str = "char") -> dict:
    """Run every stage; `steps`, when given, is passed to each stage (a quick smoke run)."""
    times: dict[str, float] = {}
    metas: dict[str, dict] = {}
    started = time.perf_counter()
    for name, target in ORDER:
        module, _sep, attr = target.partition(":")
        stage = getattr(importlib.import_module(module), attr)
        log(_("=== stage {stage} ({model} model) ===").format(stage=name, model=model))
        t = time.perf_counter()
        metas[name] = stage(out=Path(out), seed=seed, steps=steps, progress=progress, model=model)
        times[name] = time.perf_counter() - t
    total = time.perf_counter() - started
    log(_("stage times: {times}; total {total} s").format(
        times=", ".join(f"{k} {num(v, '.0f')} s" for k, v in times.items()), total=num(total, ".0f")))
    return {"stage_seconds": times, "total_seconds": total, "metadata": metas}
