"""Real processes: a session killed with SIGKILL keeps every answer and is offered for resuming;
two processes writing at once lose nothing."""
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from progress_packs import make_pack
from quizapp.progress import open_store
from quizapp.study.clock import FakeClock
from quizapp.study.exam import ExamSession
from quizapp.study.persist import resume_session
from quizapp.study.practice import PracticeSession

TESTS = str(Path(__file__).parent)
PACK = make_pack()

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

PRELUDE = f"""
import json, sys, time
sys.path.insert(0, {TESTS!r})
from progress_packs import make_pack
from quizapp.progress import open_store
from quizapp.study.review import ReviewScheduler
store = open_store()  # QUIZAPP_HOME points into the test's tmp_path
pack = make_pack()
"""


def spawn(home: Path, body: str) -> subprocess.Popen:
    env = {**os.environ, "QUIZAPP_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(body)], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_ready(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        proc.kill()
        raise AssertionError(f"child failed: {line!r} {proc.communicate(timeout=10)[1]}")
    return line[len("ready"):].strip()


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL  # reaped: no zombie that looks alive


def test_practice_killed_mid_session_resumes_with_every_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    proc = spawn(tmp_path, """
        from quizapp.study.practice import PracticeSession
        from quizapp.study.persist import track_practice
        session = PracticeSession.start(pack.questions, count=8, seed=5)
        track_practice(store, session, settings={"count": 8, "seed": 5}, scheduler=ReviewScheduler(store))
        given = []
        for pick in ({0}, {1}, {0}):
            session.show()
            answer = session.answer(pick)
            given.append([answer.item.question.key, sorted(pick), answer.correct])
        print("ready", json.dumps(given), flush=True)
        time.sleep(60)
    """)
    given = json.loads(wait_ready(proc))
    kill9(proc)

    with open_store() as store:
        [record] = store.unfinished_sessions()
        assert record.mode == "practice" and len(record.items) == 8 and record.settings == {"count": 8, "seed": 5}
        assert [[a.question_key, sorted(a.picked), a.correct] for a in record.answers.values()] == given
        assert len(store.review_logs()) == 3  # the FSRS ratings were committed too
        resumed = resume_session(store, record, [PACK], clock=FakeClock())
        session = resumed.session
        assert isinstance(session, PracticeSession) and resumed.skipped == () and resumed.message is None
        assert session.position == 3 and [a.item.question.key for a in session.answers] == [g[0] for g in given]
        assert [i.order for i in session.items] == [i.order for i in record.items]
        fourth = session.current
        session.answer({0})
        assert store.session(record.id).answers[3].question_key == fourth.question.key
        resumed.tracker.finish(session.summary())
        assert store.unfinished_sessions() == []


def test_exam_killed_mid_way_resumes_with_answers_flags_and_time_left(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path))
    proc = spawn(tmp_path, """
        from quizapp.study.exam import ExamSession
        from quizapp.study.persist import track_exam
        exam = ExamSession.start(pack.questions, count=6, time_limit_seconds=600, seed=3)
        track_exam(store, exam, settings={"count": 6})
        exam.select(1); exam.next()
        exam.select(0); exam.flag(); exam.next()
        exam.select(2); exam.goto(4); exam.flag()
        print("ready", json.dumps([sorted(p) for p in exam.picks]), flush=True)
        time.sleep(60)
    """)
    picks = json.loads(wait_ready(proc))
    kill9(proc)

    with open_store() as store:
        [record] = store.unfinished_sessions()
        assert record.mode == "exam" and record.answered == 3 and record.flags == {1, 4}
        clock = FakeClock()
        exam = resume_session(store, record, [PACK], clock=clock).session
        assert isinstance(exam, ExamSession)
        assert [sorted(p) for p in exam.picks] == picks
        assert [e.status for e in exam.map()] == ["answered", "flagged", "answered", "open", "flagged", "open"]
        assert exam.position == 4
        assert 590 < exam.remaining() <= 600  # the clock was paused while the app was gone
        clock.advance(exam.remaining())
        result = exam.tick()
        assert result.auto_submitted and result.answered == 3
        assert store.session(record.id).status == "finished"


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    body = """
        reviews = ReviewScheduler(store)
        sid = store.start_session("practice", "demo", [(q.key, (0, 1, 2, 3)) for q in pack.questions])
        print("ready", sid, flush=True)
        sys.stdin.readline()  # both start writing together
        for i in range(200):
            q = pack.questions[i % len(pack.questions)]
            store.record_answer(sid, i, q.key, {i % 2}, {i % 2}, i % 2 == 0, 1.5)
            if i % 4 == 0:
                reviews.rate(q.key, i % 2 == 0, 1.5, None)  # read-modify-write of shared cards
            time.sleep(0.001)  # let the other process in between writes
        print("done", flush=True)
    """
    procs = [spawn(tmp_path, body) for _ in range(2)]
    sessions = [int(wait_ready(p)) for p in procs]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0 and out.strip() == "done", err
    with open_store(tmp_path / "progress.sqlite3") as store:
        answers = store.answers()
        assert len(answers) == 400
        for sid in sessions:
            assert sorted(a.position for a in answers if a.session_id == sid) == list(range(200))
        assert len(store.review_logs()) == 100
