"""The engine process: runs the probe requests the app sends on stdin, one JSON line each, and
writes one JSON line per answer on stdout (quizapp.engine_process is the other side).

    {"id": 1, "probe": "ppo_step", "args": {...}, "lang": "de"}  →  {"id": 1, "result": {...}}
                                                                  or {"id": 1, "error": "one line"}
    {"id": 2, "warm": true}                                        →  {"id": 2, "result": {}}

It ends when its stdin closes (the app has ended), at once, even in the middle of a request. What anything
else prints goes to stderr, never into the answers.
"""
from __future__ import annotations

import json
import os
import queue
import sys
import threading
from typing import Any


def answer(request: dict[str, Any]) -> dict[str, Any]:
    from engine import probes
    from quizapp.engine_process import failure_line
    from quizapp.i18n import language, set_language

    number = request.get("id")
    try:
        if request.get("warm"):
            warm()
            return {"id": number, "result": {}}
        lang = request.get("lang")
        if isinstance(lang, str) and lang != language():
            set_language(lang)  # probe errors in the app's language
        return {"id": number, "result": probes.run_probe(str(request.get("probe")), request.get("args") or {})}
    except probes.ProbeError as error:
        return {"id": number, "error": str(error)}
    except Exception as error:  # a bug or the environment: one line for the app to show
        return {"id": number, "error": failure_line(str(request.get("probe", "warm-up")), error)}


def warm() -> None:
    """engine.probes.warm_up for the torch probes, in a thread at the lowest CPU priority (the learner's
    screen comes first); a request that arrives meanwhile waits for it."""
    from engine.probes import warm_up
    from quizapp.engine_process import TORCH_PROBES
    from quizapp.warm import lowest_priority

    failures: list[BaseException] = []

    def run() -> None:
        lowest_priority()
        try:
            warm_up(TORCH_PROBES)
        except BaseException as error:  # handed to the request's answer
            failures.append(error)

    thread = threading.Thread(target=run, name="engine-warm")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def read_requests(requests: queue.Queue) -> None:
    """stdin's lines into `requests`; at its end (the app has ended, even in the middle of a step) the
    process ends at once."""
    for line in sys.stdin:
        requests.put(line)
    os._exit(0)


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="ascii")  # \u escapes: any string goes
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints, even from C, go to stderr
    sys.stdout = sys.stderr
    requests: queue.Queue = queue.Queue()
    threading.Thread(target=read_requests, args=(requests,), name="engine-requests", daemon=True).start()
    while True:
        try:
            request = json.loads(requests.get())
        except ValueError:
            continue
        if isinstance(request, dict):
            answers.write(json.dumps(answer(request)) + "\n")
            answers.flush()


if __name__ == "__main__":
    main()
