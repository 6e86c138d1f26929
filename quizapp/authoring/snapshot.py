"""One reading of a pack for the preview: every problem (as `quizapp validate` finds them), the
pack when it loads, and one drawn example of each calculated question."""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from question_bank.calculated import CalculationError, instantiate
from question_bank.loader import LoadResult, load_pack
from question_bank.models import CalculatedQuestion, Question

EXAMPLE_SEED = 0  # the same example draw on every reload, so an edit's effect is easy to see


@dataclass(frozen=True)
class Snapshot:
    result: LoadResult
    examples: Mapping[str, Question | str] = field(default_factory=dict)  # id -> drawn question, or why none

    @property
    def errors(self) -> int:
        return len(self.result.errors)

    @property
    def warnings(self) -> int:
        return len(self.result.warnings)


def read_pack(path: Path) -> Snapshot:
    result = load_pack(path, run_calculations=True)
    examples: dict[str, Question | str] = {}
    if result.pack is not None:
        for q in result.pack.questions:
            if isinstance(q, CalculatedQuestion):
                try:
                    examples[q.id] = instantiate(q, random.Random(f"{EXAMPLE_SEED}/{q.key}"))[0]
                except CalculationError as error:
                    examples[q.id] = str(error)
    return Snapshot(result, examples)
