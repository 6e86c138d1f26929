"""Files embedded in an imported quiz (Moodle XML `<file>`, `data:` images), saved in a folder beside the pack.

A question text refers to them by name (`@@PLUGINFILE@@/map.png`); the import
writes each under a safe, unique name into `OUT.media/` and the text keeps a
visible reference linked to it: `[image: map.png](OUT.media/map.png)`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from question_bank.interchange.names import UniqueNames

PLUGINFILE = "@@PLUGINFILE@@/"
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]+)*)(;base64)?,(.*)", re.DOTALL)
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/svg+xml": ".svg",
               "image/webp": ".webp", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "video/mp4": ".mp4"}
MAX_NAME = 80  # characters of a saved file name


@dataclass(frozen=True)
class MediaFile:
    name: str  # as saved in the folder
    data: bytes
    line: int  # where the file is in the source


@dataclass
class MediaFolder:
    """The files of one import: `folder` is the folder's name as links in the pack write it."""

    folder: str
    files: list[MediaFile] = field(default_factory=list)
    _by_digest: dict[tuple[str, str], str] = field(default_factory=dict)  # (wanted name, sha256) -> saved name
    _names: UniqueNames = field(default_factory=lambda: UniqueNames(fold=str.lower))  # disks may ignore case

    def add(self, wanted: str, data: bytes, line: int) -> tuple[str, bool]:
        """Save `data` as `wanted` (made safe and unique); (saved name, whether it is new)."""
        digest = hashlib.sha256(data).hexdigest()
        known = self._by_digest.get((wanted, digest))
        if known is not None:
            return known, False
        name = safe_name(wanted)
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        name = self._names.take(name, lambda n: f"{stem}-{n}" + (f".{extension}" if extension else ""))
        self.files.append(MediaFile(name, data, line))
        self._by_digest[(wanted, digest)] = name
        return name, True

    def link(self, name: str) -> str:
        return f"{self.folder}/{name}"


def safe_name(wanted: str) -> str:
    """A file name that is safe in any folder: no path, letters, digits, '.', '-' and '_' only."""
    base = re.split(r"[/\\]", wanted)[-1]
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip(".-_") or "file"
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = name[:MAX_NAME - len(keep) - 1].rstrip(".-_") + ("." + keep if keep else "")
    return name


def decode_base64(text: str) -> bytes | None:
    """The bytes of base64 text (whitespace ignored), or None when it is not base64."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def plugin_file_name(address: str) -> str | None:
    """'@@PLUGINFILE@@/sub/map%20a.png?time=1' -> 'sub/map a.png'; None for other addresses."""
    if not address.startswith(PLUGINFILE):
        return None
    return unquote(address[len(PLUGINFILE):].split("?", 1)[0].split("#", 1)[0])


def data_uri(address: str) -> tuple[bytes, str] | None:
    """The bytes and a file extension of a base64 `data:` address; None for anything else."""
    found = _DATA_URI.fullmatch(address.strip())
    if found is None or not found.group(3):
        return None
    data = decode_base64(found.group(4))
    return (data, _EXTENSIONS.get((found.group(1) or "").lower(), ".bin")) if data is not None else None


def write_media(folder: Path, files: list[MediaFile]) -> None:
    """Write the files into `folder` (created if needed); each file replaced whole or not at all."""
    folder.mkdir(exist_ok=True)
    for media in files:
        target = folder / media.name
        temporary = folder / f".{media.name}.{os.getpid()}.part"
        try:
            with temporary.open("xb") as out:  # "x": never through a file or link already there
                out.write(media.data)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
