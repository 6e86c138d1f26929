"""`quizapp import` and `quizapp export`: exchange questions with Moodle and Anki.

    quizapp import {gift,aiken,moodle-xml} FILE [-o OUT.yaml] [--pack-id ID] [--title TITLE] [--topic ID] [--lang LANG]
    quizapp export {gift,aiken,moodle-xml,anki} PACK [-o FILE] [--calculated draw|skip] [--seed N] [--lang LANG]
    quizapp export apkg PACK [-o DECK.apkg] [--calculated draw|skip] [--seed N]

An import writes a pack only when the loader accepts it; problems are printed
the way `quizapp validate` prints them (file:line:col). Every output is written
atomically (quizapp.files): a full disk or a refused pack leaves an existing
file as it was. Files embedded in the source are written into OUT.media/ beside
the pack. Exit status: 0 done, 1 errors (nothing written), 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from question_bank.models import Pack

from quizapp.files import atomic_open, output_problem, why, write_atomic


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors exit with 2, --help with 0
        return int(exit_.code or 0)


def import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp import",
        description="Turn a Moodle GIFT, Aiken or Moodle XML file into a question pack (format 1). "
                    "Question kinds a pack cannot hold are skipped with a warning naming their line.")
    parser.add_argument("format", choices=("gift", "aiken", "moodle-xml"), help="the file's format")
    parser.add_argument("file", type=Path, metavar="FILE", help="the file to import")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT.yaml",
                        help="where to write the pack (default: FILE with .yaml, never overwritten without --force)")
    parser.add_argument("--pack-id", metavar="ID", help="the pack's id (default: from the file name)")
    parser.add_argument("--title", metavar="TITLE", help="the pack's title (default: from the file name)")
    parser.add_argument("--topic", metavar="ID",
                        help="topic for questions outside any category (default: general; Aiken has no categories)")
    parser.add_argument("--lang", metavar="LANG",
                        help="the pack's language, e.g. de (default en); true/false questions get its words for "
                             "True and False")
    parser.add_argument("--force", action="store_true", help="overwrite the default output file if it exists")
    return parser


def import_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    ns = _parse(import_parser(), argv)
    if isinstance(ns, int):
        return ns

    def fail(message: str, status: int = 1) -> int:
        print(f"quizapp import: {message}", file=err)
        return status

    from question_bank.interchange import aiken, gift, moodle_xml
    from question_bank.interchange.common import (DEFAULT_TOPIC, MAX_TEXT_IMPORT_BYTES, MAX_XML_IMPORT_BYTES,
                                                  PackTooLarge, check_pack_size, media_folder_of, pack_file_errors,
                                                  pack_yaml, slugify)
    from question_bank.interchange.grades import true_false_words
    from question_bank.interchange.media import write_media
    from question_bank.loader import LANGUAGE_TAG, PACK_ID
    from question_bank.models import Topic
    from question_bank.source import read_regular

    if ns.pack_id is not None and not PACK_ID.fullmatch(ns.pack_id):
        return fail(f"--pack-id '{ns.pack_id}' must be lowercase letters, digits and '-'", 2)
    topic = DEFAULT_TOPIC
    if ns.topic is not None:
        if not slugify(ns.topic) == ns.topic:
            return fail(f"--topic '{ns.topic}' must be lowercase letters, digits and '-'", 2)
        topic = Topic(ns.topic, ns.topic.replace("-", " ").capitalize())
    language = ns.lang or "en"
    if not LANGUAGE_TAG.fullmatch(language):
        return fail(f"--lang '{language}' is not a language tag like 'de' or 'pt-BR'", 2)
    source: Path = ns.file
    if not source.exists():
        return fail(f"no such file: {source}", 2)
    target: Path = ns.output or source.with_suffix(".yaml")
    if target.resolve() == source.resolve():
        return fail(f"the output {target} is the input file; name another with -o", 2)
    if ns.output is None and target.exists() and not ns.force:
        return fail(f"{target} exists; name the output with -o or pass --force to overwrite it")
    if problem := output_problem(target):
        return fail(f"cannot write the pack: {problem}", 2)
    limit = MAX_XML_IMPORT_BYTES if ns.format == "moodle-xml" else MAX_TEXT_IMPORT_BYTES
    try:
        data = read_regular(source, limit)
    except OSError as exc:
        return fail(f"cannot read {source}: {exc if exc.errno is None else why(exc)}")
    if len(data) > limit:
        size = max(len(data), source.stat().st_size)
        return fail(f"{source} is {size:,} bytes, over the limit of {limit:,} for a {ns.format} file; "
                    "split it into smaller files and import each")
    shown = str(source)
    media = media_folder_of(target)
    if ns.format == "moodle-xml":
        result = moodle_xml.parse(data, shown, ns.pack_id, ns.title, topic, language=language, media_folder=media.name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            return fail(f"{shown}:{line}:1: error: not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                        "save the file as UTF-8")
        if ns.format == "gift":
            result = gift.parse(text, shown, ns.pack_id, ns.title, topic, language=language, media_folder=media.name)
        else:
            result = aiken.parse(text, shown, ns.pack_id, ns.title, topic, language=language)
    if ns.lang and true_false_words(language) is None:
        print(f"quizapp import: note: no words for True and False in '{language}': true/false questions "
              "keep the English ones", file=err)
    for problem in result.problems:
        print(problem, file=err)
    if result.errors or result.pack is None:
        n = len(result.errors)
        return fail(f"{n} error{'s' if n != 1 else ''} in {shown}; nothing written")
    if not result.pack.questions:
        return fail(f"no question in {shown} fits a pack ({result.summary()}); nothing written")
    comment = (f"Imported from {source.name} ({ns.format}) by `quizapp import`.\n"
               "Check it with `quizapp validate`; the format is described in docs/INSTRUCTORS.md.")
    text = pack_yaml(result.pack, comment)
    try:
        check_pack_size(result.pack, text)
    except PackTooLarge as exc:
        return fail(f"{exc}; nothing written")
    problems: list = []

    def refuse_broken(written: Path) -> None:
        problems.extend(pack_file_errors(written, target))
        if problems:
            raise _Refused
        if result.media:  # before the pack replaces anything, so that it never refers to files not written
            write_media(media, result.media)

    try:
        write_atomic(target, text, suffix=".yaml", check=refuse_broken)
    except _Refused:
        for problem in problems:
            print(problem, file=err)
        return fail("the generated pack does not load (a bug in the importer, please report it); nothing written")
    except OSError as exc:
        return fail(f"cannot write {target}: {why(exc)}; nothing written")
    print(result.summary(), file=out)
    if result.media:
        print(f"wrote {len(result.media)} embedded file{'s' if len(result.media) != 1 else ''} into {media}",
              file=out)
    print(f"wrote {target}", file=out)
    return 0


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp export",
        description="Write a question pack as Moodle GIFT, Aiken or Moodle XML, as an Anki notes file (anki), "
                    "or as an Anki deck package (apkg: a deck per pack, a sub-deck per topic; re-importing "
                    "updates the notes).")
    parser.add_argument("format", choices=("gift", "aiken", "moodle-xml", "anki", "apkg"), help="the format to write")
    parser.add_argument("pack", metavar="PACK", help="a pack file or folder, or the id of a bundled pack")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="where to write (default: standard output; apkg: PACK-ID.apkg here)")
    parser.add_argument("--calculated", choices=("draw", "skip"), default="draw",
                        help="calculated questions: export one drawn instance each (default) or skip them")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed for drawing calculated questions (default 0: the same file every time)")
    parser.add_argument("--lang", metavar="LANG",
                        help="export this translation where a question has one (apkg holds every language)")
    return parser


def export_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    ns = _parse(export_parser(), argv)
    if isinstance(ns, int):
        return ns
    from question_bank.interchange import aiken, anki, gift, moodle_xml
    from quizapp.pack_arg import open_pack

    if ns.output is not None and (problem := output_problem(ns.output)):
        print(f"quizapp export: cannot write the export: {problem}", file=err)
        return 2
    pack, message, status = open_pack("quizapp export", ns.pack)
    if pack is None:
        print(message, file=err)
        return status
    if ns.format == "apkg":
        return _export_apkg(pack, ns, err)
    exporter = {"gift": gift.export, "aiken": aiken.export, "moodle-xml": moodle_xml.export,
                "anki": anki.export}[ns.format]
    text, notes = exporter(pack, calculated=ns.calculated, seed=ns.seed, lang=ns.lang)
    for note in notes:
        print(f"quizapp export: note: {note}", file=err)
    if ns.output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        out.flush()
    else:
        try:
            write_atomic(ns.output, text)
        except OSError as exc:
            print(f"quizapp export: cannot write {ns.output}: {why(exc)}; nothing written", file=err)
            return 1
        print(f"wrote {ns.output}", file=err)
    return 0


def _export_apkg(pack: Pack, ns: argparse.Namespace, err: TextIO) -> int:
    from question_bank.interchange.apkg import build_package, write_apkg

    target: Path = ns.output or Path(f"{pack.id}.apkg")
    if problem := output_problem(target):
        print(f"quizapp export: cannot write the export: {problem}", file=err)
        return 2
    package, notes = build_package(pack, calculated=ns.calculated, seed=ns.seed)
    for note in notes:
        print(f"quizapp export: note: {note}", file=err)
    try:
        with atomic_open(target, binary=True) as f:
            write_apkg(package, f)
    except OSError as exc:
        print(f"quizapp export: cannot write {target}: {why(exc)}; nothing written", file=err)
        return 1
    count = sum(len(deck.notes) for deck in package.decks)
    print(f"wrote {target}: {count} note{'s' if count != 1 else ''} in {len(package.decks) - 1} topic decks",
          file=err)
    return 0


class _Refused(Exception):
    """The written pack does not load: it must not replace anything."""
