"""The probes that need torch run in a second Python process, the engine process, beside the app's.

A PPO step is some 0.3 s of small torch operations. Run in a thread of the app's
process, it shared the interpreter lock with the UI thread: whenever a screen was
being drawn (a question answered, a lab opened) the step advanced by about one
operation per hand-over of the lock, took up to twice as long, and the screen
waited for it too. In a process of its own it runs on the other core, and the
app's process never imports torch.

    from quizapp.engine_process import run_probe
    run_probe("ppo_step", {"prompt": "what does the critic do?"})

The full-screen app turns the process on (`use_process`), unless
QUIZAPP_NO_ENGINE_PROCESS is set; headless runs (tests) and `--plain` run every
probe in their own process, as before. Requests and
answers are JSON lines over the child's stdin and stdout (plain data, which
nothing on either side executes); the child answers one request at a time, in
the order sent (quizapp.engine_process.server). It starts on first need (or from
the warm-up), and again after it has died; it ends with the app.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from quizapp.engine_process.client import EngineProcess

TORCH_PROBES = frozenset({"ppo_step"})  # the only probes that import torch (engine.probes.rlhf)


def torch_key(model: str) -> str:
    """How the labs name torch with `model`'s RLHF models loaded, beside the checkpoints' names."""
    return f"torch ({model})"


_use_process = False
_engine: EngineProcess | None = None
_engine_lock = threading.Lock()  # two threads' first requests share one process


def use_process(on: bool) -> None:
    """Run the torch probes in the engine process from now on (True), or in this process (False)."""
    global _use_process
    _use_process = on


def wanted(headless: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Whether an app should use the engine process: with a screen, unless QUIZAPP_NO_ENGINE_PROCESS is set
    (to anything but 0)."""
    environ = os.environ if environ is None else environ
    return not headless and environ.get("QUIZAPP_NO_ENGINE_PROCESS", "0") in ("", "0")


def in_process() -> bool:
    """True when this process runs the torch probes itself."""
    return not _use_process


def engine() -> EngineProcess:
    """The app's one engine process client (the process itself starts on its first request)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from quizapp.engine_process.client import EngineProcess
            _engine = EngineProcess()
        return _engine


def torch_loaded() -> frozenset[str]:
    """torch_key() of each model the running engine process has loaded (none when it is not running, or was
    just restarted)."""
    return frozenset(map(torch_key, _engine.models_loaded())) if _engine is not None else frozenset()


def close() -> None:
    """End the engine process, if one was started; a later engine() is a new client (a new app)."""
    global _engine
    with _engine_lock:
        closing, _engine = _engine, None
    if closing is not None:
        closing.close()


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def failure_line(probe: str, error: BaseException) -> str:
    """A probe call's unexpected failure (a bug, the environment) in one line, never a traceback."""
    return one_line(f"{probe} failed: {type(error).__name__}: {error}")


def run_probe(name: str, args: Mapping[str, Any] | None = None) -> dict:
    """engine.probes.run_probe, in the engine process for the probes that need torch once it is on."""
    if _use_process and name in TORCH_PROBES:
        return engine().run(name, args)
    from engine import probes
    return probes.run_probe(name, args)
