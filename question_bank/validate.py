"""`quizapp validate`: check packs and print every problem the way compilers do."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from engine.texts import _, ngettext
from question_bank.loader import PACK_FILE, YAML_SUFFIXES, load_packs
from question_bank.source import MAX_FILE_BYTES, read_regular

# A standalone YAML file found while searching a folder is a pack when its top level starts one.
_PACK_START = re.compile(r"^[\"']?(?:format|pack)[\"']?\s*:", re.MULTILINE)


def validate_main(paths: list[str], strict: bool = False, out: TextIO | None = None, err: TextIO | None = None,
                  engine: bool = True) -> int:
    """Validate packs at `paths`: 0 when clean, 1 on errors (or warnings when strict), 2 on usage errors.

    With `engine` (the default) calculated questions are drawn in every combination and
    every live block with a caption or claims is run and checked against the engine."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not paths:
        print(_("quizapp validate: name at least one pack file or folder"), file=err)
        return 2
    targets: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            print(_("quizapp validate: no such file or folder: {path}").format(path=given), file=err)
            return 2
        found = pack_paths_at(path)
        if not found:
            print(_("quizapp validate: no packs found in {path}").format(path=given), file=err)
            return 2
        targets += [p for p in found if p not in targets]
    results = load_packs(targets, run_calculations=engine, check_evidence=engine)
    for result in results:
        for problem in result.problems:
            print(problem, file=out)
    errors = sum(len(r.errors) for r in results)
    warnings = sum(len(r.warnings) for r in results)
    questions = sum(len(r.pack.questions) for r in results if r.pack is not None)
    print(summary(len(results), questions, errors, warnings), file=err)
    return 1 if errors or (strict and warnings) else 0


def pack_paths_at(path: Path, _seen: set[Path] | None = None) -> list[Path]:
    """The path itself when it is a pack, else every pack found in the folder tree below it.

    Anything that is not a folder (a file, a FIFO, a device) is returned as is, for
    the loader to read or refuse; folders reached twice through links are walked once.
    """
    if not path.is_dir() or os.path.lexists(path / PACK_FILE):
        return [path]
    seen = _seen if _seen is not None else set()
    real = path.resolve()
    if real in seen:
        return []
    seen.add(real)
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return [path]  # the loader says why the folder cannot be read
    found: list[Path] = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found += pack_paths_at(entry, seen)
        elif entry.suffix in YAML_SUFFIXES and _starts_a_pack(entry):
            found.append(entry)
    return found


def _starts_a_pack(path: Path) -> bool:
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except OSError:
        return True  # not a regular file, or unreadable: the loader reports why
    return bool(_PACK_START.search(data.decode("utf-8", errors="replace")))


def summary(packs: int, questions: int, errors: int, warnings: int) -> str:
    """"1 pack, 12 questions: 0 errors, 2 warnings" in the interface language."""
    return _("{packs}, {questions}: {errors}, {warnings}").format(
        packs=ngettext("{n} pack", "{n} packs", packs).format(n=packs),
        questions=ngettext("{n} question", "{n} questions", questions).format(n=questions),
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m question_bank.validate",
                                     description=_("Check question packs and print every problem."))
    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("a pack file, a pack folder, or a folder of packs"))
    parser.add_argument("--strict", action="store_true", help=_("fail on warnings too"))
    parser.add_argument("--no-engine", action="store_true", help=_("do not run probes (calculations, evidence)"))
    args = parser.parse_args(argv)
    return validate_main(args.paths, args.strict, engine=not args.no_engine)


if __name__ == "__main__":
    sys.exit(main())
