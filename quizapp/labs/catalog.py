"""Which labs there are, which probe each one shows, and how to open one by key.

Plain data plus a lookup: a lab's module is imported only when the lab opens.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from question_bank.models import LiveLink
from quizapp.i18n import N_

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class LabInfo:
    key: str
    target: str  # "module:Class"
    title: str  # English, marked with N_: translate with _() where shown
    summary: str


LABS: tuple[LabInfo, ...] = (
    LabInfo("tokens", "quizapp.labs.tokens:TokensLab", N_("Tokens and embeddings"),
            N_("Character and BPE tokens of any text; nearest tokens by embedding.")),
    LabInfo("positional", "quizapp.labs.positional:PositionalLab", N_("Positional encoding"),
            N_("The sinusoidal PE matrix and how alike positions are (PE·PE).")),
    LabInfo("attention", "quizapp.labs.attention:AttentionLab", N_("Attention"),
            N_("Weights of every head; q·k, q·k/√d_k and softmax for one query.")),
    LabInfo("policy", "quizapp.labs.policy:PolicyLab", N_("Policy π_θ(·|s)"),
            N_("Next-token distributions of the three models; temperature, softmax.")),
    LabInfo("ppo", "quizapp.labs.ppo:PPOLab", N_("PPO and RLHF"),
            N_("Clip calculator, GAE, KL, one real PPO step, the training stages.")),
)

# Which lab shows each probe (and, for labs with tabs, which tab).
PROBE_LAB: dict[str, str] = {
    "tokenize": "tokens", "embedding": "tokens",
    "positional_encoding": "positional", "pe_entry": "positional",
    "attention": "attention",
    "next_token": "policy", "softmax": "policy", "scaled_softmax": "policy",
    "ppo_clip": "ppo", "clip_branch": "ppo", "ratio_from_logprobs": "ppo",
    "gae": "ppo", "kl": "ppo", "ppo_step": "ppo", "compare_stages": "ppo",
}


def lab_info(key: str) -> LabInfo:
    return next(info for info in LABS if info.key == key)


def lab_class(key: str) -> "type[Screen]":
    module, _, name = lab_info(key).target.partition(":")
    return getattr(importlib.import_module(module), name)


def lab_for_probe(probe: str) -> "tuple[type[Screen] | None, str | None]":
    key = PROBE_LAB.get(probe)
    return (lab_class(key), key) if key else (None, None)


def open_lab(key: str, probe: str | None = None, args: Mapping[str, Any] | None = None,
             links: Sequence[LiveLink] = (), index: int = 0) -> "Screen":
    return lab_class(key)(probe, args, links, index)
