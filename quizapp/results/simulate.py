"""A simulated class with known truth, to check the item analysis (and to try `quizapp report`).

Learners have an ability θ ~ N(0, 1); each question i has a discrimination a_i and a
difficulty b_i, and a learner answers it correctly with the two-parameter IRT probability

    P(correct | θ) = 1 / (1 + exp(−a_i (θ − b_i)))

A wrong answer picks a distractor with probability proportional to the distractor's
attractiveness; an attractiveness of 0 makes a distractor nobody is drawn to. A question
with a_i < 0 is one that stronger learners get wrong more often (a miskeyed question).

    python -m quizapp.results.simulate OUT_FOLDER [--learners N] [--questions K] [--seed S]

writes OUT_FOLDER/pack.yaml and OUT_FOLDER/results/*.jsonl.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from quizapp.i18n import _
from quizapp.results.format import iso_utc

PACK_ID = "simulated-class"
PACK_VERSION = "1.0.0"
TOPICS = {"attention": "Attention", "embeddings": "Embeddings", "ppo": "PPO"}
CHOICES = 4
START = 1_800_000_000.0  # the first answer's time (2027-01-15), so the files never depend on today


@dataclass(frozen=True)
class SimItem:
    id: str
    topic: str
    a: float  # discrimination
    b: float  # difficulty
    key: int
    attraction: tuple[float, ...]  # per choice; the key's entry is unused


@dataclass(frozen=True)
class SimClass:
    items: tuple[SimItem, ...]
    abilities: np.ndarray
    seed: int
    answer_share: float  # the share of questions each learner answers (1.0: all)


def simulated_class(learners: int = 400, questions: int = 24, negative: int = 3, dead: int = 1,
                    answer_share: float = 1.0, seed: int = 0) -> SimClass:
    """`negative` questions with a < 0 (the last ones) and `dead` questions with one distractor
    of zero attraction (the first ones, choice after the key)."""
    rng = np.random.default_rng(seed)
    b = np.linspace(-2.0, 2.0, questions)
    rng.shuffle(b)
    a = rng.uniform(0.9, 2.2, questions)
    a[questions - negative:] = -rng.uniform(1.0, 1.6, negative)
    items = []
    for i in range(questions):
        key = int(rng.integers(CHOICES))
        attraction = rng.uniform(0.6, 1.4, CHOICES)
        if i < dead:
            attraction[(key + 1) % CHOICES] = 0.0
        items.append(SimItem(f"q{i:03d}", list(TOPICS)[i % len(TOPICS)], float(a[i]), float(b[i]), key,
                             tuple(float(v) for v in attraction)))
    return SimClass(tuple(items), rng.normal(0.0, 1.0, learners), seed, answer_share)


def pack_yaml(sim: SimClass) -> str:
    lines = ["format: 1", "pack:", f"  id: {PACK_ID}", '  title: "Simulated class"',
             f'  version: "{PACK_VERSION}"', "topics:"]
    lines += [f"  - {{id: {t}, title: {title}}}" for t, title in TOPICS.items()]
    lines.append("questions:")
    for item in sim.items:
        lines += [f"  - id: {item.id}", f"    topic: {item.topic}", f'    prompt: "Simulated question {item.id}"',
                  f'    explanation: "Difficulty b = {item.b:.2f}, discrimination a = {item.a:.2f}."',
                  "    choices:"]
        for c in range(CHOICES):
            correct = ", correct: true" if c == item.key else ""
            lines.append(f'      - {{text: "Choice {c} of {item.id}"{correct}}}')
    return "\n".join(lines) + "\n"


def answers(sim: SimClass) -> Iterator[dict[str, Any]]:
    """Every learner's answers as result lines, learner by learner."""
    rng = np.random.default_rng(sim.seed + 1)
    a = np.array([item.a for item in sim.items])
    b = np.array([item.b for item in sim.items])
    p_right = 1.0 / (1.0 + np.exp(-a[None, :] * (sim.abilities[:, None] - b[None, :])))
    right = rng.random(p_right.shape) < p_right
    asked = rng.random(p_right.shape) < sim.answer_share
    wrong_pick = rng.random(p_right.shape)
    seconds = rng.gamma(4.0, 5.0, p_right.shape)
    clock = START
    for learner in range(len(sim.abilities)):
        name = f"s{learner:05d}"
        for i, item in enumerate(sim.items):
            if not asked[learner, i]:
                continue
            clock += 30.0
            if right[learner, i]:
                pick = item.key
            else:
                weights = np.array(item.attraction)
                weights[item.key] = 0.0
                pick = int(np.searchsorted(np.cumsum(weights / weights.sum()), wrong_pick[learner, i], side="right"))
                pick = min(pick, CHOICES - 1)
            yield {"learner": name, "pack": PACK_ID, "pack_version": PACK_VERSION, "question": item.id,
                   "picked": [pick], "correct": bool(right[learner, i]), "seconds": round(float(seconds[learner, i]), 1),
                   "mode": "exam", "session": str(learner), "at": iso_utc(clock)}


def write_class(sim: SimClass, folder: Path, files: int = 10) -> tuple[Path, Path]:
    """Write the pack and the results (learners spread over `files` files); returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    pack = folder / "pack.yaml"
    pack.write_text(pack_yaml(sim), encoding="utf-8")
    results = folder / "results"
    results.mkdir(exist_ok=True)
    outs = [(results / f"class-{n:02d}.jsonl").open("w", encoding="utf-8") for n in range(files)]
    try:
        for line in answers(sim):
            outs[int(line["learner"][1:]) % files].write(json.dumps(line) + "\n")
    finally:
        for out in outs:
            out.close()
    return pack, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizapp.results.simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--questions", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    ns = parser.parse_args(argv)
    pack, results = write_class(simulated_class(ns.learners, ns.questions, seed=ns.seed), ns.folder)
    print(_("wrote {pack} and {results}/; try: quizapp report {results} --pack {pack}").format(pack=pack,
                                                                                            results=results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
