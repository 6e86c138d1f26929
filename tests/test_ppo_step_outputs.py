"""ppo_step gives the numbers it gave before it was made faster.

tests/data/ppo_step_outputs.json holds ppo_step's results for CASES as computed
by the code before that work (git commit ab62dd0), written by running this file:

    python tests/test_ppo_step_outputs.py

Every text and flag must agree exactly (the same answers sampled, the same tokens clipped,
the same table). The numbers, twice:

- with the prompt computed for every row, as the code before did (GPT.hidden's `shared` path
  off): to 1e-6 relative, or 1e-6 absolute near 0 (float32 sums of terms near 1, such as
  advantages, are exact to about 1e-7 at best); today they agree bit for bit;
- as ppo_step runs now, the prompt the answers share computed once
  (tests/test_shared_prompt.py): float32 sums in another order, which after eight Adam steps
  moved the numbers by up to 1.3e-5 relative (a ratio) and 2.4e-6 absolute (a per-token KL:
  the difference of two log-probabilities of size ~5, each exact to ~4e-6); another order
  of the same sums moved one by 7e-6. So 1e-4 relative and 2e-5 absolute: rounding passes,
  while a real change (a mask one off, a wrong position) moves hundreds of numbers far more
  and flips clip flags.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIXTURE = Path(__file__).parent / "data" / "ppo_step_outputs.json"
CASES = [  # the course pack's live blocks and the lab's default, both models; another prompt; an odd batch
    {"prompt": "what does the critic do?", "seed": 0, "answers": 8, "model": "char"},
    {"prompt": "what does the critic do?", "seed": 0, "answers": 8, "model": "word"},
    {"prompt": "What is the ratio in PPO?", "seed": 3, "answers": 5, "model": "word"},
]


def compute(case: dict) -> dict:
    import torch

    from engine.probes.rlhf import ppo_step

    torch.set_num_threads(1)
    return ppo_step.__wrapped__(**case)  # computed, not the copy of an earlier call's result


TOLERANCES = {"every row": (1e-6, 1e-6), "shared once": (1e-4, 2e-5)}  # (relative, absolute); see above


def compact(result: dict) -> dict:
    """The result with each answer's tokens as columns (one list per field) and numbers to 9 digits:
    a fixture a third of the size, still precise to 1e-8."""
    def short(x):
        return float(f"{x:.9g}") if isinstance(x, float) else x

    out = {k: v for k, v in result.items() if k != "episodes"}
    out["stats"] = {k: short(v) for k, v in result["stats"].items()}
    out["episodes"] = [{**{k: short(v) for k, v in ep.items() if k != "tokens"},
                        "tokens": {field: [short(t[field]) for t in ep["tokens"]] for field in ep["tokens"][0]}}
                       for ep in result["episodes"]]
    return out


def mismatches(got, want, path: str = "", tolerance: tuple[float, float] = TOLERANCES["every row"]) -> list[str]:
    """Where two results differ: numbers beyond the (relative, absolute) tolerance, anything else at all."""
    if isinstance(want, dict):
        if set(got) != set(want):
            return [f"{path}: keys {sorted(set(got) ^ set(want))}"]
        return [m for k in want for m in mismatches(got[k], want[k], f"{path}.{k}", tolerance)]
    if isinstance(want, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items, not {len(want)}"]
        return [m for i, (g, w) in enumerate(zip(got, want)) for m in mismatches(g, w, f"{path}[{i}]", tolerance)]
    if isinstance(want, float) and not isinstance(got, bool):
        rel, abs_ = tolerance
        same = math.isclose(got, want, rel_tol=rel, abs_tol=abs_) or (math.isnan(got) and math.isnan(want))
        return [] if same else [f"{path}: {got!r}, not {want!r}"]
    return [] if (got == want and type(got) is type(want)) else [f"{path}: {got!r}, not {want!r}"]


@pytest.mark.parametrize("prompt", TOLERANCES)
@pytest.mark.parametrize("index", range(len(CASES)))
def test_ppo_step_gives_the_numbers_it_gave_before(index, prompt, monkeypatch):
    from engine.transformer import model

    if prompt == "every row":
        monkeypatch.setattr(model, "SHARED_MIN", 10**9)  # the shared path never pays: the plain pass
    case = CASES[index]
    want = json.loads(FIXTURE.read_text())["results"][index]
    assert want["case"] == case
    assert mismatches(compact(compute(case)), want["result"], tolerance=TOLERANCES[prompt]) == []


if __name__ == "__main__":
    results = [{"case": case, "result": compact(compute(case))} for case in CASES]
    FIXTURE.write_text(json.dumps({"results": results}, ensure_ascii=False, separators=(",", ":")) + "\n")
