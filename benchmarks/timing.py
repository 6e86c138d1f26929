"""What the benchmark scripts share: the best of several timed runs."""
from __future__ import annotations

import time
from typing import Callable


def best_time(run: Callable[[], object], repeat: int) -> float:
    """The shortest of `repeat` runs, in seconds: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best
