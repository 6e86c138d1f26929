"""The labs: screens that run engine probes and draw their numbers.

Importing this package is cheap: each lab's module (and its widgets) is
imported when the lab opens, and no lab imports torch; probes import what
they need inside a worker thread.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from question_bank.models import LiveLink

if TYPE_CHECKING:
    from textual.screen import Screen

    from quizapp.labs.base import LabScreen


@dataclass(frozen=True)
class LabInfo:
    key: str
    target: str  # "module:Class"
    title: str
    summary: str


LABS: tuple[LabInfo, ...] = (
    LabInfo("tokens", "quizapp.labs.tokens:TokensLab", "Tokens and embeddings",
            "Character and BPE tokens of any text; nearest tokens by embedding."),
    LabInfo("positional", "quizapp.labs.positional:PositionalLab", "Positional encoding",
            "The sinusoidal PE matrix and how alike positions are (PE·PE)."),
    LabInfo("attention", "quizapp.labs.attention:AttentionLab", "Attention",
            "Weights of every head; q·k, q·k/√d_k and softmax for one query."),
    LabInfo("policy", "quizapp.labs.policy:PolicyLab", "Policy π_θ(·|s)",
            "Next-token distributions of the three models; temperature, softmax."),
    LabInfo("ppo", "quizapp.labs.ppo:PPOLab", "PPO and RLHF",
            "Clip calculator, GAE, KL, one real PPO step, the training stages."),
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


def lab_class(key: str) -> "type[LabScreen]":
    module, _, name = lab_info(key).target.partition(":")
    return getattr(importlib.import_module(module), name)


def lab_for_probe(probe: str) -> "tuple[type[LabScreen] | None, str | None]":
    key = PROBE_LAB.get(probe)
    return (lab_class(key), key) if key else (None, None)


def open_lab(key: str, probe: str | None = None, args: Mapping[str, Any] | None = None,
             links: Sequence[LiveLink] = (), index: int = 0) -> "LabScreen":
    return lab_class(key)(probe, args, links, index)


def open_lab_for(links: Sequence[LiveLink], index: int = 0) -> "Screen":
    """The lab for a question's live blocks, prefilled with the first (or `index`-th) block's arguments.

    With no block the learner gets the labs menu; a block whose probe no lab shows opens the
    first block that has one.
    """
    links = tuple(links)
    order = [index, *(i for i in range(len(links)) if i != index)] if links else []
    for i in order:
        if 0 <= i < len(links) and links[i].probe in PROBE_LAB:
            link = links[i]
            return open_lab(PROBE_LAB[link.probe], link.probe, dict(link.args), links, i)
    from quizapp.labs.menu import LabsMenuScreen
    return LabsMenuScreen()


def labs_menu() -> "Screen":
    from quizapp.labs.menu import LabsMenuScreen
    return LabsMenuScreen()
