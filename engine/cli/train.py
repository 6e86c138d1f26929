"""`quizapp engine train --stage STAGE`: the training command.

Each stage is one entry of STAGES, "module:function", imported only when it
runs (so building the parser never imports torch). A stage function takes
keyword arguments out, seed, steps (None = the stage's default), progress
and model ("char" or "word"), writes its checkpoint into `out` and returns the
metadata.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from engine.texts import _

STAGES: dict[str, str] = {
    "pretrain": "engine.rlhf.pretrain:pretrain",
    "sft": "engine.rlhf.sft:train_sft",
    "reward": "engine.rlhf.reward_model:train_reward_model",
    "ppo": "engine.rlhf.ppo_trainer:train_ppo",
    "all": "engine.rlhf.pipeline:train_all",
}

DEFAULT_OUT = "engine-runs"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("train", help=_("train a model stage on CPU and write its weights and metadata"),
                       description=_("Train a stage of the engine's model and write STAGE.safetensors + STAGE.json "
                                     "into --out. To refresh the bundled weights: --out engine/weights."))
    p.add_argument("--stage", choices=list(STAGES), default="pretrain",
                   help=_("which stage to train (default: pretrain)"))
    p.add_argument("--model", choices=["char", "word"], default="char",
                   help=_("the character model or the sub-word (byte-level BPE) model (default: char)"))
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=_("output folder (default: ./{folder})").format(folder=DEFAULT_OUT))
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help=_("random seed (default: 0, the bundled weights' seed)"))
    p.add_argument("--steps", type=int, default=None, metavar="N",
                   help=_("optimiser steps (default: the stage's own)"))
    p.add_argument("--no-progress", action="store_true", help=_("no progress bar (for logs)"))
    p.set_defaults(run=run)
    return p


def run(ns: argparse.Namespace) -> int:
    from engine.errors import ProbeError

    from engine.probes.registry import SEED_RANGE

    if ns.steps is not None and ns.steps < 1:
        print(_("quizapp engine train: error: --steps must be at least 1"), file=sys.stderr)
        return 2
    if not SEED_RANGE[0] <= ns.seed <= SEED_RANGE[1]:
        print(_("quizapp engine train: error: --seed must be between {low} and {high}").format(
            low=SEED_RANGE[0], high=SEED_RANGE[1]), file=sys.stderr)
        return 2
    if not ns.no_progress:
        from engine.cli.progress import rich_bar
        from engine.rlhf.progress import set_display
        set_display(rich_bar)
    module, _sep, attr = STAGES[ns.stage].partition(":")
    stage = getattr(importlib.import_module(module), attr)
    try:
        stage(out=Path(ns.out), seed=ns.seed, steps=ns.steps, progress=not ns.no_progress, model=ns.model)
    except (ProbeError, OSError) as exc:
        print(_("quizapp engine train: error: {error}").format(error=exc), file=sys.stderr)
        return 1
    return 0
