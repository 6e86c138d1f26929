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

SHOWN_PROBLEMS = 20


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors exit with 2, --help with 0
        return int(exit_.code or 0)


# --- learners: results export ---------------------------------------------------------------------

def _learner_name(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 100 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise argparse.ArgumentTypeError("a learner name is 1 to 100 printable characters")
    return name


def results_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp results",
        description="Your answers as JSON Lines, one answer per line, for your instructor's `quizapp report`. "
                    "You appear under a random pseudonym unless you pass --learner.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="export")
    export = commands.add_parser("export", help="write your answers as JSON Lines",
                                 description="Write your answers as JSON Lines (one answer per line).")
    export.add_argument("--pack", metavar="ID", help="only this pack's answers (default: every pack)")
    export.add_argument("--learner", type=_learner_name, metavar="NAME",
                        help="the name to write (default: your random pseudonym, kept in the settings)")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write (default: standard output)")
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
        print(f"quizapp results: --pack '{ns.pack}' is not a pack id (lowercase letters, digits and '-')", file=err)
        return 2
    if ns.output is not None and ns.output.is_dir():
        print(f"quizapp results: {ns.output} is a folder; name a file with -o", file=err)
        return 2
    if not database_path().is_file():
        print(f"quizapp results: no answers yet (no progress database at {database_path()})", file=err)
        return 1
    learner = ns.learner
    if learner is None:
        learner, warning = pseudonym()
        if warning:
            print(f"quizapp results: warning: {warning}", file=err)
    try:
        with open_store() as store:
            if store.message:  # the database could not be read and was kept aside
                print(f"quizapp results: warning: {store.message}", file=err)
            rows = store.result_rows(ns.pack)
            if ns.output is None:
                count = write_results(rows, learner, out)
                out.flush()
            else:
                with atomic_open(ns.output) as f:
                    count = write_results(rows, learner, f)
    except StoreError as error:
        print(f"quizapp results: {error}", file=err)
        return 1
    except OSError as error:
        print(f"quizapp results: cannot write {ns.output}: {error.strerror or error}", file=err)
        return 1
    where = f" to {ns.output}" if ns.output is not None else ""
    print(f"{count} answer{'s' if count != 1 else ''} written{where} as learner '{learner}'", file=err)
    return 0


# --- instructors: report --------------------------------------------------------------------------

def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp report",
        description="Item analysis of a class's results (files from `quizapp results export`): facility, "
                    "discrimination, distractors and flags per question, topics, KR-20.")
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS",
                        help="result files (JSON Lines) or folders of *.jsonl files")
    parser.add_argument("--pack", metavar="PATH_OR_ID",
                        help="the pack to match the answers to (default: the one the results name)")
    parser.add_argument("--mode", choices=("exam", "practice", "all"), default="all",
                        help="which answers count: exams, practice (with reviews and drills), or all (default)")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON instead of the table")
    parser.add_argument("--html", type=Path, metavar="OUT", help="also write a self-contained HTML report with charts")
    return parser


def report_main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    ns = _parse(report_parser(), argv)
    if isinstance(ns, int):
        return ns
    from quizapp.pack_arg import open_pack
    from quizapp.results.reading import read_results, result_files

    if ns.html is not None and ns.html.is_dir():
        print(f"quizapp report: {ns.html} is a folder; name a file for --html", file=err)
        return 2
    files, problem = result_files(ns.results)
    if problem:
        print(f"quizapp report: {problem}", file=err)
        return 2
    answers = read_results(files)
    for p in answers.problems[:SHOWN_PROBLEMS]:
        print(p, file=err)
    if answers.problem_count > SHOWN_PROBLEMS:
        print(f"quizapp report: ... and {answers.problem_count - SHOWN_PROBLEMS:,} more malformed lines", file=err)
    if answers.stopped:
        print(f"quizapp report: {answers.stopped}", file=err)
    pack_arg = ns.pack
    if pack_arg is None:
        named = sorted({answers.packs.names[code] for code in set(answers.pack)})
        if len(named) != 1:
            print("quizapp report: " + (f"the results are for several packs ({', '.join(named)}); name one with --pack"
                                        if named else "no valid answers in the results"), file=err)
            return 1
        pack_arg = named[0]
    pack, message, status = open_pack("quizapp report", pack_arg)
    if pack is None:
        print(message + ("; name the pack with --pack PATH" if ns.pack is None and status == 2 else ""), file=err)
        return status
    from quizapp.results.analysis import analyse
    report = analyse(answers, pack, ns.mode)
    for p in report.problems[:SHOWN_PROBLEMS]:
        print(p, file=err)
    note = f"{len(files)} files, {answers.lines:,} lines, {answers.problem_count:,} malformed"
    if ns.json:
        json.dump(report_json(report, answers, files), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        from rich.console import Console

        from quizapp.results.terminal import render
        render(report, Console(file=out, highlight=False, soft_wrap=False))
        print(f"read {note}", file=err)
    if ns.html is not None:
        from quizapp.files import atomic_open
        from quizapp.results.html import render_html
        try:
            with atomic_open(ns.html) as f:
                f.write(render_html(report, f"Read {note}."))
        except OSError as error:
            print(f"quizapp report: cannot write {ns.html}: {error.strerror or error}", file=err)
            return 1
        print(f"wrote {ns.html}", file=err)
    return 1 if answers.problem_count or report.problems or answers.stopped else 0


def report_json(report: Any, answers: Any, files: list[Path]) -> dict[str, Any]:
    """Every figure of the report, plus what was read; floats as computed (None where undefined)."""
    data = asdict(report)
    data["problems"] = [str(p) for p in report.problems]
    data["input"] = {"files": [str(f) for f in files], "lines": answers.lines, "answers": len(answers),
                     "malformed": answers.problem_count, "malformed_shown": [str(p) for p in answers.problems],
                     "stopped": answers.stopped}
    return data
