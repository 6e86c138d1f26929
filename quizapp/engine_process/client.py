"""The app's side of the engine process (quizapp.engine_process): starts it, sends requests, hands
each answer to the thread that waits for it, and answers for a process that died."""
from __future__ import annotations

import itertools
import json
import os
import site
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Mapping

from engine import probes
from question_bank.models import plain_data
from quizapp.i18n import _, language

_ROOT = Path(__file__).resolve().parents[2]  # holds the quizapp, question_bank and engine packages
_STDERR_TAIL = 2000  # bytes of the child's error output read for the one-line reason it died
# A request unanswered this long means a hung process (a PPO step takes seconds even on a busy machine,
# loading torch and the models some more; requests wait for the ones before them).
TIMEOUT = 300.0


class _Reply:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.message: dict[str, Any] = {}


def server_command() -> list[str]:
    """python running quizapp.engine_process.server from the code this process runs.

    -P: the current folder is not put on the path (a folder named "engine" there is not imported). The
    folder holding the packages is put first only when they do not come from site-packages (a source
    tree or an editable install); never through PYTHONPATH, which would also put it before the
    standard library of every program the engine might start."""
    installed = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    roots = [] if _ROOT in installed else [str(_ROOT)]
    return [sys.executable, "-P", "-c",
            "import sys; sys.path[:0] = sys.argv[1:]; from quizapp.engine_process.server import main; main()",
            *roots]


class _Child:
    """One running engine process and the replies it still owes."""

    def __init__(self, command: list[str]) -> None:
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                        close_fds=True)
        self.waiting: dict[int, _Reply] = {}
        self.silent_for: float | None = None  # set when it was stopped for not answering (seconds)
        self.loaded: set[str] = set()  # the models ("char", "word") its answers so far have loaded with torch

    def reason(self) -> str:
        """Why the process ended, in one line: its exit status and the last line it wrote to stderr.
        Closes its pipes and that file."""
        code = self.process.wait()
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - _STDERR_TAIL))
        lines = [line.strip() for line in self.stderr.read().decode("utf-8", "replace").splitlines() if line.strip()]
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            try:
                stream.close()
            except OSError:  # a write under way failed on the dead pipe: nothing left to flush
                pass
        if self.silent_for is not None:
            return _("no answer in {n} s").format(n=f"{self.silent_for:g}")
        status = _("signal {n}").format(n=-code) if code < 0 else _("exit status {n}").format(n=code)
        return f"{status}: {lines[-1]}" if lines else status


class EngineProcess:
    """A client of one engine process; thread-safe (lab and evidence workers call it at once)."""

    def __init__(self, command: list[str] | None = None, timeout: float = TIMEOUT) -> None:
        self.command = command or server_command()
        self.timeout = timeout  # seconds a request waits before the process is taken for hung and stopped
        self._closed = False  # after close(), no request starts another process
        self._lock = threading.Lock()  # the child and its waiting replies
        self._write_lock = threading.Lock()  # one request line at a time
        self._child: _Child | None = None
        self._ids = itertools.count(1)

    def run(self, probe: str, args: Mapping[str, Any] | None = None) -> dict:
        """The probe's result, as engine.probes.run_probe gives it; ProbeError with its one line otherwise."""
        return self._ask({"probe": probe, "args": plain_data(dict(args or {})), "lang": language()})

    def start(self) -> None:
        """Start the process now if it is not running (its priority is that of the calling thread)."""
        with self._lock:
            self._running_child()

    def warm(self) -> None:
        """Start the process and load torch and the models there (a first step then costs what later ones do)."""
        self._ask({"warm": True})

    def models_loaded(self) -> frozenset[str]:
        """The models the running process has loaded with torch: each one a warm-up or a step used."""
        child = self._child
        return frozenset(child.loaded) if child is not None and child.process.poll() is None else frozenset()

    def close(self) -> None:
        """End the process (a request under way is answered with an error) and start no other."""
        with self._lock:
            self._closed = True
            child, self._child = self._child, None
        if child is not None:
            child.process.kill()
            child.process.wait()

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.process.pid if child is not None and child.process.poll() is None else None

    def _ask(self, request: dict) -> dict:
        """The result the process sends for `request`; ProbeError with its one line otherwise."""
        reply = _Reply()
        with self._lock:
            child, number = self._running_child(), next(self._ids)
            child.waiting[number] = reply
        line = json.dumps({**request, "id": number}, default=str).encode("utf-8") + b"\n"
        # Not under _lock: a write can wait for the process to read, which can wait for the reader to take
        # its answers, which needs _lock.
        with self._write_lock:
            try:
                child.process.stdin.write(line)
                child.process.stdin.flush()
            except (OSError, ValueError):  # the process has died (or was closed): the reader answers for it
                pass
        if not reply.done.wait(self.timeout):
            child.silent_for = self.timeout
            child.process.kill()  # the reader then answers this request and every other it owed
            reply.done.wait()
        if isinstance(reply.message.get("error"), str):
            raise probes.ProbeError(reply.message["error"])
        if not isinstance(reply.message.get("result"), dict):
            raise probes.ProbeError(_("the engine process sent no result"))
        if request.get("warm"):
            child.loaded.update(probes.MODELS)
        elif "probe" in request:  # the app sends only the probes that need torch here
            child.loaded.add(str(request["args"].get("model", "char")))
        return reply.message["result"]

    def _running_child(self) -> _Child:
        """The running process, started if need be (under _lock)."""
        if self._closed:
            raise probes.ProbeError(_("the engine process has been closed"))
        if self._child is None or self._child.process.poll() is not None:
            try:
                self._child = _Child(self.command)
            except OSError as error:
                raise probes.ProbeError(_("could not start the engine process: {error}").format(error=error))
            threading.Thread(target=self._read, args=(self._child,), name="engine-process-reader",
                             daemon=True).start()
        return self._child

    def _read(self, child: _Child) -> None:
        """Hand each answer to the request that waits for it; when the process ends, answer the rest."""
        try:
            for line in child.process.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # not an answer (nothing but the server should write here)
                if not isinstance(message, dict) or not isinstance(message.get("id"), int):
                    continue
                with self._lock:
                    reply = child.waiting.pop(message["id"], None)
                if reply is not None:
                    reply.message = message
                    reply.done.set()
        finally:
            self._answer_the_rest(child)

    def _answer_the_rest(self, child: _Child) -> None:
        reason = child.reason()
        with self._lock:
            owed, child.waiting = list(child.waiting.values()), {}
            if self._child is child:
                self._child = None
        for reply in owed:
            reply.message = {"error": _("the engine process stopped ({reason}); the next try starts it again")
                             .format(reason=reason)}
            reply.done.set()
