"""Notice that a pack changed on disk by polling its files' modification times: no daemon, no
inotify, the same on every system. A folder pack is its pack.yaml and the other YAML files
beside it, so a file added or removed counts as a change too."""
from __future__ import annotations

import os
from pathlib import Path

from question_bank.loader import PACK_FILE, YAML_SUFFIXES

Signature = tuple[tuple[str, int, int], ...]  # (name, mtime in ns, size) per file


def pack_files(path: Path) -> list[Path]:
    """The files the loader reads for the pack at `path` (the path itself for a one-file pack)."""
    if not path.is_dir():
        return [path]
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return [path / PACK_FILE]
    return [path / PACK_FILE] + [p for p in entries if p.suffix in YAML_SUFFIXES and p.name != PACK_FILE
                                 and not p.name.startswith(".")]


def signature(path: Path) -> Signature:
    out = []
    for file in pack_files(path):
        try:
            stat = os.stat(file)
            out.append((file.name, stat.st_mtime_ns, stat.st_size))
        except OSError:
            out.append((file.name, -1, -1))  # missing or unreadable: a state of its own
    return tuple(out)


class PackWatcher:
    """`changed()` is True once after each change of the pack's files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = signature(path)

    def changed(self) -> bool:
        now = signature(self.path)
        if now == self._seen:
            return False
        self._seen = now
        return True
