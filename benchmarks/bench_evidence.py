"""How long the Evidence section takes from the answer key to numbers on screen, against the bare probe.

    python benchmarks/bench_evidence.py [--repeat N]

Headless (Textual's run_test), one process. A pack of two questions, one with
an attention block and one with a next_token block (each with a caption), is
answered over and over: each round starts a fresh practice session, presses
the answer key and waits until the block shows its caption. "cold" is the
first round (the model loads), "warm" the median of the rest, where the probe
result comes from the session cache. For reference, the bare probe call on a
text one character longer (so no cache helps it), and the time from the key to
the verdict line, which the screen shows before the evidence: the difference is
what the evidence itself costs. Goal: warm ≤ 100 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("QUIZAPP_HOME", tempfile.mkdtemp(prefix="bench-evidence-"))

from engine.probes import run_probe  # noqa: E402
from question_bank.loader import load_pack  # noqa: E402
from quizapp.app import QuizApp  # noqa: E402
from quizapp.catalog import Catalog  # noqa: E402
from quizapp.evidence.panel import EvidencePanel  # noqa: E402
from quizapp.options import Options  # noqa: E402

BLOCKS = {
    "attention": ("attention", {"text": "the model reads the sentence and the cat sat on the mat"},
                  "Weight on the first token: {weights[0][0]:.2f}."),
    "next_token": ("next_token", {"text": "The model reads the "}, "Top token: {top[0].probability:.3f}."),
}


def pack_text(probe: str, args: dict, caption: str) -> str:
    arg_text = ", ".join(f"{k}: {v!r}" for k, v in args.items()).replace("'", '"')
    return f"""format: 1
pack: {{id: bench, title: Bench}}
topics: [{{id: t, title: T}}]
questions:
  - id: q
    topic: t
    prompt: Pick A.
    choices:
      - {{text: "A", correct: true}}
      - {{text: "B"}}
    explanation: E.
    live:
      - probe: {probe}
        args: {{{arg_text}}}
        caption: "{caption}"
"""


async def answer_to_evidence(pack, rounds: int) -> tuple[list[float], list[float]]:
    """Per round: answer key → evidence caption on screen, and answer key → verdict on screen."""
    times, verdicts = [], []
    for _ in range(rounds):
        app = QuizApp(Catalog((pack,), (), ("bench",)), Options(user_packs=None, seed=1))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            panel = app.screen.query_one(EvidencePanel)
            hint = app.screen.query_one("#hint")
            start = time.perf_counter()
            await pilot.press("a")
            verdict = None
            while True:
                if verdict is None and "Right" in str(hint.render()):
                    verdict = time.perf_counter() - start
                blocks = list(panel.query(".evidence--block"))
                if blocks and str(blocks[0].render()).startswith(("Weight", "Top")):
                    break
                if time.perf_counter() - start > 120:
                    raise TimeoutError("the evidence did not show")
                await pilot.pause(0.001)
            times.append(time.perf_counter() - start)
            verdicts.append(verdict if verdict is not None else times[-1])
    return times, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, (probe, args, caption) in BLOCKS.items():
            path = Path(folder) / f"{name}.yaml"
            path.write_text(pack_text(probe, args, caption), encoding="utf-8")
            pack = load_pack(path).pack
            times, verdicts = asyncio.run(answer_to_evidence(pack, ns.repeat))
            bare = []
            for i in range(ns.repeat):  # a new text each time: the probe keeps the traces of recent texts
                fresh = {**args, "text": args["text"] + "abcdefgh"[i % 8]}
                t = time.perf_counter()
                run_probe(probe, fresh)
                bare.append(time.perf_counter() - t)
            warm, verdict = statistics.median(times[1:]), statistics.median(verdicts[1:])
            print(f"{name:<11} answer → evidence: cold {times[0] * 1000:7.1f} ms, warm {warm * 1000:6.1f} ms "
                  f"(answer → verdict {verdict * 1000:6.1f} ms, so the evidence adds {(warm - verdict) * 1000:6.1f} ms); "
                  f"bare probe {statistics.median(bare) * 1000:6.1f} ms; warm/goal(100 ms) {warm / 0.1:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
