"""A PACK argument on the command line: a pack file or folder, or the name of a bundled or user pack."""
from __future__ import annotations

from pathlib import Path

from question_bank.loader import LoadResult, bundled_pack_paths, load_pack
from question_bank.models import Pack
from quizapp.catalog import user_pack_paths
from quizapp.i18n import _, ngettext
from quizapp.locations import user_pack_dir


def named_packs() -> dict[str, Path]:
    """Bundled packs and the user's packs by file or folder name (a user pack of the same name wins)."""
    paths = [*bundled_pack_paths(), *user_pack_paths(user_pack_dir())]
    return {(p.stem if p.is_file() else p.name): p for p in paths}


def pack_path(arg: str) -> Path | None:
    path = Path(arg)
    return path if path.exists() else named_packs().get(arg)


def no_such_pack(prog: str, arg: str) -> str:
    names = sorted(named_packs())
    if not names:
        return _("{prog}: no such pack file or folder: {arg}").format(prog=prog, arg=arg)
    return _("{prog}: no such pack file or folder: {arg} (packs by name: {names})").format(
        prog=prog, arg=arg, names=", ".join(names))


def not_valid(prog: str, arg: str, result: LoadResult) -> str:
    first = result.errors[0] if result.errors else _("unknown problem")
    n = len(result.errors)
    return ngettext("{prog}: {arg} is not a valid pack ({n} error; first: {first}); run `quizapp validate {arg}` to "
                    "see them all",
                    "{prog}: {arg} is not a valid pack ({n} errors; first: {first}); run `quizapp validate {arg}` to "
                    "see them all", n).format(prog=prog, arg=arg, n=n, first=first)


def open_pack(prog: str, arg: str) -> tuple[Pack | None, str, int]:
    """The loaded pack; or None, the one-line error and the exit status (2: not found, 1: invalid)."""
    path = pack_path(arg)
    if path is None:
        return None, no_such_pack(prog, arg), 2
    result = load_pack(path)
    if result.pack is None:
        return None, not_valid(prog, arg, result), 1
    return result.pack, "", 0
