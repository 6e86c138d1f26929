"""Question packs: the YAML format, its loader and validator, and the bundled packs.

Importing the package costs nothing: each name below is imported on first use.
"""
from __future__ import annotations

import importlib
from typing import Any

# name -> module that defines it
_EXPORTS = {
    "Choice": "models", "LiveLink": "models", "Translation": "models", "Question": "models",
    "Topic": "models", "Pack": "models", "FrozenMap": "models",
    "CalculatedQuestion": "models", "ValueSpec": "models",
    "instantiate": "calculated", "instantiate_with": "calculated", "CalculationError": "calculated",
    "Problem": "problems",
    "LoadResult": "results", "load_pack": "loader", "load_packs": "loader", "bundled_pack_paths": "files",
    "validate_main": "validate",
    "json_schema": "schema",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'question_bank' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"question_bank.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
