"""The engine process: the torch probes computed in a second process give what this process computes,
errors come back as one line in the app's language, a dead process is reported and started again, and
the app's own process never imports torch for them."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from engine import probes
from quizapp import engine_process, i18n
from quizapp.engine_process.client import EngineProcess
from quizapp.engine_process.server import answer

STEP = {"prompt": "what does the critic do?", "seed": 1, "model": "word"}


def fake_server(code: str) -> EngineProcess:
    """A client of a stand-in process running `code` (stdin and stdout are the protocol's)."""
    return EngineProcess([sys.executable, "-c", code])


@pytest.fixture(scope="module")
def engine():
    client = EngineProcess()
    yield client
    client.close()


def test_a_ppo_step_in_the_engine_process_is_the_one_computed_here(engine):
    assert engine.run("ppo_step", STEP) == probes.run_probe("ppo_step", STEP)  # the same numbers after JSON


def test_a_probe_error_comes_back_as_its_line_in_the_apps_language(engine):
    with i18n.in_language("de"):
        with pytest.raises(probes.ProbeError) as there:
            engine.run("ppo_step", {**STEP, "prompt": "  "})
        with pytest.raises(probes.ProbeError) as here:
            probes.run_probe("ppo_step", {**STEP, "prompt": "  "})
    assert str(there.value) == str(here.value) != ""
    assert "leer" in str(there.value)  # German, as the app speaks


def test_requests_from_several_threads_each_get_their_own_answer(engine):
    results: dict[int, dict] = {}

    def ask(n: int) -> None:
        results[n] = engine.run("softmax", {"scores": [n, 0]})

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: probes.run_probe("softmax", {"scores": [n, 0]}) for n in range(6)}


def test_a_process_that_dies_is_reported_in_one_line_and_the_next_request_starts_another():
    client = fake_server("import sys; sys.stdin.readline(); sys.stderr.write('Traceback\\nboom\\n'); sys.exit(3)")
    for _ in range(2):  # each request starts a process, which dies
        with pytest.raises(probes.ProbeError) as error:
            client.run("softmax", {"scores": [1, 0]})
        assert str(error.value) == ("the engine process stopped (exit status 3: boom); "
                                    "the next try starts it again")


def test_a_process_that_does_not_answer_is_stopped_and_said_so():
    client = EngineProcess([sys.executable, "-c", "import sys, time; sys.stdin.readline(); time.sleep(60)"],
                           timeout=0.5)
    with pytest.raises(probes.ProbeError) as error:
        client.run("softmax", {"scores": [1, 0]})
    assert str(error.value) == ("the engine process stopped (no answer in 0.5 s); "
                                "the next try starts it again")
    assert client.pid is None


ANSWER_EVERYTHING = ("import json, sys\n"
                     "for line in sys.stdin:\n"
                     "    print(json.dumps({'id': json.loads(line)['id'], 'result': {}}), flush=True)\n")


def test_what_the_engine_process_has_loaded_is_forgotten_when_it_dies(monkeypatch):
    from quizapp.labs.base import warm_models

    client = fake_server(ANSWER_EVERYTHING)
    monkeypatch.setattr(engine_process, "_engine", client)
    monkeypatch.setattr(engine_process, "_use_process", True)
    try:
        assert not engine_process.torch_loaded()  # nothing started yet
        client.run("ppo_step", {"prompt": "x", "model": "word"})
        assert engine_process.torch_loaded() == {"torch (word)"}
        client.warm()
        assert engine_process.torch_loaded() == {"torch (char)", "torch (word)"} <= warm_models()
        os.kill(client.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while client.pid is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        # A new process has loaded nothing: the lab says "loading torch…" again, not "running…".
        assert not engine_process.torch_loaded() and not warm_models() & {"torch (char)", "torch (word)"}
    finally:
        client.close()


def test_lines_that_are_not_answers_are_skipped():
    client = fake_server("import json, sys\n"
                         "request = json.loads(sys.stdin.readline())\n"
                         "print('a warning'); print('[1, 2]'); print(json.dumps({'id': -5, 'result': {}}))\n"
                         "print(json.dumps({'id': request['id'], 'result': {'ok': True}}), flush=True)\n"
                         "sys.stdin.readline()")
    try:
        assert client.run("softmax", {"scores": [1, 0]}) == {"ok": True}
    finally:
        client.close()


def test_a_process_that_cannot_start_is_one_line():
    client = EngineProcess(["/nonexistent/python"])
    with pytest.raises(probes.ProbeError, match="could not start the engine process"):
        client.run("softmax", {"scores": [1, 0]})


def test_close_ends_the_process_and_a_request_waiting_for_it_gets_an_error():
    client = fake_server("import sys, time; sys.stdin.readline(); time.sleep(60)")
    errors: list[str] = []

    def ask() -> None:
        try:
            client.run("softmax", {"scores": [1, 0]})
        except probes.ProbeError as error:
            errors.append(str(error))

    thread = threading.Thread(target=ask)
    thread.start()
    while client.pid is None and thread.is_alive():
        thread.join(0.01)
    client.close()
    thread.join(10)
    assert not thread.is_alive() and client.pid is None
    assert errors and errors[0].startswith("the engine process stopped (signal 9")


def server_with(run_probe_source: str) -> subprocess.Popen:
    """The real server, with engine.probes.run_probe replaced by `run_probe_source` (defines run_probe)."""
    code = ("import engine.probes as p, quizapp.engine_process.server as s\n"
            "real = p.run_probe\n" + run_probe_source + "p.run_probe = run_probe\ns.main()")
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_what_a_probe_prints_never_reaches_the_answers():
    server = server_with("def run_probe(name, args):\n    print('noise'); return real(name, args)\n")
    server.stdin.write(json.dumps({"id": 7, "probe": "softmax", "args": {"scores": [2, 1, 0]}}) + "\n")
    server.stdin.flush()
    line = server.stdout.readline()
    server.stdin.close()
    assert server.wait(timeout=60) == 0
    assert json.loads(line) == {"id": 7, "result": probes.run_probe("softmax", {"scores": [2, 1, 0]})}
    assert server.stdout.read() == "" and "noise" in server.stderr.read()


def test_any_text_a_learner_types_comes_back_whole():
    server = server_with("def run_probe(name, args):\n    return {'echo': args['text']}\n")
    text = "lone \ud800 surrogate, ümlaut, 字"
    server.stdin.write(json.dumps({"id": 1, "probe": "echo", "args": {"text": text}}) + "\n")
    server.stdin.flush()
    line = server.stdout.readline()
    server.stdin.close()
    server.wait(timeout=60)
    assert json.loads(line) == {"id": 1, "result": {"echo": text}}


def test_a_closed_client_starts_no_other_process_and_a_new_app_gets_a_new_one(monkeypatch):
    client = fake_server("import sys; sys.stdin.readline()")
    client.close()
    with pytest.raises(probes.ProbeError, match="has been closed"):
        client.run("softmax", {"scores": [1, 0]})
    assert client.pid is None
    monkeypatch.setattr(engine_process, "_engine", client)
    engine_process.close()
    assert engine_process.engine() is not client


def test_the_app_starts_the_engine_process_from_its_own_thread_once_the_labs_are_loaded(monkeypatch):
    # A process takes the nice value of the thread that starts it: the warm-up's thread runs at nice 19.
    from quizapp.app import QuizApp

    started: list[str] = []

    class Recording:
        def start(self):
            started.append(threading.current_thread().name)
    monkeypatch.setattr(engine_process, "_engine", Recording())
    monkeypatch.setattr(engine_process, "_use_process", True)
    monkeypatch.setattr(QuizApp, "_read_lab_styles", lambda self: None)
    QuizApp._after_labs(object.__new__(QuizApp))
    assert started == [threading.current_thread().name]
    monkeypatch.setattr(engine_process, "_use_process", False)
    QuizApp._after_labs(object.__new__(QuizApp))
    assert len(started) == 1  # computing in the app's own process: no engine process


def test_the_server_ends_when_the_app_does_even_in_the_middle_of_a_request():
    server = server_with("import time\ndef run_probe(name, args):\n    time.sleep(120)\n")
    server.stdin.write(json.dumps({"id": 1, "probe": "softmax", "args": {}}) + "\n")
    server.stdin.flush()
    server.stdin.close()  # as when the app ends
    assert server.wait(timeout=60) == 0  # long before the request's two minutes


def test_the_server_answers_every_kind_of_failure_in_one_line(monkeypatch):
    assert answer({"id": 1, "probe": "no_such_probe", "args": {}})["error"]
    assert answer({"id": 2, "probe": "softmax", "args": {"scores": "x"}})["error"]

    def broken(name, args):
        raise ZeroDivisionError("division by zero\nin a line")
    monkeypatch.setattr(probes, "run_probe", broken)
    assert answer({"id": 3, "probe": "softmax", "args": {}}) == {
        "id": 3, "error": "softmax failed: ZeroDivisionError: division by zero in a line"}


def test_only_the_torch_probes_go_to_the_engine_process_and_only_once_it_is_on(monkeypatch):
    sent: list[str] = []

    class Recording:
        def run(self, name, args=None):
            sent.append(name)
            return {"from": "engine process"}
    monkeypatch.setattr(engine_process, "_engine", Recording())
    monkeypatch.setattr(engine_process, "_use_process", False)
    assert engine_process.run_probe("softmax", {"scores": [1, 0]}) == probes.run_probe("softmax", {"scores": [1, 0]})
    engine_process.use_process(True)
    assert engine_process.run_probe("ppo_step", STEP) == {"from": "engine process"}
    assert engine_process.run_probe("softmax", {"scores": [1, 0]})["probabilities"]  # computed here
    assert sent == ["ppo_step"]


def test_with_the_engine_process_this_process_never_imports_torch():
    code = ("import sys\n"
            "from quizapp import engine_process\n"
            "engine_process.use_process(True)\n"
            f"result = engine_process.run_probe('ppo_step', {STEP!r})\n"
            "engine_process.close()\n"
            "print(len(result['episodes']), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["8", "False"], out.stderr


def test_the_warm_up_loads_torch_in_the_engine_process_and_the_rest_here(monkeypatch):
    import engine.probes as engine_probes
    from quizapp import warm

    warmed_here: list[tuple] = []
    warmed_there: list[bool] = []

    class Recording:
        def warm(self):
            warmed_there.append(True)
    monkeypatch.setattr(engine_process, "_engine", Recording())
    monkeypatch.setattr(engine_process, "_use_process", True)
    monkeypatch.setattr(engine_probes, "warm_up", lambda which=("all",): warmed_here.append(tuple(which)))
    monkeypatch.setattr(warm.gc, "freeze", lambda: None)
    warm.warm_engine()
    assert warmed_here == [("compare_stages",)] and warmed_there == [True]
    engine_process.use_process(False)
    warm.warm_engine()
    assert warmed_here[-1] == ("all",) and warmed_there == [True]  # all of it here, nothing there


async def test_a_headless_app_computes_every_probe_in_its_own_process_and_a_full_screen_one_uses_the_engine_process(
        monkeypatch):
    from quizapp.app import QuizApp
    from quizapp.catalog import Catalog
    from quizapp.options import Options

    closed: list[bool] = []
    monkeypatch.setattr(engine_process, "_use_process", False)
    monkeypatch.setattr(engine_process, "close", lambda: closed.append(True))
    monkeypatch.delenv("QUIZAPP_NO_ENGINE_PROCESS", raising=False)
    for headless in (True, False):
        monkeypatch.setattr(QuizApp, "is_headless", headless)
        engine_process.use_process(headless)  # the other way round: the app must set it
        app = QuizApp(Catalog((), (), ()), Options(user_packs=None))
        async with app.run_test() as pilot:
            await pilot.pause()
            assert engine_process.in_process() == headless
    assert closed == [True, True]  # the app ends its engine process with it


def test_the_engine_process_can_be_turned_off():
    assert engine_process.wanted(headless=False, environ={})
    assert engine_process.wanted(headless=False, environ={"QUIZAPP_NO_ENGINE_PROCESS": "0"})
    assert not engine_process.wanted(headless=False, environ={"QUIZAPP_NO_ENGINE_PROCESS": "1"})
    assert not engine_process.wanted(headless=True, environ={})
