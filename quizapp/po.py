"""A small reader for gettext .po catalogues, and the .mo bytes the stdlib's gettext reads.

The catalogues live in the repository and the wheel as .po text only, so there is no
build step and no compiled file to keep in step. Reading a .po costs about 20 ms, on
the path to the first screen of every German start, so the compiled .mo is kept in the
cache folder, named after the .po's size and time of change, and rebuilt when it changes
or is damaged.
Handles what our catalogues use: msgctxt, msgid, msgid_plural, msgstr, msgstr[N],
multi-line strings, comments and the "fuzzy" flag (fuzzy entries are left out, as
msgfmt does).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path


class PoError(ValueError):
    """A .po file that cannot be read; the message names the line."""


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    fuzzy: bool = False
    line: int = 0

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")


def _string(text: str, line: int) -> str:
    match = _QUOTED.fullmatch(text.strip())
    if match is None:
        raise PoError(f"line {line}: expected a quoted string, got {text.strip()[:40]!r}")
    try:
        return _ESCAPE.sub(lambda m: ESCAPES[m.group(1)], match.group(1))
    except KeyError as exc:
        raise PoError(f"line {line}: unknown escape \\{exc.args[0]}") from None


def read_po(text: str) -> list[Entry]:
    """Every entry in order, the header (msgid "") included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines extend
    flags_pending = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                flags_pending = True
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if entry is None or target is None:
                raise PoError(f"line {number}: a string outside an entry")
            name, index = target
            value = _string(line, number)
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
            continue
        if keyword in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
            entry = Entry(fuzzy=flags_pending, line=number)
            entries.append(entry)
            flags_pending = False
        if entry is None:
            raise PoError(f"line {number}: {keyword} before msgid")
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, _string(rest, number))
            target = (keyword, 0)
        elif keyword == "msgstr":
            entry.msgstr = [_string(rest, number)]
            target = ("msgstr", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[7:-1])
            while len(entry.msgstr) <= index:
                entry.msgstr.append("")
            entry.msgstr[index] = _string(rest, number)
            target = ("msgstr", index)
        else:
            raise PoError(f"line {number}: unknown keyword {keyword!r}")
    return entries


def mo_bytes(entries: list[Entry]) -> bytes:
    """The GNU .mo image of the translated entries (and the header), as msgfmt writes it."""
    pairs: dict[bytes, bytes] = {}
    for e in entries:
        if e.msgid and not e.translated:
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        pairs[key.encode()] = "\0".join(e.msgstr).encode()
    keys = sorted(pairs)
    header = 7 * 4
    ids_at, strs_at = header, header + len(keys) * 8
    data_at = strs_at + len(keys) * 8
    blob = io.BytesIO()
    id_table, str_table = [], []
    for key in keys:
        id_table.append((len(key), data_at + blob.tell()))
        blob.write(key + b"\0")
    for key in keys:
        value = pairs[key]
        str_table.append((len(value), data_at + blob.tell()))
        blob.write(value + b"\0")
    out = struct.pack("<7I", 0x950412DE, 0, len(keys), ids_at, strs_at, 0, 0)
    out += b"".join(struct.pack("<2I", *pair) for pair in id_table)
    out += b"".join(struct.pack("<2I", *pair) for pair in str_table)
    return out + blob.getvalue()


def load_translations(path: Path, cache_folder: Path | None = None):
    """A gettext.GNUTranslations for a .po file, from its compiled copy in `cache_folder` when that is current."""
    import gettext

    stat = path.stat()
    compiled = None if cache_folder is None else cache_folder / f"{path.stem}-{stat.st_size}-{stat.st_mtime_ns}.mo"
    if compiled is not None:
        try:
            return gettext.GNUTranslations(io.BytesIO(compiled.read_bytes()))
        except Exception:  # absent, or damaged in any way: compile again, the .po is the truth
            pass
    data = mo_bytes(read_po(path.read_text(encoding="utf-8")))
    if compiled is not None:
        _keep(compiled, data)
    return gettext.GNUTranslations(io.BytesIO(data))


def _keep(compiled: Path, data: bytes) -> None:
    """Write the compiled catalogue whole (or not at all) and drop the older copies of the same catalogue."""
    partial = compiled.with_name(f".{compiled.name}.{os.getpid()}.part")
    try:
        compiled.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, compiled)
        for old in compiled.parent.glob(f"{compiled.name.rsplit('-', 2)[0]}-*.mo"):
            if old != compiled:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only or full disk, or no folder there: the catalogue works from memory
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
