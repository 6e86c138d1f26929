"""One reading of a pack for the preview: every problem (as `quizapp validate` finds them), the
pack when it loads, and one drawn example of each calculated question."""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from question_bank.calculated import CalculationError, instantiate
from question_bank.loader import LoadResult, load_pack
from question_bank.models import CalculatedQuestion, Pack, Question

EXAMPLE_SEED = 0  # the same example draw on every reload, so an edit's effect is easy to see


@dataclass(frozen=True)
class Snapshot:
    result: LoadResult  # every problem, the engine's checks included
    # What can be shown: the pack, or, when only the engine's checks (a failed claim, a
    # combination that does not compute) stop it from loading, the pack read without them.
    pack: Pack | None = None
    examples: Mapping[str, Question | str] = field(default_factory=dict)  # id -> drawn question, or why none

    @property
    def engine_errors_only(self) -> bool:
        return self.result.pack is None and self.pack is not None

    @property
    def errors(self) -> int:
        return len(self.result.errors)

    @property
    def warnings(self) -> int:
        return len(self.result.warnings)


def read_pack(path: Path, engine: bool = True) -> Snapshot:
    """`engine`: run calculations and evidence claims as `quizapp validate` does (else the checks
    that need no probe run)."""
    result = load_pack(path, run_calculations=engine, check_evidence=engine)
    pack = result.pack
    if pack is None and engine:
        pack = load_pack(path).pack
    examples: dict[str, Question | str] = {}
    if pack is not None:
        for q in pack.questions:
            if isinstance(q, CalculatedQuestion):
                try:
                    examples[q.id] = instantiate(q, random.Random(f"{EXAMPLE_SEED}/{q.key}"))[0]
                except CalculationError as error:
                    examples[q.id] = str(error)
    return Snapshot(result, pack, examples)
