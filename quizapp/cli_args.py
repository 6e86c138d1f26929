"""Command-line arguments shared by `quizapp`, `quizapp --plain` and `quizapp serve`."""
from __future__ import annotations

import argparse
from pathlib import Path

from quizapp.i18n import _


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a whole number, got {text!r}").format(text=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be at least 1"))
    return value


def seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a whole number, got {text!r}").format(text=text)) from None


def percent_arg(text: str) -> int:
    value = positive(text)
    if value > 100:
        raise argparse.ArgumentTypeError(_("must be at most 100"))
    return value


def add_selection(parser: argparse.ArgumentParser) -> None:
    """The options that choose what a session asks, shared by the TUI, --plain and serve."""
    parser.add_argument("--pack", action="append", default=[], metavar="PATH", type=Path,
                        help=_("load a pack file or folder and select it (repeatable)"))
    parser.add_argument("--topic", action="append", default=[], metavar="ID",
                        help=_("select only this topic at launch (repeatable)"))
    parser.add_argument("--count", type=positive, default=None, metavar="N",
                        help=_("questions per session (default 10; 20 in an exam)"))
    parser.add_argument("--seed", type=seed, default=None, metavar="N",
                        help=_("shuffle questions and choices reproducibly"))
    parser.add_argument("--lang", default=None, metavar="LANG",
                        help=_("language of the interface and, where the pack has it, of the questions "
                               "(en, de; default: the saved choice, else the system locale)"))
