"""How much validating a pack costs beyond parsing it.

Writes a pack of 10,000 questions (4 choices each, with whys and explanations)
to a temporary folder and times `load_pack` against a bare
`yaml.load(..., Loader=CSafeLoader)` of the same file, best of several runs.
The design budget is a ratio of at most 2.0.

    python benchmarks/bench_pack_loading.py [--questions N] [--repeat R]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from benchmarks.timing import best_time  # noqa: E402
from question_bank.loader import load_pack  # noqa: E402

TOPICS = ("attention", "embeddings", "pretraining", "rlhf", "ppo")


def write_pack(path: Path, questions: int) -> None:
    lines = ["format: 1", "pack:", "  id: bench", '  title: "Benchmark pack"', '  version: "1.0.0"', "topics:"]
    for topic in TOPICS:
        lines += [f"  - id: {topic}", f'    title: "{topic.title()}"']
    lines.append("questions:")
    for i in range(questions):
        lines += [f"  - id: q-{i}", f"    topic: {TOPICS[i % len(TOPICS)]}", "    type: single",
                  f"    difficulty: {i % 5 + 1}", "    tags: [generated, bench]", "    prompt: |",
                  f"      Question {i}: which statement about the scaled dot product q·k/√d_k is right?",
                  "    choices:"]
        for c in range(4):
            lines.append(f'      - text: "Statement {c} for question {i}"')
            if c == i % 4:
                lines.append("        correct: true")
            lines.append(f'        why: "Feedback on statement {c}: it is {"right" if c == i % 4 else "wrong"}."')
        lines.append(f'    explanation: "Statement {i % 4} holds because the scores are scaled by √d_k."')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bare_load(path: Path) -> object:
    with path.open("rb") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        write_pack(path, args.questions)
        result = load_pack(path)
        if not result.ok or len(result.pack.questions) != args.questions:
            print("the generated pack did not load:", *result.problems[:5], sep="\n", file=sys.stderr)
            return 1
        bare = best_time(lambda: bare_load(path), args.repeat)
        loaded = best_time(lambda: load_pack(path), args.repeat)
        size = path.stat().st_size / 2**20
    print(f"pack: {args.questions} questions, {size:.1f} MiB")
    print(f"yaml.load (CSafeLoader): {bare:.3f} s")
    print(f"load_pack:               {loaded:.3f} s")
    print(f"ratio:                   {loaded / bare:.2f} (budget 2.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
