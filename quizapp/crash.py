"""The last line of defence: an unexpected internal error becomes one line and a report file.

A learner or an instructor never sees a traceback. The full report (command
line, versions, traceback) goes to the crash-report folder in the user data
folder, or to the system's temporary folder when that cannot be written; the
one line says what happened and where the report is.
"""
from __future__ import annotations

import platform
import tempfile
import time
import traceback
from pathlib import Path

from quizapp import __version__
from quizapp.i18n import _
from quizapp.locations import crash_report_dir


def report_crash(error: BaseException, argv: list[str], prog: str = "quizapp") -> str:
    """Write the report and return the one line to print."""
    text = (f"quizapp {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
            f"command: {' '.join([prog, *argv])}\n"
            f"time: {time.strftime('%Y-%m-%d %H:%M:%S')}\n\n"
            + "".join(traceback.format_exception(error)))
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{id(error) & 0xFFFF:04x}.txt"
    where: Path | None = None
    for folder in (crash_report_dir, lambda: Path(tempfile.gettempdir())):
        try:
            path = folder() / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            where = path
            break
        except OSError:
            continue
    summary = f"{type(error).__name__}: {error}".splitlines()[0][:200] if str(error) else type(error).__name__
    report = _("the full report is in {path}").format(path=where) if where else _("no report could be written")
    return _("{prog}: internal error ({summary}); {report}. Please send it with a bug report.").format(
        prog=prog, summary=summary, report=report)
