"""Writing a file so that it is either the old one or the whole new one, never a mix.

    write_atomic(path, text)                    # settings, exports
    write_atomic(path, text, check=refuse_bad)  # imports: check the written file before it replaces anything
    with atomic_open(path, binary=True) as f:   # streamed or binary output (results, reports, decks)
        f.write(data)

The text goes to a temporary file in the same folder (so the rename cannot
cross file systems), is flushed and fsynced, then renamed over `path`. A full
disk, a crash or a failed check leaves the old file as it was and no
temporary file behind. `why(error)` turns an OSError into the few words a
one-line message needs.
"""
from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable

from quizapp.i18n import N_, _

_REASONS = {
    errno.ENOSPC: N_("the disk is full"),
    errno.EDQUOT: N_("the disk quota is used up"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EROFS: N_("the file system is read-only"),
    errno.ENOENT: N_("the folder does not exist"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENAMETOOLONG: N_("the name is too long"),
}


def why(error: OSError) -> str:
    """A few words on why a file operation failed, for a one-line message."""
    reason = _REASONS.get(error.errno or 0)
    return _(reason) if reason else error.strerror or str(error)


def output_problem(path: Path) -> str | None:
    """Why `path` cannot be written as a file, found before any work is done; None when it looks fine."""
    if path.is_dir():
        return _("{path} is a folder; name a file").format(path=path)
    parent = path.parent
    if not parent.is_dir():
        return (_("the folder {folder} does not exist") if not parent.exists() else
                _("{folder} is not a folder")).format(folder=parent)
    return None


@contextmanager
def atomic_open(path: Path, binary: bool = False, *, suffix: str = ".tmp",
                check: Callable[[Path], None] | None = None) -> Iterator[IO[Any]]:
    """Yield an open temporary file; on a clean exit it replaces `path`, on an error it is removed.

    `check(temporary_path)` runs on the complete temporary file (named with `suffix`)
    before the rename; whatever it raises leaves `path` untouched. OSError when the
    file cannot be written, as open() would raise it.
    """
    target = Path(os.path.realpath(path))  # write through a symlink, keep the link
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as f:
            os.fchmod(f.fileno(), _mode_for(target))
            yield f
            f.flush()
            os.fsync(f.fileno())
        if check is not None:
            check(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def write_atomic(path: Path, text: str, *, suffix: str = ".tmp",
                 check: Callable[[Path], None] | None = None) -> None:
    """Replace `path` with `text` (UTF-8) all at once (see atomic_open)."""
    with atomic_open(path, suffix=suffix, check=check) as f:
        f.write(text)


def _mode_for(target: Path) -> int:
    """The old file's permissions, or what a new file gets under the umask (mkstemp's 0600 is too tight)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system lets a folder be opened, and that is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
