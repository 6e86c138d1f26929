"""`quizapp preview PACK [--interval SECONDS]`: open the author's preview of one pack."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from quizapp.i18n import _


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a number of seconds, got {text}").format(text=repr(text))) from None
    if not 0.1 <= value <= 60:
        raise argparse.ArgumentTypeError(_("between 0.1 and 60 seconds"))
    return value


def preview_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp preview",
        description=_("Author mode: every question of one pack with its key, whys, explanation and live blocks, the "
                      "pack's problems at the top; reloads when a file of the pack is saved."))
    parser.add_argument("pack", metavar="PACK", help=_("a pack file or folder, or the name of a bundled or user pack"))
    parser.add_argument("--interval", type=_interval, default=1.0, metavar="SECONDS",
                        help=_("how often to look for changes (default 1)"))
    parser.add_argument("--no-engine", action="store_true",
                        help=_("do not run the engine: skip calculated combinations and evidence claims"))
    return parser


def preview_main(argv: list[str], err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        ns = preview_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    from quizapp.pack_arg import no_such_pack, pack_path

    path = pack_path(ns.pack)
    if path is None:
        print(no_such_pack("quizapp preview", ns.pack), file=err)
        return 2
    from quizapp.authoring.preview import PreviewApp
    PreviewApp(path, ns.interval, engine=not ns.no_engine).run()
    return 0
