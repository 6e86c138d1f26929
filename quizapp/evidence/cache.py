"""Probe results kept for the session, so a question seen again (or reviewed) shows its evidence at once.

Keyed by probe name and arguments; thread-safe, because probes run in worker
threads. Bounded: the oldest results go first.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any, Callable, Mapping

from question_bank.models import plain_data

MAX_ENTRIES = 256


def cache_key(probe: str, args: Mapping[str, Any]) -> str:
    return probe + json.dumps(plain_data(args), sort_keys=True, ensure_ascii=False)


class ProbeCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._results: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, probe: str, args: Mapping[str, Any]) -> dict | None:
        key = cache_key(probe, args)
        with self._lock:
            result = self._results.get(key)
            if result is not None:
                self._results.move_to_end(key)
            return result

    def run(self, probe: str, args: Mapping[str, Any], compute: Callable[[str, dict], dict]) -> dict:
        """The cached result, or `compute(probe, args)` stored for next time (errors are not stored)."""
        cached = self.get(probe, args)
        if cached is not None:
            return cached
        result = compute(probe, dict(args))
        with self._lock:
            self._results[cache_key(probe, args)] = result
            while len(self._results) > self.max_entries:
                self._results.popitem(last=False)
        return result


SESSION = ProbeCache()
