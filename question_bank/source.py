"""One pack file into YAML nodes, safely: file kind, size, encoding, syntax and alias limits.

Packs are data from anyone, so a file is refused before it can cost much:
not a regular file (a FIFO would block forever, a device never ends) before
it is opened for good, too big before it is read, not UTF-8 before it is
parsed, and aliases that expand too far before anything walks them.

Positions are reported as editors and `grep -n` show them: lines end at LF
only. YAML also ends a line at a lone CR, NEL (U+0085) and U+2028/U+2029; a
file that holds those gets its positions recounted (see `Source.position`).
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode

from question_bank.files import MAX_FILE_BYTES as MAX_FILE_BYTES, NotRegular as NotRegular
from question_bank.files import read_regular as read_regular  # re-exported: validate and the CLI read with it
from engine.texts import _
from question_bank.problems import Problem

try:  # libyaml parses several times faster; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _Loader
    _LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    _LIBYAML = False

MAX_ALIAS_NODES = 10_000
"""How many nodes YAML aliases may add beyond those written out; a 'billion laughs' file adds billions."""


# Line breaks for YAML that are not line breaks for an editor.
_YAML_ONLY_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


class Source:
    """A composed file: its root node (None when empty) and the text, for positions."""

    def __init__(self, root: Node | None, text: str = "") -> None:
        self.root = root
        self.text = text
        self._odd = bool(_YAML_ONLY_BREAK.search(text))
        self._line_starts: list[int] | None = None

    def position(self, mark: Mark) -> tuple[int, int]:
        """1-based line and column (in characters, lines ending at LF) of a node's mark."""
        if not self._odd and mark.index < len(self.text):
            return mark.line + 1, mark.column + 1  # YAML and editors agree
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        index = min(mark.index, len(self.text))
        line = bisect.bisect_right(self._line_starts, index)
        return line, index - self._line_starts[line - 1] + 1


def _position(text: str, mark: Mark) -> tuple[int, int]:
    return Source(None, text).position(mark)


class BadSource(Exception):
    """The file cannot be turned into nodes; `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def too_big(size: int) -> str:
    return _("file is {size} bytes, over the limit of {limit} for one pack file; split it into a folder "
             "pack").format(size=f"{size:,}", limit=f"{MAX_FILE_BYTES:,}")


def compose_file(path: Path, shown: str) -> Source:
    """The file's nodes and text (root None for an empty file); BadSource when it cannot be read safely.

    `shown` is the path as problems should print it.
    """
    def bad(line: int, col: int, message: str) -> BadSource:
        return BadSource(Problem(shown, line, col, "error", message))

    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except NotRegular as exc:
        raise bad(1, 1, _("{reason}; a pack is a .yaml file or a folder with a pack.yaml").format(reason=exc)) from None
    except OSError as exc:
        raise bad(1, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)) from None
    if len(data) > MAX_FILE_BYTES:
        try:
            size = max(len(data), path.stat().st_size)
        except OSError:
            size = len(data)
        raise bad(1, 1, too_big(size))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data[:exc.start].decode("utf-8"))
        raise bad(line, col, _("not valid UTF-8 (byte 0x{byte}: {reason}); save the file as UTF-8").format(
            byte=f"{data[exc.start]:02x}", reason=exc.reason)) from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or "").removeprefix("but ")
        context = f" ({exc.context})" if exc.context else ""
        line, col = _position(text, mark) if mark else (1, 1)
        raise bad(line, col, _("invalid YAML: {problem}").format(problem=problem + context)) from None
    except yaml.reader.ReaderError as exc:
        # libyaml counts the position in UTF-8 bytes, the Python reader in characters.
        before = data[:exc.position].decode("utf-8", "replace") if _LIBYAML else text[:exc.position]
        line, col = _line_col(before)
        raise bad(line, col, _("invalid YAML: character #x{code} is not allowed ({reason})").format(
            code=f"{exc.character:04x}", reason=exc.reason)) from None
    except RecursionError:  # only the pure-Python composer recurses; libyaml caps nesting itself
        raise bad(1, 1, _("invalid YAML: nested too deeply")) from None
    # An alias needs an anchor, and an anchor needs '&': most packs skip the check.
    if root is not None and "&" in text:
        found = _alias_problem(root)
        if found:
            node, message = found
            raise bad(*_position(text, node.start_mark), message)
    return Source(root, text)


def _line_col(before: str) -> tuple[int, int]:
    """1-based line and column of the character that follows `before`."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _children(node: Node) -> list[Node]:
    if node.__class__ is MappingNode:
        return [part for pair in node.value for part in pair]
    return node.value


def _alias_problem(root: Node) -> tuple[Node, str] | None:
    """Where and how aliases refer to their own ancestor or expand beyond MAX_ALIAS_NODES, if they do.

    Expanded sizes are memoised per node, so this is one pass over the nodes
    as written, however far a 'billion laughs' file would expand.
    """
    sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded
    open_: set[int] = set()  # containers whose children are still being sized
    order: list[Node] = []  # containers, children before parents
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, sized_children = stack.pop()
        key = id(node)
        if sized_children:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            order.append(node)
        elif key in open_:
            return node, _("a YAML alias refers to a node that contains it")
        elif key in sizes:
            continue
        elif node.__class__ is ScalarNode:
            sizes[key] = 1
        else:
            open_.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    extra = sizes[id(root)] - len(sizes)
    if extra <= MAX_ALIAS_NODES:
        return None
    # Point at the first part (children before parents) too big on its own: usually the anchor that explodes.
    culprit = next(n for n in order if sizes[id(n)] > MAX_ALIAS_NODES)
    return culprit, _("YAML aliases expand to {n} nodes beyond those written, over the limit of {limit} (a "
                      "'billion laughs' file?)").format(n=f"{extra:,}", limit=f"{MAX_ALIAS_NODES:,}")
