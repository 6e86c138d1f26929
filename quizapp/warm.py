"""Work done ahead of time, so that what the learner opens next is loaded already.

Nothing here is on the path to the first screen: the app starts it once the home
screen has been painted, in one daemon thread at the lowest CPU priority:

1. at once: the modules of the question screen and the other study modes
   (the home screen imports them only when a key asks for them), then the
   app's `after_study` (QuizApp reads those screens' styles);
2. after `labs_delay` seconds on screen (the learner is reading): the lab screens
   and the app's `after_labs` (their styles), then torch, the checkpoints and one
   small run of the slowest probes
   (engine.probes.warm_up; torch in the engine process, quizapp.engine_process),
   so that the first PPO step in a lab costs what the next ones cost.

Off when QUIZAPP_NO_WARM is set (to anything but 0) and in headless runs (tests,
benchmarks) unless the app is asked to warm. A failure is ignored here: the lab
reports it when the learner runs the probe.
"""
from __future__ import annotations

import gc
import importlib
import os
import sys
import threading
from typing import Callable, Iterable

STUDY_MODULES = ("quizapp.screens.launch", "quizapp.screens.question", "quizapp.screens.summary",
                 "quizapp.screens.exam_setup", "quizapp.study.drill", "quizapp.labs.menu")
LAB_MODULES = ("quizapp.labs.tokens", "quizapp.labs.positional", "quizapp.labs.attention", "quizapp.labs.policy",
               "quizapp.labs.ppo")
LABS_DELAY = 1.0  # seconds after the home screen is painted


def wanted(asked: bool | None, headless: bool) -> bool:
    """`asked` is the app's own choice (None: the default for this kind of run)."""
    if asked is not None:
        return asked
    return not headless and os.environ.get("QUIZAPP_NO_WARM", "0") in ("", "0")


def warm_engine() -> None:
    """torch, the checkpoints and a small run of the slowest probes; the labs then know them warm.
    The torch probes warm up where they will run: in the engine process once the app uses one."""
    from engine.probes import WARM_PROBES, warm_up
    from quizapp.engine_process import TORCH_PROBES, engine, in_process

    if in_process():
        warm_up()
    else:
        warm_up(probe for probe in WARM_PROBES if probe not in TORCH_PROBES)
        engine().warm()
    from quizapp.labs.base import mark_warm
    mark_warm()
    # torch and the checkpoints stay for the app's lifetime. Frozen, the collector no longer walks their
    # objects: a full collection took 80-120 ms of the UI thread (often just as a question was answered).
    gc.collect(1)
    gc.freeze()


class Warmer:
    """One background thread; `done` is set when every step has run (or failed)."""

    def __init__(self, study: Iterable[str] | None = None, labs: Iterable[str] | None = None,
                 engine: Callable[[], None] | None = None, labs_delay: float | None = None,
                 after_study: Callable[[], None] | None = None, after_labs: Callable[[], None] | None = None) -> None:
        """None takes this module's STUDY_MODULES, LAB_MODULES, warm_engine and LABS_DELAY;
        `after_study` and `after_labs` run (in the thread) once those modules are imported."""
        self.after_study, self.after_labs = after_study, after_labs
        self.study = tuple(STUDY_MODULES if study is None else study)
        self.labs = tuple(LAB_MODULES if labs is None else labs)
        self.engine = warm_engine if engine is None else engine
        self.labs_delay = LABS_DELAY if labs_delay is None else labs_delay
        self.done = threading.Event()
        self.failures: list[str] = []  # one line per step that failed, for tests and debugging
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="quizapp-warm", daemon=True)

    def start(self) -> "Warmer":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Skip what has not started yet (the step under way finishes)."""
        self._stop.set()

    def _run(self) -> None:
        lowest_priority()
        try:
            for module in self.study:
                self._step(module, lambda m=module: importlib.import_module(m))
            if self.after_study is not None:
                self._step("after study", self.after_study)
            if self._stop.wait(self.labs_delay):
                return
            for module in self.labs:
                self._step(module, lambda m=module: importlib.import_module(m))
            if self.after_labs is not None:
                self._step("after labs", self.after_labs)
            self._step("engine", self.engine)
        finally:
            self.done.set()

    def _step(self, name: str, work: Callable[[], object]) -> None:
        if self._stop.is_set():
            return
        try:
            work()
        except Exception as error:  # the lab that needs it reports the problem when it runs
            self.failures.append(f"{name}: {type(error).__name__}: {error}")


def lowest_priority() -> None:
    """Nice 19 for this thread only: on Linux a thread is scheduled on its own and has its own nice value."""
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except OSError:
        pass
