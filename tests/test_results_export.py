"""`quizapp results export`: the learner's answers as JSON Lines, picked choices in pack order."""
import io
import json
from dataclasses import replace
from pathlib import Path

from progress_packs import make_pack
from question_bank.loader import load_pack
from question_bank.models import CalculatedQuestion
from quizapp import settings
from quizapp.locations import database_path
from quizapp.progress.db import open_store
from quizapp.results.cli import results_main
from quizapp.study.clock import FakeClock
from quizapp.study.exam import ExamSession
from quizapp.study.persist import track_exam, track_practice
from quizapp.study.practice import PracticeSession

PACK = replace(make_pack("demo"), version="2.1.0")
COURSE = load_pack(Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations").pack


def export(*argv: str) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    status = results_main(["export", *argv], out, err)
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def practise(store, questions, seed: int, picks: list[int], pack_id: str = "demo", version: str | None = "2.1.0"):
    """Answer the first len(picks) questions at the given display positions; returns the items asked."""
    clock = FakeClock()
    session = PracticeSession.start(questions, seed=seed, clock=clock)
    track_practice(store, session, "practice", pack_id=pack_id, pack_version=version)
    asked = []
    for position in picks:
        session.show()
        clock.advance(7.5)
        asked.append(session.current)
        session.answer({position})
    return asked


def test_picked_holds_pack_order_whatever_the_shuffle():
    singles = [q for q in PACK.questions if q.type == "single"]
    with open_store(database_path()) as store:
        asked = practise(store, singles, seed=5, picks=[0, 1, 2, 3, 0, 1])
    assert any(item.order != tuple(range(4)) for item in asked)  # the shuffle did move choices
    status, lines, err = export()
    assert status == 0 and "6 answers written" in err
    assert len(lines) == 6
    for item, display, line in zip(asked, [0, 1, 2, 3, 0, 1], lines):
        pack_index = item.order[display]
        assert line["question"] == item.question.id and line["pack"] == "demo"
        assert line["picked"] == [pack_index]
        assert line["correct"] is item.question.choices[pack_index].correct
        assert line["pack_version"] == "2.1.0" and line["mode"] == "practice"
        assert line["seconds"] == 7.5 and line["at"].endswith("Z")
        assert "params" not in line


def test_the_learner_is_a_saved_pseudonym_unless_named():
    with open_store(database_path()) as store:
        practise(store, PACK.questions[:2], seed=1, picks=[0, 0])
    _, first, _ = export()
    _, again, _ = export()
    name = first[0]["learner"]
    assert len(name) == 8 and name.isalnum()
    assert {line["learner"] for line in first + again} == {name}
    assert settings.get("pseudonym") == name
    _, named, _ = export("--learner", "Ada Lovelace")
    assert {line["learner"] for line in named} == {"Ada Lovelace"}
    assert export("--learner", "")[0] == 2


def test_calculated_questions_carry_their_parameters():
    calculated = [q for q in COURSE.questions if isinstance(q, CalculatedQuestion)][:3]
    with open_store(database_path()) as store:
        asked = practise(store, calculated, seed=2, picks=[0, 1, 2], pack_id=COURSE.id, version=COURSE.version)
    _, lines, _ = export("--pack", COURSE.id)
    assert [line["params"] for line in lines] == [dict(item.question.drawn) for item in asked]
    for item, display, line in zip(asked, [0, 1, 2], lines):
        assert line["picked"] == [item.order[display]]  # the drawn instance's own order: 0 is the answer
        assert line["correct"] is (item.order[display] == 0)


def test_exam_answers_count_once_submitted_and_only_the_last_choice():
    clock = FakeClock()
    with open_store(database_path()) as store:
        exam = ExamSession.start(PACK.questions, None, count=3, time_limit_seconds=600, seed=4, clock=clock)
        track_exam(store, exam, pack_id="demo", pack_version="2.1.0")
        exam.select(0)
        exam.set_answer({1})  # changed: only the second choice counts
        assert export()[1] == []  # not submitted yet: the learner may still change answers
        exam.submit()
        status, lines, _ = export()
    assert status == 0 and len(lines) == 1
    assert lines[0]["mode"] == "exam" and lines[0]["picked"] == [exam.items[0].order[1]]


def test_pack_filter_and_output_file(tmp_path):
    other = replace(make_pack("other"), version=None)
    with open_store(database_path()) as store:
        practise(store, PACK.questions[:2], seed=1, picks=[0, 0])
        practise(store, other.questions[:3], seed=1, picks=[0, 0, 0], pack_id="other", version=None)
    target = tmp_path / "mine.jsonl"
    status, stdout, err = export("--pack", "other", "-o", str(target))
    assert status == 0 and stdout == [] and f"to {target}" in err
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["pack"] for line in lines] == ["other"] * 3
    assert all(line["pack_version"] is None for line in lines)
    assert export("--pack", "Not An Id")[0] == 2
    assert export("-o", str(tmp_path))[0] == 2


def test_without_a_database_there_is_nothing_to_export():
    status, lines, err = export()
    assert status == 1 and lines == [] and "no answers yet" in err
    assert not database_path().exists()  # and none was created by asking
