"""Lines out and lines in: no box drawing, colour only on a terminal that wants it, answers with a deadline.

Reading goes through `os.read` and `select`, not `sys.stdin`, so that a timed exam can
stop waiting when its time runs out (and a line can never be hidden in Python's buffer
while `select` waits). A line is cut at MAX_LINE characters: a pipe full of junk costs
bounded memory.
"""
from __future__ import annotations

import os
import re
import select
import sys
import time
from typing import Protocol, TextIO

from rich.text import Text

MAX_LINE = 4096
STYLES = {"right": "\033[32m", "wrong": "\033[31m", "bold": "\033[1m", "dim": "\033[2m"}
RESET = "\033[0m"


# Packs write Markdown: a reader or a script would get "**Minimum**" and "`type`" letter for letter.
# Only the marks that cannot be part of a formula go (bold and code); d_model, a*b and 2^i stay as written.
BOLD_OR_CODE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|`([^`\n]+)`")


def without_markdown_marks(text: str) -> str:
    return BOLD_OR_CODE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


class Reader(Protocol):
    def readline(self, timeout: float | None = None) -> str | None:
        """The next line without its newline; None at the end of input; TimeoutError after `timeout` s."""
        ...


class FdReader:
    """Lines from a file descriptor, with a timeout."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False

    def readline(self, timeout: float | None = None) -> str | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer and not self.eof and len(self.buffer) < MAX_LINE:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.fd, MAX_LINE)
            self.eof = not chunk
            self.buffer += chunk
        if not self.buffer:
            return None
        line, newline, rest = self.buffer[:MAX_LINE].partition(b"\n")
        self.buffer = rest + self.buffer[MAX_LINE:] if newline else self.buffer[len(line):]
        return line.decode("utf-8", "replace").rstrip("\r")


def wants_colour(stream: TextIO, environ=os.environ) -> bool:
    """Colour only on a terminal, never with NO_COLOR set (any value) or TERM=dumb."""
    return (stream.isatty() and "NO_COLOR" not in environ and environ.get("TERM", "") != "dumb")


class Console:
    def __init__(self, reader: Reader, out: TextIO, colour: bool = False) -> None:
        self.reader = reader
        self.out = out
        self.colour = colour

    def paint(self, text: str, style: str | None) -> str:
        return f"{STYLES[style]}{text}{RESET}" if self.colour and style else text

    def say(self, text: str = "", style: str | None = None, markup: bool = False) -> None:
        """One or more lines; with `markup`, Rich tags such as [b] are taken out (or made bold)."""
        if markup:
            text = Text.from_markup(text).plain
        text = without_markdown_marks(text)
        self.out.write(self.paint(text, style) + "\n")
        self.out.flush()

    def ask(self, prompt: str, timeout: float | None = None) -> str | None:
        """Show `prompt` and read one line; None at the end of input or on Ctrl+C (the session is
        then paused, as when the learner types q); TimeoutError when time runs out."""
        self.out.write(prompt)
        self.out.flush()
        try:
            line = self.reader.readline(timeout)
        except KeyboardInterrupt:
            self.out.write("\n")  # the terminal shows ^C on the prompt line: what follows starts on its own
            self.out.flush()
            return None
        if not (self.reader_is_terminal()):
            self.out.write((line if line is not None else "") + "\n")  # a transcript reads like a dialogue
            self.out.flush()
        return line

    def reader_is_terminal(self) -> bool:
        fd = getattr(self.reader, "fd", None)
        return fd is not None and os.isatty(fd)


def console_for_stdio() -> Console:
    return Console(FdReader(sys.stdin.fileno()), sys.stdout, wants_colour(sys.stdout))
