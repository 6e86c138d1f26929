"""The `quizapp` command: the TUI by default (line by line with --plain or through a pipe),
plus serve, validate, schema, stats, import, export and engine."""
from __future__ import annotations

import os

# One BLAS thread: the engine's matrices are tiny, and on two busy cores more threads
# make a lab's forward pass many times slower. Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import json
import sys

from quizapp import __version__, i18n
from quizapp.i18n import N_, _
from quizapp.locations import pack_cache_dir, user_pack_dir
from quizapp.cli_args import add_selection, percent_arg, positive
from quizapp.options import MODES, Options

# argparse's own texts (usage, headings, errors), looked up through our catalogue: see install_argparse().
ARGPARSE_TEXTS = (
    N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("%(prog)s: error: %(message)s\n"), N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"), N_("expected at least one argument"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("not allowed with argument %s"),
)


def install_argparse() -> None:
    """argparse translates its texts with gettext's global domain; point it at our catalogue."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp",
        description=_("Exam prep for LLM fundamentals: multiple-choice practice in the terminal, "
                      "with labs that run a real small transformer and PPO."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
        epilog=_(
            "commands:\n"
            "  quizapp serve [--host H] [--port P]   the same app in a web browser\n"
            "  quizapp validate [--strict] [--no-engine] PATH...   check packs (and their evidence claims)\n"
            "  quizapp schema                        print the JSON Schema of the pack format\n"
            "  quizapp stats [--json]                your progress per pack, topic and question\n"
            "  quizapp import {{gift,aiken,moodle-xml}} FILE [-o OUT.yaml]   make a pack from Moodle questions\n"
            "  quizapp export {{gift,aiken,moodle-xml,anki}} PACK [-o FILE]  for Moodle or Anki\n"
            "  quizapp export apkg PACK [-o DECK.apkg]   an Anki deck: a sub-deck per topic, re-import updates\n"
            "  quizapp results export [-o FILE]      your answers as JSON Lines, for your instructor\n"
            "  quizapp report RESULTS... [--html OUT]   item analysis of a class's results (instructors)\n"
            "  quizapp preview PACK                  author mode: every question with its key, reloads on save\n"
            "  quizapp engine COMMAND ...            run engine probes and training (quizapp engine -h)\n"
            "\n"
            "user pack folder (packs here load on every start):\n  {folder}\n"
            "  (set QUIZAPP_HOME to move it)").format(folder=user_pack_dir()),
    )
    parser.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))
    add_selection(parser)
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--plain", action="store_true",
                       help=_("line by line on standard input and output, for screen readers and pipes "
                              "(the default when standard output is not a terminal)"))
    shown.add_argument("--tui", action="store_true", help=_("the full-screen app even through a pipe"))
    parser.add_argument("--mode", choices=MODES, default="practice",
                        help=_("with --plain: practice (default), review (due today), drill (weak topics) "
                               "or a timed exam"))
    parser.add_argument("--minutes", type=positive, default=30, metavar="N",
                        help=_("with --plain --mode exam: the time limit (default 30)"))
    parser.add_argument("--pass-mark", type=percent_arg, default=60, metavar="PERCENT",
                        help=_("with --plain --mode exam: the pass mark in percent (default 60)"))
    parser.add_argument("--version", action="version", version=f"quizapp {__version__}",
                        help=_("show program's version number and exit"))
    return parser


def _validate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="quizapp validate", description=_("Check question packs."))
    parser.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
    parser.add_argument("--no-engine", action="store_true",
                        help=_("do not run the engine: skip calculated combinations and evidence claims"))
    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("pack files or folders"))
    ns = parser.parse_args(argv)
    from question_bank.validate import validate_main
    return validate_main(ns.paths, strict=ns.strict, engine=not ns.no_engine)


def _schema(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="quizapp schema",
                            description=_("Print the JSON Schema of the pack format.")).parse_args(argv)
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


def _serve(argv: list[str]) -> int:
    from quizapp.serve import serve_main
    return serve_main(argv)


COMMANDS = {"validate": _validate, "schema": _schema, "engine": _engine, "stats": _stats,
            "import": _import, "export": _export, "results": _results, "report": _report, "preview": _preview,
            "serve": _serve}


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


def asked_language(argv: list[str]) -> str | None:
    """--lang's value, read before the parser is built so that --help is in that language."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def without_leading_language(argv: list[str]) -> list[str]:
    """argv without a --lang option given before a subcommand (start_language has read it)."""
    if argv[:1] == ["--lang"]:
        return argv[2:]
    if argv and argv[0].startswith("--lang="):
        return argv[1:]
    return argv


# Commands with a --lang of their own (the pack's or the export's language; serve passes it on): theirs stays theirs.
OWN_LANG = frozenset({"import", "export", "serve", "engine"})


def without_language(argv: list[str]) -> list[str]:
    """The arguments without --lang and its value."""
    kept: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if arg == "--":
            return kept + argv[i:]
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            kept.append(arg)
    return kept


def command_line(argv: list[str]) -> list[str]:
    """What a command gets: every command takes --lang before its name (`quizapp --lang de validate PACK`),
    and after it unless it has a --lang of its own; the language is set before the command runs."""
    rest = without_leading_language(argv)
    if rest and rest[0] in COMMANDS and rest[0] not in OWN_LANG:
        return rest[:1] + without_language(rest[1:])
    return rest


def start_language(argv: list[str]) -> str:
    """Set the interface language: --lang, else the saved setting, else the system locale."""
    from quizapp import settings
    lang = i18n.choose_language(asked_language(argv), settings.get("lang"))
    i18n.set_language(lang)
    install_argparse()
    return lang


def _main(argv: list[str]) -> int:
    lang = start_language(argv)
    try:
        command = command_line(argv)  # `quizapp --lang de engine ...` as well
        if command and command[0] in COMMANDS:
            return COMMANDS[command[0]](command[1:])
        parser = build_parser()
        ns = parser.parse_args(argv)
        plain = ns.plain or (not ns.tui and not sys.stdout.isatty() and "TEXTUAL_DRIVER" not in os.environ)
        if not plain and (ns.mode != "practice" or "--minutes" in argv or "--pass-mark" in argv):
            parser.error(_("--mode, --minutes and --pass-mark are for --plain; the full-screen app "
                           "offers every mode on its home screen"))
    except SystemExit as exit_:  # argparse's usage errors exit with 2, --help with 0
        return int(exit_.code or 0)
    # Until the home screen is painted (QuizApp turns it back on), the collector only costs time: the
    # start-up builds modules, packs and widgets that all live as long as the app.
    gc.disable()
    try:
        return _start(ns, lang, plain)
    finally:
        gc.enable()


def _start(ns: argparse.Namespace, lang: str | None, plain: bool) -> int:
    from quizapp.catalog import load_catalog, missing_pack_error
    error = missing_pack_error("quizapp", ns.pack)
    if error:
        print(error, file=sys.stderr)
        return 2
    count = ns.count or (20 if ns.mode == "exam" else 10)
    options = Options(packs=tuple(ns.pack), topics=tuple(ns.topic), count=count, seed=ns.seed, lang=lang)
    catalog = load_catalog(list(options.packs), options.user_packs, pack_cache_dir())
    known = {t.id for p in catalog.summaries for t in p.topics}
    unknown = [t for t in options.topics if t not in known]
    if unknown:
        print(_("quizapp: error: no topic {unknown} in the loaded packs (topics: {known})").format(
            unknown=", ".join(map(repr, unknown)), known=", ".join(sorted(known)) or _("none")), file=sys.stderr)
        return 2
    from quizapp.progress.db import StoreError, open_store
    try:
        store = open_store()
    except StoreError as error:
        print(_("quizapp: error: {error}").format(error=error), file=sys.stderr)
        return 1
    try:
        if plain:
            gc.enable()  # a line-by-line session has no first screen to hurry
            from quizapp.plain.run import PlainSettings, run_plain
            return run_plain(catalog, options, store,
                             PlainSettings(ns.mode, ns.minutes * 60, ns.pass_mark / 100))
        from quizapp.app import QuizApp
        # Textual writes each frame from its output thread, which waits for the interpreter lock while
        # this thread works on: at the default 5 ms between switches, the first frame reached the
        # terminal a median 4.8 ms after it was made; at 1 ms, 1.7 ms.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.001)
        gc.freeze()  # what is loaded so far stays for the whole run: no later collection needs to scan it
        app = QuizApp(catalog, options, store)
        try:
            app.run()
        finally:
            sys.setswitchinterval(switch_interval)
    finally:
        store.close()
    return app.return_code or 0  # 1 after a bug inside the app (its one line is printed by then)
