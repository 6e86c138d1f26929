"""The packs a run offers: bundled, from the user's pack folder and from --pack, good and broken."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from question_bank.loader import Problem, bundled_pack_paths, load_packs
from question_bank.models import Pack


@dataclass(frozen=True)
class BrokenPack:
    path: str
    first_error: Problem


@dataclass(frozen=True)
class Catalog:
    packs: tuple[Pack, ...]
    broken: tuple[BrokenPack, ...]
    requested: tuple[str, ...]  # ids of the packs given with --pack, in order

    def pack(self, pack_id: str) -> Pack | None:
        return next((p for p in self.packs if p.id == pack_id), None)


def missing_pack_error(prog: str, paths: list[Path]) -> str | None:
    """The one-line error for --pack paths that do not exist, or None when all do."""
    missing = [str(p) for p in paths if not p.exists()]
    return f"{prog}: error: no such pack file or folder: {', '.join(missing)}" if missing else None


def user_pack_paths(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if (p.is_dir() and (p / "pack.yaml").is_file()) or p.suffix in (".yaml", ".yml"))


def load_catalog(extra: list[Path], user_folder: Path | None) -> Catalog:
    """Load every pack; a broken one is kept aside with its first error and never stops the others."""
    paths = [Path(str(p)) for p in bundled_pack_paths()]
    if user_folder is not None:
        paths += user_pack_paths(user_folder)
    first_extra = len(paths)
    paths += extra
    packs, broken, requested = [], [], []
    for i, result in enumerate(load_packs(paths)):
        if result.pack is not None and not result.errors:
            packs.append(result.pack)
            if i >= first_extra:
                requested.append(result.pack.id)
        else:
            broken.append(BrokenPack(str(paths[i]), result.errors[0]))
    return Catalog(tuple(packs), tuple(broken), tuple(requested))
