"""Read result files (JSON Lines) into compact columns, naming every malformed line by file:line.

A class's worth of files can hold millions of lines, so nothing is kept per line but a few
numbers in typed arrays (strings are interned once); a line longer than MAX_LINE_BYTES is
skipped without being read into memory, and reading stops with a clear message after
MAX_ANSWERS answers. A bad line never stops the others: it is reported and left out.
"""
from __future__ import annotations

import json
import math
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from quizapp.i18n import _
from quizapp.results.format import MAX_PICK, MODES, REQUIRED, parse_time

MAX_LINE_BYTES = 64 * 1024
MAX_ANSWERS = 2_000_000
MAX_TEXT = 200  # learner names, question ids, versions
MAX_PROBLEMS_KEPT = 1000
RESULT_SUFFIX = ".jsonl"
_REQUIRED = frozenset(REQUIRED)
_MODE_CODES = {mode: code for code, mode in enumerate(MODES)}


@dataclass(frozen=True)
class InputProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {_('error')}: {self.message}"


class _Names:
    """Strings to small integers and back."""

    def __init__(self) -> None:
        self.names: list[str | None] = []
        self._index: dict[str | None, int] = {}

    def __call__(self, name: str | None) -> int:
        index = self._index.get(name)
        if index is None:
            index = self._index[name] = len(self.names)
            self.names.append(name)
        return index

    def find(self, name: str | None) -> int:
        """The number of a name, or -1 when no line has it."""
        return self._index.get(name, -1)


@dataclass
class Answers:
    """Every valid line, as columns (one entry per answer, in reading order)."""

    learners: _Names = field(default_factory=_Names)
    packs: _Names = field(default_factory=_Names)
    versions: _Names = field(default_factory=_Names)
    questions: _Names = field(default_factory=_Names)
    files: list[str] = field(default_factory=list)
    learner: array = field(default_factory=lambda: array("i"))
    pack: array = field(default_factory=lambda: array("i"))
    version: array = field(default_factory=lambda: array("i"))
    question: array = field(default_factory=lambda: array("i"))
    mode: array = field(default_factory=lambda: array("b"))    # index into MODES
    picked: array = field(default_factory=lambda: array("Q"))  # bit i set: choice i picked
    correct: array = field(default_factory=lambda: array("b"))
    at: array = field(default_factory=lambda: array("d"))      # Unix seconds
    file: array = field(default_factory=lambda: array("i"))    # where the line is, for later problems
    line: array = field(default_factory=lambda: array("i"))
    problems: list[InputProblem] = field(default_factory=list)
    problem_count: int = 0
    lines: int = 0
    stopped: str | None = None  # why reading stopped early (too many answers)

    def __len__(self) -> int:
        return len(self.learner)

    def where(self, index: int) -> tuple[str, int]:
        return self.files[self.file[index]], self.line[index]

    def problem(self, path: str, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(InputProblem(path, line, message))


def result_files(paths: list[Path]) -> tuple[list[Path], str | None]:
    """Files as given and every *.jsonl below given folders; or a usage error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob(f"*{RESULT_SUFFIX}") if p.is_file())
            if not inside:
                return [], _("no result files (*{suffix}) in the folder {path}").format(suffix=RESULT_SUFFIX, path=path)
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            return [], _("no such file or folder: {path}").format(path=path)
    return list(dict.fromkeys(found)), None


def read_results(paths: list[Path]) -> Answers:
    answers = Answers()
    for path in paths:
        if answers.stopped:
            break
        shown = str(path)
        answers.files.append(shown)
        try:
            with path.open("rb") as f:
                _read_file(f, shown, len(answers.files) - 1, answers)
        except OSError as error:
            answers.problem(shown, 0, _("cannot read the file: {reason}").format(reason=error.strerror or error))
    return answers


def _read_file(f: BinaryIO, shown: str, file_index: int, answers: Answers) -> None:
    number = 0
    while True:
        raw = f.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        answers.lines += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            answers.problem(shown, number, _("line longer than {n} KiB; skipped").format(n=MAX_LINE_BYTES // 1024))
            while raw and not raw.endswith(b"\n"):  # the rest of the line, in bounded pieces
                raw = f.readline(MAX_LINE_BYTES)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            answers.problem(shown, number, _("not valid UTF-8 (byte 0x{byte} at column {col})").format(
                byte=f"{raw[error.start]:02x}", col=error.start + 1))
            continue
        text = text.lstrip("\ufeff").strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except ValueError as error:  # JSONDecodeError, and RecursionError's cousins for huge numbers
            answers.problem(shown, number, _("not valid JSON: {reason}").format(reason=getattr(error, "msg", error)))
            continue
        except RecursionError:
            answers.problem(shown, number, _("not valid JSON: nested too deeply"))
            continue
        message = _add(data, answers, file_index, number)
        if message:
            answers.problem(shown, number, message)
        elif len(answers) >= MAX_ANSWERS:
            answers.stopped = _("stopped reading at {path}:{line}: more than {n} answers; analyse fewer files at a "
                                "time").format(path=shown, line=number, n=f"{MAX_ANSWERS:,}")
            return


def _text(data: dict[str, Any], key: str, optional: bool = False) -> str | None:
    value = data.get(key)
    if type(value) is str and 0 < len(value) <= MAX_TEXT and not value.isspace():  # the usual case, quickly
        return value
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("'{key}' must be a non-empty text, got {value}").format(key=key, value=_shown(value)))
    if len(value) > MAX_TEXT:
        raise ValueError(_("'{key}' is longer than {n} characters").format(key=key, n=MAX_TEXT))
    return value


def _picked(value: Any) -> int:
    if type(value) is list and len(value) == 1 and type(value[0]) is int and 0 <= value[0] <= MAX_PICK:
        return 1 << value[0]  # one choice: the usual case, quickly
    if not isinstance(value, list) or not value:
        raise ValueError(_("'picked' must be a non-empty list of choice indices (0-based), got {value}").format(
            value=_shown(value)))
    bits = 0
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool) or not 0 <= item <= MAX_PICK:
            raise ValueError(_("'picked' holds {value}; choice indices are whole numbers from 0").format(
                value=_shown(item)))
        if bits >> item & 1:
            raise ValueError(_("'picked' names choice {n} twice").format(n=item))
        bits |= 1 << item
    return bits


def _add(data: Any, answers: Answers, file_index: int, number: int) -> str | None:
    """Append one line's answer; or say what is wrong with it."""
    if not isinstance(data, dict):
        return _("expected a JSON object, got {value}").format(value=_shown(data))
    if not _REQUIRED.issubset(data.keys()):
        return _("missing {keys}").format(keys=", ".join(repr(k) for k in REQUIRED if k not in data))
    try:
        learner, pack, question = _text(data, "learner"), _text(data, "pack"), _text(data, "question")
        version = _text(data, "pack_version", optional=True)
        picked = _picked(data["picked"])
    except ValueError as error:
        return str(error)
    correct = data["correct"]
    if not isinstance(correct, bool):
        return _("'correct' must be true or false, got {value}").format(value=_shown(correct))
    mode = data.get("mode", "practice")
    code = _MODE_CODES.get(mode, -1) if isinstance(mode, str) else -1
    if code < 0:
        return _("'mode' must be one of {modes}, got {value}").format(modes=", ".join(MODES), value=_shown(mode))
    seconds = data.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                or not math.isfinite(seconds) or seconds < 0):
        return _("'seconds' must be a number of seconds, got {value}").format(value=_shown(seconds))
    params = data.get("params")
    if params is not None and not isinstance(params, dict):
        return _("'params' must be an object of parameter values, got {value}").format(value=_shown(params))
    at = data["at"]
    try:
        when = parse_time(at) if isinstance(at, str) and len(at) <= 40 else None
    except (ValueError, OverflowError, OSError):
        when = None
    if when is None or not math.isfinite(when):
        return _("'at' must be a time such as 2026-12-02T10:04:11Z, got {value}").format(value=_shown(at))
    answers.learner.append(answers.learners(learner))
    answers.pack.append(answers.packs(pack))
    answers.version.append(answers.versions(version))
    answers.question.append(answers.questions(question))
    answers.mode.append(code)
    answers.picked.append(picked)
    answers.correct.append(correct)
    answers.at.append(when)
    answers.file.append(file_index)
    answers.line.append(number)
    return None


def _shown(value: Any) -> str:
    """A value for an error message: short, on one line."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) or math.isfinite(value) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
