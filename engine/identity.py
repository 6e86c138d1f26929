"""One cheap checksum of what a probe's answer depends on: the probe code and the checkpoints.

Callers that keep results derived from probes (the pack cache) compare it to
tell an engine that changed. It hashes the source of engine/probes/ and the
checkpoints' metadata files, which record each weights file's sha256: about
0.3 MB read, no numpy or torch imported, no weights file read. It lives outside
engine.probes, whose import registers every probe: the pack cache asks for it
on the way to the first screen.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

_ENGINE = Path(__file__).resolve().parent
_PROBES, _BUNDLED = _ENGINE / "probes", _ENGINE / "weights"


def engine_identity() -> str:
    # The folder rule of engine.transformer.weights.weights_dir(), which cannot be imported here
    # without numpy: QUIZAPP_WEIGHTS_DIR, else the bundled checkpoints.
    override = os.environ.get("QUIZAPP_WEIGHTS_DIR")
    return _identity(str(Path(override).expanduser() if override else _BUNDLED))


@lru_cache(maxsize=4)
def _identity(weights: str) -> str:
    digest = hashlib.sha256()
    for kind, folder, pattern in (("probes", _PROBES, "*.py"), ("weights", Path(weights), "*.json")):
        for path in sorted(folder.glob(pattern)):
            digest.update(f"{kind}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
