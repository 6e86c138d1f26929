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
from quizapp.i18n import _, ngettext

IMPORT, EXPORT = "quizapp import", "quizapp export"  # the prefix of every message (a command's name)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors exit with 2, --help with 0
        return int(exit_.code or 0)


def import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp import",
        description=_("Turn a Moodle GIFT, Aiken or Moodle XML file into a question pack (format 1). Question kinds "
                      "a pack cannot hold are skipped with a warning naming their line."))
    parser.add_argument("format", choices=("gift", "aiken", "moodle-xml"), help=_("the file's format"))
    parser.add_argument("file", type=Path, metavar="FILE", help=_("the file to import"))
    parser.add_argument("-o", "--output", type=Path, metavar="OUT.yaml",
                        help=_("where to write the pack (default: FILE with .yaml, never overwritten without --force)"))
    parser.add_argument("--pack-id", metavar="ID", help=_("the pack's id (default: from the file name)"))
    parser.add_argument("--title", metavar="TITLE", help=_("the pack's title (default: from the file name)"))
    parser.add_argument("--topic", metavar="ID",
                        help=_("topic for questions outside any category (default: general; Aiken has no categories)"))
    parser.add_argument("--lang", metavar="LANG",
                        help=_("the pack's language, e.g. de (default en); true/false questions get its words for "
                               "True and False (and the messages are in that language where quizapp has it)"))
    parser.add_argument("--force", action="store_true", help=_("overwrite the default output file if it exists"))
    return parser


def import_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    ns = _parse(import_parser(), argv)
    if isinstance(ns, int):
        return ns

    def fail(message: str, status: int = 1) -> int:
        print(f"{IMPORT}: {message}", file=err)
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
        return fail(_("--pack-id '{id}' must be lowercase letters, digits and '-'").format(id=ns.pack_id), 2)
    topic = DEFAULT_TOPIC
    if ns.topic is not None:
        if not slugify(ns.topic) == ns.topic:
            return fail(_("--topic '{id}' must be lowercase letters, digits and '-'").format(id=ns.topic), 2)
        topic = Topic(ns.topic, ns.topic.replace("-", " ").capitalize())
    language = ns.lang or "en"
    if not LANGUAGE_TAG.fullmatch(language):
        return fail(_("--lang '{tag}' is not a language tag like 'de' or 'pt-BR'").format(tag=language), 2)
    source: Path = ns.file
    if not source.exists():
        return fail(_("no such file: {path}").format(path=source), 2)
    target: Path = ns.output or source.with_suffix(".yaml")
    if target.resolve() == source.resolve():
        return fail(_("the output {path} is the input file; name another with -o").format(path=target), 2)
    if ns.output is None and target.exists() and not ns.force:
        return fail(_("{path} exists; name the output with -o or pass --force to overwrite it").format(path=target))
    if problem := output_problem(target):
        return fail(_("cannot write the pack: {reason}").format(reason=problem), 2)
    limit = MAX_XML_IMPORT_BYTES if ns.format == "moodle-xml" else MAX_TEXT_IMPORT_BYTES
    try:
        data = read_regular(source, limit)
    except OSError as exc:
        return fail(_("cannot read {path}: {reason}").format(path=source, reason=exc if exc.errno is None else why(exc)))
    if len(data) > limit:
        size = max(len(data), source.stat().st_size)
        return fail(_("{path} is {size} bytes, over the limit of {limit} for a {format} file; split it into smaller "
                      "files and import each").format(path=source, size=f"{size:,}", limit=f"{limit:,}",
                                                      format=ns.format))
    shown = str(source)
    media = media_folder_of(target)
    if ns.format == "moodle-xml":
        result = moodle_xml.parse(data, shown, ns.pack_id, ns.title, topic, language=language, media_folder=media.name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            return fail(_("{path}:{line}:1: error: not valid UTF-8 (byte 0x{byte}); save the file as UTF-8").format(
                path=shown, line=line, byte=f"{data[exc.start]:02x}"))
        if ns.format == "gift":
            result = gift.parse(text, shown, ns.pack_id, ns.title, topic, language=language, media_folder=media.name)
        else:
            result = aiken.parse(text, shown, ns.pack_id, ns.title, topic, language=language)
    if ns.lang and true_false_words(language) is None:
        print(f"{IMPORT}: " + _("note: no words for True and False in '{tag}': true/false questions keep the English "
                                "ones").format(tag=language), file=err)
    for problem in result.problems:
        print(problem, file=err)
    if result.errors or result.pack is None:
        n = len(result.errors)
        return fail(ngettext("{n} error in {path}; nothing written", "{n} errors in {path}; nothing written", n).format(
            n=n, path=shown))
    if not result.pack.questions:
        return fail(_("no question in {path} fits a pack ({summary}); nothing written").format(
            path=shown, summary=result.summary()))
    comment = (f"Imported from {source.name} ({ns.format}) by `quizapp import`.\n"
               "Check it with `quizapp validate`; the format is described in docs/INSTRUCTORS.md.")
    text = pack_yaml(result.pack, comment)
    try:
        check_pack_size(result.pack, text)
    except PackTooLarge as exc:
        return fail(_("{reason}; nothing written").format(reason=exc))
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
        return fail(_("the generated pack does not load (a bug in the importer, please report it); nothing written"))
    except OSError as exc:
        return fail(_("cannot write {path}: {reason}; nothing written").format(path=target, reason=why(exc)))
    print(result.summary(), file=out)
    if result.media:
        print(ngettext("wrote {n} embedded file into {folder}", "wrote {n} embedded files into {folder}",
                       len(result.media)).format(n=len(result.media), folder=media), file=out)
    print(_("wrote {path}").format(path=target), file=out)
    return 0


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp export",
        description=_("Write a question pack as Moodle GIFT, Aiken or Moodle XML, as an Anki notes file (anki), or as "
                      "an Anki deck package (apkg: a deck per pack, a sub-deck per topic; re-importing updates the "
                      "notes)."))
    parser.add_argument("format", choices=("gift", "aiken", "moodle-xml", "anki", "apkg"),
                        help=_("the format to write"))
    parser.add_argument("pack", metavar="PACK", help=_("a pack file or folder, or the id of a bundled pack"))
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help=_("where to write (default: standard output; apkg: PACK-ID.apkg here)"))
    parser.add_argument("--calculated", choices=("draw", "skip"), default="draw",
                        help=_("calculated questions: export one drawn instance each (default) or skip them"))
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help=_("seed for drawing calculated questions (default 0: the same file every time)"))
    parser.add_argument("--lang", metavar="LANG",
                        help=_("export this translation where a question has one (apkg holds every language); the "
                               "messages follow it where quizapp has that language"))
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
        print(f"{EXPORT}: " + _("cannot write the export: {reason}").format(reason=problem), file=err)
        return 2
    pack, message, status = open_pack(EXPORT, ns.pack)
    if pack is None:
        print(message, file=err)
        return status
    if ns.format == "apkg":
        return _export_apkg(pack, ns, err)
    exporter = {"gift": gift.export, "aiken": aiken.export, "moodle-xml": moodle_xml.export,
                "anki": anki.export}[ns.format]
    text, notes = exporter(pack, calculated=ns.calculated, seed=ns.seed, lang=ns.lang)
    for note in notes:
        print(f"{EXPORT}: " + _("note: {note}").format(note=note), file=err)
    if ns.output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        out.flush()
    else:
        try:
            write_atomic(ns.output, text)
        except OSError as exc:
            print(f"{EXPORT}: " + _("cannot write {path}: {reason}; nothing written").format(path=ns.output,
                                                                                           reason=why(exc)), file=err)
            return 1
        print(_("wrote {path}").format(path=ns.output), file=err)
    return 0


def _export_apkg(pack: Pack, ns: argparse.Namespace, err: TextIO) -> int:
    from question_bank.interchange.apkg import build_package, write_apkg

    target: Path = ns.output or Path(f"{pack.id}.apkg")
    if problem := output_problem(target):
        print(f"{EXPORT}: " + _("cannot write the export: {reason}").format(reason=problem), file=err)
        return 2
    package, notes = build_package(pack, calculated=ns.calculated, seed=ns.seed)
    for note in notes:
        print(f"{EXPORT}: " + _("note: {note}").format(note=note), file=err)
    try:
        with atomic_open(target, binary=True) as f:
            write_apkg(package, f)
    except OSError as exc:
        print(f"{EXPORT}: " + _("cannot write {path}: {reason}; nothing written").format(path=target, reason=why(exc)),
              file=err)
        return 1
    count = sum(len(deck.notes) for deck in package.decks)
    decks = len(package.decks) - 1
    print(ngettext("wrote {path}: {notes} in {n} topic deck", "wrote {path}: {notes} in {n} topic decks", decks).format(
        path=target, n=decks, notes=ngettext("{n} note", "{n} notes", count).format(n=count)), file=err)
    return 0


class _Refused(Exception):
    """The written pack does not load: it must not replace anything."""
