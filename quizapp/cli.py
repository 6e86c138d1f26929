"""The `quizapp` command: the TUI by default, plus validate, schema and engine."""
from __future__ import annotations

import os

# One BLAS thread: the engine's matrices are tiny, and on two busy cores more threads
# make a lab's forward pass many times slower. Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import sys
from pathlib import Path

from quizapp import __version__
from quizapp.locations import user_pack_dir
from quizapp.options import Options


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp",
        description="Exam prep for LLM fundamentals: multiple-choice practice in the terminal, "
                    "with labs that run a real small transformer and PPO.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "commands:\n"
            "  quizapp validate [--strict] [--no-engine] PATH...   check packs (and their evidence claims)\n"
            "  quizapp schema                        print the JSON Schema of the pack format\n"
            "  quizapp stats [--json]                your progress per pack, topic and question\n"
            "  quizapp import {gift,aiken,moodle-xml} FILE [-o OUT.yaml]   make a pack from Moodle questions\n"
            "  quizapp export {gift,aiken,moodle-xml,anki} PACK [-o FILE]  for Moodle or Anki\n"
            "  quizapp export apkg PACK [-o DECK.apkg]   an Anki deck: a sub-deck per topic, re-import updates\n"
            "  quizapp results export [-o FILE]      your answers as JSON Lines, for your instructor\n"
            "  quizapp report RESULTS... [--html OUT]   item analysis of a class's results (instructors)\n"
            "  quizapp preview PACK                  author mode: every question with its key, reloads on save\n"
            "  quizapp engine COMMAND ...            run engine probes and training (quizapp engine -h)\n"
            "\n"
            f"user pack folder (packs here load on every start):\n  {user_pack_dir()}\n"
            "  (set QUIZAPP_HOME to move it)"
        ),
    )
    parser.add_argument("--pack", action="append", default=[], metavar="PATH", type=Path,
                        help="load a pack file or folder and select it (repeatable)")
    parser.add_argument("--topic", action="append", default=[], metavar="ID",
                        help="select only this topic at launch (repeatable)")
    parser.add_argument("--count", type=_positive, default=10, metavar="N", help="questions per session (default 10)")
    parser.add_argument("--seed", type=_seed, default=None, metavar="N",
                        help="shuffle questions and choices reproducibly")
    parser.add_argument("--lang", default=None, metavar="LANG",
                        help="show questions in this translation where the pack has one (e.g. de)")
    parser.add_argument("--version", action="version", version=f"quizapp {__version__}")
    return parser


def _validate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="quizapp validate", description="Check question packs.")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-engine", action="store_true",
                        help="do not run the engine: skip calculated combinations and evidence claims")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="pack files or folders")
    ns = parser.parse_args(argv)
    from question_bank.validate import validate_main
    return validate_main(ns.paths, strict=ns.strict, engine=not ns.no_engine)


def _schema(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="quizapp schema", description="Print the JSON Schema of the pack format.").parse_args(argv)
    from question_bank.schema import json_schema
    json.dump(json_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _engine(argv: list[str]) -> int:
    from engine.cli import main as engine_main
    return engine_main(argv, prog="quizapp engine")


def _stats(argv: list[str]) -> int:
    from quizapp.study.stats import stats_main
    return stats_main(argv)


def _import(argv: list[str]) -> int:
    from quizapp.instructor_cli import import_main
    return import_main(argv)


def _export(argv: list[str]) -> int:
    from quizapp.instructor_cli import export_main
    return export_main(argv)


def _results(argv: list[str]) -> int:
    from quizapp.results.cli import results_main
    return results_main(argv)


def _report(argv: list[str]) -> int:
    from quizapp.results.cli import report_main
    return report_main(argv)


def _preview(argv: list[str]) -> int:
    from quizapp.authoring.preview_cli import preview_main
    return preview_main(argv)


COMMANDS = {"validate": _validate, "schema": _schema, "engine": _engine, "stats": _stats,
            "import": _import, "export": _export, "results": _results, "report": _report, "preview": _preview}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        return _main(args)
    except BrokenPipeError:  # `quizapp schema | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: one line and a report file, never a traceback
        from quizapp.crash import report_crash
        print(report_crash(error, args), file=sys.stderr)
        return 1


def _main(argv: list[str]) -> int:
    try:
        if argv and argv[0] in COMMANDS:
            return COMMANDS[argv[0]](argv[1:])
        ns = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse's usage errors exit with 2, --help with 0
        return int(exit_.code or 0)
    from quizapp.catalog import load_catalog, missing_pack_error
    error = missing_pack_error("quizapp", ns.pack)
    if error:
        print(error, file=sys.stderr)
        return 2
    options = Options(packs=tuple(ns.pack), topics=tuple(ns.topic), count=ns.count, seed=ns.seed, lang=ns.lang)
    catalog = load_catalog(list(options.packs), options.user_packs)
    known = {t.id for p in catalog.packs for t in p.topics}
    unknown = [t for t in options.topics if t not in known]
    if unknown:
        print(f"quizapp: error: no topic {', '.join(map(repr, unknown))} in the loaded packs "
              f"(topics: {', '.join(sorted(known)) or 'none'})", file=sys.stderr)
        return 2
    from quizapp.progress.db import StoreError, open_store
    try:
        store = open_store()
    except StoreError as error:
        print(f"quizapp: error: {error}", file=sys.stderr)
        return 1
    from quizapp.app import QuizApp
    try:
        QuizApp(catalog, options, store).run()
    finally:
        store.close()
    return 0
