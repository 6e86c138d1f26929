"""Which files make a pack, how one is read safely, and where the bundled packs are; no YAML here.

The loader reads exactly these files, and the pack cache fingerprints exactly
these, so both follow one rule and read with the same guard.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

PACK_FILE = "pack.yaml"  # the header file of a folder pack
YAML_SUFFIXES = (".yaml", ".yml")

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest pack file read (8 MiB: some 12,000 questions with feedback); split bigger packs into a folder."""


def folder_files(folder: Path) -> list[Path]:
    """A folder pack's files in reading order: pack.yaml, then its other YAML files by name (hidden ones skipped).

    Not only regular files: a FIFO or device named *.yaml is listed, so that reading it reports it
    (read_regular) rather than leaving it out unseen. OSError when the folder cannot be listed.
    """
    return [folder / PACK_FILE] + sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES
                                         and p.name != PACK_FILE and not p.name.startswith(".") and not p.is_dir())


class NotRegular(OSError):
    """The path is a FIFO, a device, a socket or a folder where a file was expected."""


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a regular file; NotRegular for anything else, never blocking.

    O_NONBLOCK makes opening a FIFO return at once; the kind is then read from
    the open file itself, so a swap between check and read changes nothing.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(f"not a regular file but {_kind(mode)}")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def bundled_pack_paths() -> list[Path]:
    """The packs shipped inside the question_bank package (files and folders in packs/)."""
    # A normal install (wheel or source tree) unpacks the package, so its folder is a real path
    # (and importlib.resources, with zipfile behind it, would cost the start-up more than this whole module).
    folder = Path(__file__).parent / "packs"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if (p.is_file() and p.suffix in YAML_SUFFIXES) or (p.is_dir() and (p / PACK_FILE).is_file()))
