"""`quizapp engine ...`: every probe as a command, plus training.

Probe commands are built from the registry: `next_token` becomes
`next-token`, its argument `top_k` becomes `--top-k`. `--json` prints the
probe's result exactly; without it, a rich table.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys

from engine.probes import ProbeError, all_probes
from engine.texts import _, num

COMMANDS_WITHOUT_PROBE = {"list"}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def build_parser(prog: str = "quizapp engine") -> argparse.ArgumentParser:
    # Built when the command runs, after the language is set: the catalogue's texts are marked with N_().
    parser = argparse.ArgumentParser(prog=prog, description=_("Run the engine's computations (probes) and training."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sub.add_parser("list", help=_("list the probes and their arguments"))
    for probe in all_probes().values():
        p = sub.add_parser(probe.name.replace("_", "-"), help=_(probe.summary), description=_(probe.summary))
        for arg in probe.args:
            # Values stay strings here; the registry coerces and checks them, so the
            # command line, packs and labs share one set of rules and messages.
            p.add_argument(_flag(arg.name), dest=arg.name, required=arg.required, help=argument_help(arg),
                           metavar=arg.kind.upper(), default=argparse.SUPPRESS)
        p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
        p.set_defaults(probe=probe)
    _add_train(sub)
    return parser


def argument_help(arg) -> str:
    """An argument's help with its range and default, in the language of the moment (`%` escaped for argparse)."""
    if arg.required or arg.default is None:
        text = _("{help} ({range})").format(help=_(arg.help), range=arg.range_text)
    else:
        default = num(arg.default) if isinstance(arg.default, float) else arg.default
        text = _("{help} ({range}; default: {default})").format(help=_(arg.help), range=arg.range_text,
                                                                 default=default)
    return text.replace("%", "%%")


def _add_train(sub) -> None:
    try:
        from engine.cli.train import add_parser  # the training stages register their own flags
    except ImportError:
        return
    add_parser(sub)


NEGATIVE = re.compile(r"^-\.?\d")


def _join_negative_values(argv: list[str]) -> list[str]:
    """`--advantage -1` and `--scores -1,2`: argparse would take the value for an option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and NEGATIVE.match(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _wrap(words: list[str], indent: int, width: int) -> str:
    """The words on lines that fit `width` after an indent of `indent` columns (a word is never split)."""
    lines = [""]
    for word in words:
        if lines[-1] and indent + len(lines[-1]) + 1 + len(word) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}" if lines[-1] else word
    return ("\n" + " " * indent).join(lines)


def main(argv: list[str] | None = None, prog: str = "quizapp engine") -> int:
    parser = build_parser(prog)
    ns = parser.parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))
    if ns.command == "list":
        width = max(shutil.get_terminal_size().columns, 40)
        for probe in all_probes().values():
            args = [f"{_flag(a.name)} {a.kind.upper()}" if a.required else f"[{_flag(a.name)} {a.kind.upper()}]"
                    for a in probe.args]
            print(f"{probe.name.replace('_', '-'):<20} {_wrap(args, 21, width)}")
            print(" " * 21 + _wrap(_(probe.summary).split(), 21, width))
        return 0
    if hasattr(ns, "run"):
        return ns.run(ns)
    probe = ns.probe
    args = {a.name: getattr(ns, a.name) for a in probe.args if hasattr(ns, a.name)}
    try:
        result = probe.run(args)
    except ProbeError as exc:
        print(_("{prog} {command}: error: {error}").format(prog=prog, command=ns.command, error=exc), file=sys.stderr)
        return 1
    if ns.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_result(probe, result)
    return 0


def print_result(probe, result: dict) -> None:
    """Draw a result with rich: the probe's own drawing, or the generic one."""
    from rich.console import Console

    from engine.cli import render_rl, render_transformer
    from engine.cli.render import generic

    own = {
        "tokenize": render_transformer.render_tokenize,
        "embedding": render_transformer.render_embedding,
        "positional_encoding": render_transformer.render_positional_encoding,
        "attention": render_transformer.render_attention,
        "next_token": render_transformer.render_next_token,
        "ppo_clip": render_rl.ppo_clip,
        "gae": render_rl.gae,
        "kl": render_rl.kl,
        "ppo_step": render_rl.ppo_step,
        "compare_stages": render_rl.compare_stages,
    }
    draw = own.get(probe.name)
    Console().print(draw(result) if draw else generic(probe.name, result))
