"""`quizapp results export` (learners) and `quizapp report` (instructors).

    quizapp results export [--pack ID] [--learner NAME] [-o FILE]
    quizapp report RESULTS... [--pack PATH_OR_ID] [--mode exam|practice|all] [--json] [--html OUT]

Exit status: 0 done, 1 bad input (malformed result lines are reported by file:line and left
out, the report is still written), 2 usage errors.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from quizapp.i18n import _, in_language, ngettext, num

SHOWN_PROBLEMS = 20
RESULTS, REPORT = "quizapp results", "quizapp report"  # the prefix of every message (a command's name)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors exit with 2, --help with 0
        return int(exit_.code or 0)


# --- learners: results export ---------------------------------------------------------------------

def _learner_name(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 100 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise argparse.ArgumentTypeError(_("a learner name is 1 to 100 printable characters"))
    return name


def results_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp results",
        description=_("Your answers as JSON Lines, one answer per line, for your instructor's `quizapp report`. You "
                      "appear under a random pseudonym unless you pass --learner."))
    commands = parser.add_subparsers(dest="command", required=True, metavar="export")
    export = commands.add_parser("export", help=_("write your answers as JSON Lines"),
                                 description=_("Write your answers as JSON Lines (one answer per line)."))
    export.add_argument("--pack", metavar="ID", help=_("only this pack's answers (default: every pack)"))
    export.add_argument("--learner", type=_learner_name, metavar="NAME",
                        help=_("the name to write (default: your random pseudonym, kept in the settings)"))
    export.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help=_("where to write (default: standard output)"))
    return parser


def results_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    ns = _parse(results_parser(), argv)
    if isinstance(ns, int):
        return ns
    from question_bank.loader import PACK_ID
    from quizapp.files import atomic_open
    from quizapp.locations import database_path
    from quizapp.progress.db import StoreError, open_store
    from quizapp.results.export import pseudonym, write_results

    if ns.pack is not None and not PACK_ID.fullmatch(ns.pack):
        print(f"{RESULTS}: " + _("--pack '{id}' is not a pack id (lowercase letters, digits and '-')").format(
            id=ns.pack), file=err)
        return 2
    if ns.output is not None and ns.output.is_dir():
        print(f"{RESULTS}: " + _("{path} is a folder; name a file with -o").format(path=ns.output), file=err)
        return 2
    if not database_path().is_file():
        print(f"{RESULTS}: " + _("no answers yet (no progress database at {path})").format(path=database_path()),
              file=err)
        return 1
    learner = ns.learner
    if learner is None:
        learner, warning = pseudonym()
        if warning:
            print(f"{RESULTS}: " + _("warning: {message}").format(message=warning), file=err)
    try:
        with open_store() as store:
            if store.message:  # the database could not be read and was kept aside
                print(f"{RESULTS}: " + _("warning: {message}").format(message=store.message), file=err)
            rows = store.result_rows(ns.pack)
            if ns.output is None:
                count = write_results(rows, learner, out)
                out.flush()
            else:
                with atomic_open(ns.output) as f:
                    count = write_results(rows, learner, f)
    except StoreError as error:
        print(f"{RESULTS}: {error}", file=err)
        return 1
    except OSError as error:
        print(f"{RESULTS}: " + _("cannot write {path}: {reason}").format(path=ns.output,
                                                                       reason=error.strerror or error), file=err)
        return 1
    if ns.output is None:
        print(ngettext("{n} answer written as learner '{learner}'", "{n} answers written as learner '{learner}'",
                       count).format(n=count, learner=learner), file=err)
    else:
        print(ngettext("{n} answer written to {path} as learner '{learner}'",
                       "{n} answers written to {path} as learner '{learner}'", count).format(
            n=count, path=ns.output, learner=learner), file=err)
    return 0


# --- instructors: report --------------------------------------------------------------------------

def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp report",
        description=_("Item analysis of a class's results (files from `quizapp results export`): facility, "
                      "discrimination, distractors and flags per question, topics, KR-20."))
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS",
                        help=_("result files (JSON Lines) or folders of *.jsonl files"))
    parser.add_argument("--pack", metavar="PATH_OR_ID",
                        help=_("the pack to match the answers to (default: the one the results name)"))
    parser.add_argument("--mode", choices=("exam", "practice", "all"), default="all",
                        help=_("which answers count: exams, practice (with reviews and drills), or all (default)"))
    parser.add_argument("--json", action="store_true",
                        help=_("print every figure as JSON instead of the table (its texts in English)"))
    parser.add_argument("--html", type=Path, metavar="OUT",
                        help=_("also write a self-contained HTML report with charts"))
    return parser


def report_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    ns = _parse(report_parser(), argv)
    if isinstance(ns, int):
        return ns
    if ns.json:  # machine-readable: the flags' reasons and every message in the JSON stay English
        with in_language("en"):
            return _report(ns, out, err)
    return _report(ns, out, err)


def _report(ns: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quizapp.pack_arg import open_pack
    from quizapp.results.reading import read_results, result_files

    if ns.html is not None and ns.html.is_dir():
        print(f"{REPORT}: " + _("{path} is a folder; name a file for --html").format(path=ns.html), file=err)
        return 2
    files, problem = result_files(ns.results)
    if problem:
        print(f"{REPORT}: {problem}", file=err)
        return 2
    answers = read_results(files)
    for p in answers.problems[:SHOWN_PROBLEMS]:
        print(p, file=err)
    if answers.problem_count > SHOWN_PROBLEMS:
        print(f"{REPORT}: " + _("... and {n} more malformed lines").format(
            n=num(answers.problem_count - SHOWN_PROBLEMS, ",")), file=err)
    if answers.stopped:
        print(f"{REPORT}: {answers.stopped}", file=err)
    pack_arg = ns.pack
    if pack_arg is None:
        named = sorted({answers.packs.names[code] for code in set(answers.pack)})
        if len(named) != 1:
            print(f"{REPORT}: " + (_("the results are for several packs ({packs}); name one with --pack").format(
                packs=", ".join(named)) if named else _("no valid answers in the results")), file=err)
            return 1
        pack_arg = named[0]
    pack, message, status = open_pack(REPORT, pack_arg)
    if pack is None:
        print(message + (_("; name the pack with --pack PATH") if ns.pack is None and status == 2 else ""), file=err)
        return status
    from quizapp.results.analysis import analyse
    report = analyse(answers, pack, ns.mode)
    for p in report.problems[:SHOWN_PROBLEMS]:
        print(p, file=err)
    note = _("{files}, {lines}, {malformed} malformed").format(
        files=ngettext("{n} file", "{n} files", len(files)).format(n=len(files)),
        lines=ngettext("{n} line", "{n} lines", answers.lines).format(n=num(answers.lines, ",")),
        malformed=num(answers.problem_count, ","))
    if ns.json:
        json.dump(report_json(report, answers, files), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        from rich.console import Console

        from quizapp.results.terminal import render
        render(report, Console(file=out, highlight=False, soft_wrap=False))
        print(_("read {note}").format(note=note), file=err)
    if ns.html is not None:
        from quizapp.files import atomic_open
        from quizapp.results.html import render_html
        try:
            with atomic_open(ns.html) as f:
                f.write(render_html(report, _("Read {note}.").format(note=note)))
        except OSError as error:
            print(f"{REPORT}: " + _("cannot write {path}: {reason}").format(path=ns.html,
                                                                          reason=error.strerror or error), file=err)
            return 1
        print(_("wrote {path}").format(path=ns.html), file=err)
    return 1 if answers.problem_count or report.problems or answers.stopped else 0


def report_json(report: Any, answers: Any, files: list[Path]) -> dict[str, Any]:
    """Every figure of the report, plus what was read; floats as computed (None where undefined)."""
    data = asdict(report)
    data["problems"] = [str(p) for p in report.problems]
    data["input"] = {"files": [str(f) for f in files], "lines": answers.lines, "answers": len(answers),
                     "malformed": answers.problem_count, "malformed_shown": [str(p) for p in answers.problems],
                     "stopped": answers.stopped}
    return data
