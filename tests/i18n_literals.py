"""English texts shown to the learner without going through the translation layer.

The rule, applied to the modules that build what the learner sees (screens, labs,
widgets, the app, the line-by-line mode): a string literal (or an f-string's literal
parts) is user-facing when it is

- (also in the evidence drawings and the engine's rich drawings) the text argument of a widget or renderable:
  Static, Label, Button, Option, Selection, TabPane, Text, Text.assemble (each part), .append, .update, .notify,
  set_markdown, add_column / add_columns, every cell of add_row, ConfirmScreen, MiniHeatmap, BarRow's label;
- the description of a Binding (third positional argument or description=);
- a placeholder=, tooltip=, legend_label=, mask_label=, label= (chart legends), title=, caption=, message=, help= (argparse) keyword,
  or an assignment to `.tooltip`;
- a class attribute LAB_TITLE, HINT, TITLE or SUB_TITLE;
- an argument of print() or of a `say`/`ask` call (the line-by-line mode).

Such a literal fails when, once Rich markup ([b], [/], [$error] …), format fields and
the words in NEUTRAL are taken out, a word of two or more Latin letters is left, and it
is not the argument of _(), N_() or ngettext().

The command-line side (MESSAGE_CHECKED: the CLI commands, the question bank's loader,
validator and importers, results, progress, settings) has its own rule, for messages rather
than widgets: a literal is user-facing when it is an argument of print(), of a `.write()`
(sys.stderr.write), of an exception being built (ArgumentTypeError, StoreError, ValueError …:
any name ending in Error), of a problem report (`.error()`, `.warning()`, `.note()`,
`.skip()`, `fail()`; a Problem's message), or a help=, description=, epilog= or message=
keyword of argparse's calls. File contents written for Moodle, Anki or GIFT are built with
other calls (`out.append`, joined strings) and stay English by design.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["quizapp/screens", "quizapp/labs", "quizapp/widgets", "quizapp/plain", "quizapp/evidence", "quizapp/app.py",
           "quizapp/palette", "quizapp/serve.py", "engine/cli", "quizapp/results/terminal.py",
           "quizapp/authoring/preview.py"]

MESSAGE_CHECKED = ["quizapp/cli.py", "quizapp/cli_args.py", "quizapp/instructor_cli.py", "quizapp/pack_arg.py",
                   "quizapp/crash.py", "quizapp/settings.py", "quizapp/files.py", "quizapp/locations.py",
                   "quizapp/catalog.py", "quizapp/progress", "quizapp/results", "quizapp/authoring/preview_cli.py",
                   "question_bank"]

FIRST_ARG = {"Static", "Label", "Button", "Option", "Selection", "TabPane", "Text", "append", "update",
             "notify", "set_markdown", "add_column", "ConfirmScreen", "MiniHeatmap", "BarRow"}
ALL_ARGS = {"assemble", "add_columns", "add_row", "print", "say", "ask"}
KEYWORDS = {"placeholder", "tooltip", "legend_label", "mask_label", "label", "title", "caption", "message", "description",
            "help"}
CLASS_ATTRS = {"LAB_TITLE", "HINT", "TITLE", "SUB_TITLE"}
MARKERS = {"_", "N_", "ngettext"}
MESSAGE_CALLS = {"print", "write", "error", "warning", "note", "skip", "fail"}  # every argument is checked
MESSAGE_KEYWORDS = {"help", "description", "epilog", "message"}  # of argparse's calls:
ARGPARSE_CALLS = {"ArgumentParser", "add_argument", "add_parser", "add_subparsers", "add_argument_group"}
PROGRAMMING_ERRORS = {"TypeError", "AttributeError"}  # a bug's or Python's protocol, never a user's message
PROBLEM_MESSAGE = 4  # Problem(path, line, col, severity, message): the severity is data, the message is shown

# Symbols and names that read the same in every language: probe and model names, maths.
NEUTRAL = {
    "quizapp", "BPE", "KL", "GAE", "PPO", "RLHF", "SFT", "PE", "CLIP", "L^CLIP", "d_model", "d_k", "dₖ", "top-k",
    "softmax", "exp", "log", "min", "clip", "sin", "cos", "id", "pos", "tok", "pretrain", "sft", "rlhf",
    "nats", "k1", "k2", "k3", "s_i", "s_j", "p_i", "T", "Tab", "Esc", "Enter", "ctrl", "pi_old", "pi_new",
    "r_t", "R_t", "s_t", "done", "done_t", "old",  # GAE's and PPO's symbols: r_t, V(s_t), done_t, π_θold
}
MARKUP = re.compile(r"\[/?[a-z$][^\]]*\]|\[/\]")
FIELD = re.compile(r"\{[^{}]*\}")
WORD = re.compile(r"[A-Za-z][A-Za-z_^\-]*[A-Za-z]")


def english_words(text: str) -> list[str]:
    text = FIELD.sub(" ", MARKUP.sub(" ", text))
    return [w for w in WORD.findall(text) if w not in NEUTRAL]


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_text(node: ast.expr) -> str | None:
    """The text of a str literal or the literal parts of an f-string; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [_literal_text(node.left), _literal_text(node.right)]
        return " ".join(p for p in parts if p)
    if isinstance(node, ast.IfExp):
        parts = [_literal_text(node.body), _literal_text(node.orelse)]
        return " ".join(p for p in parts if p)
    if isinstance(node, ast.Tuple) and node.elts:  # Text.assemble's (text, style) parts
        return _literal_text(node.elts[0])
    return None


def shown_arguments(call: ast.Call) -> list[ast.expr]:
    name = _callee(call.func)
    shown: list[ast.expr] = []
    if name in FIRST_ARG and call.args:
        shown.append(call.args[0])
    if name in ALL_ARGS:
        shown += call.args
    if name == "Binding":
        shown += call.args[2:3]
    if name in {"SystemCommand", "Command"}:  # the command palette's name and help (then an action or callback)
        shown += call.args[:2]
    shown += [k.value for k in call.keywords if k.arg in KEYWORDS]
    return shown


def message_arguments(call: ast.Call) -> list[ast.expr]:
    """What a command-line module shows of a call (MESSAGE_CHECKED's rule)."""
    name = _callee(call.func) or ""
    shown: list[ast.expr] = []
    if name in MESSAGE_CALLS or (name.endswith("Error") and name not in PROGRAMMING_ERRORS):
        shown += call.args
    if name == "Problem":
        shown += call.args[PROBLEM_MESSAGE:]
    if name in ARGPARSE_CALLS:
        shown += [k.value for k in call.keywords if k.arg in MESSAGE_KEYWORDS]
    return shown


def untranslated(path: Path, messages: bool = False) -> list[str]:
    """English literals shown outside _(); `messages`: by the command-line rule instead of the screens' one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    problems = []

    def check(node: ast.expr, lineno: int) -> None:
        if isinstance(node, ast.Call) and _callee(node.func) in MARKERS:
            return
        text = _literal_text(node)
        if text is not None and english_words(text):
            problems.append(f"{path.relative_to(ROOT)}:{lineno}: {text[:60]!r}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for arg in message_arguments(node) if messages else shown_arguments(node):
                check(arg, node.lineno)
        elif messages:
            continue
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if (isinstance(target, ast.Attribute) and target.attr == "tooltip") or \
                        (isinstance(target, ast.Name) and target.id in CLASS_ATTRS):
                    check(node.value, node.lineno)
    return problems


def checked_files(entries: list[str] | None = None) -> list[Path]:
    files: list[Path] = []
    for entry in CHECKED if entries is None else entries:
        path = ROOT / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return files
