"""The German catalogue for gettext: its .po source compiled by babel, the compiled copy kept in the cache folder.

The repository and the wheel hold the .po text only, so there is no build step and no compiled
file to keep in step. Compiling it costs some 30 ms, on the path to the first screen of every
German start, so the compiled .mo is kept in the cache folder, named after the .po's size and
time of change, and compiled again when that changes or the copy is damaged.
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path


def compile_po(text: str) -> bytes:
    """The GNU .mo image of a .po text; fuzzy entries are left out, as msgfmt does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.StringIO(text)))
    return compiled.getvalue()


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
    data = compile_po(path.read_text(encoding="utf-8"))
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
