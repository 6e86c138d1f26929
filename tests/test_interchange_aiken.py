"""Aiken import and export: both option styles, errors with line numbers, round trips."""
from __future__ import annotations

from pathlib import Path

import pytest

from question_bank.interchange import aiken
from question_bank.interchange.common import exportable, one_line
from question_bank.loader import load_pack
from question_bank.models import Choice, Pack, Question, Topic
from quizapp.instructor_cli import export_main, import_main

DATA = Path(__file__).parent / "data" / "interchange"
SAMPLE = DATA / "llm-quiz.aiken.txt"
COURSE = Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations"


def test_the_sample_imports_with_both_option_styles():
    result = aiken.parse(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE), topic=Topic("quiz", "Quiz"))
    assert not result.problems and (result.imported, result.skipped) == (4, 0)
    qs = result.pack.questions
    assert [q.prompt for q in qs] == [
        "What does the tokenizer produce from the input text?",
        "Which term of the PPO objective is clipped?",
        "In scaled dot-product attention the scores are divided by\nwhich quantity before the softmax?",
        "What does a KL penalty to the SFT model prevent during RLHF?",
    ]
    assert [[c.correct for c in q.choices].index(True) for q in qs] == [0, 1, 1, 0]
    assert qs[1].choices == (Choice("The advantage Â_t"), Choice("The probability ratio r_t(θ)", True),
                             Choice("The value loss"))
    assert all(q.topic == "quiz" and q.type == "single" for q in qs)
    assert [q.id for q in qs][:2] == ["what-does-the-tokenizer-produce-from", "which-term-of-the-ppo-objective"]


def test_a_missing_answer_line_and_other_mistakes_are_errors_with_lines(tmp_path, capsys):
    source = DATA / "missing-answer.aiken.txt"
    out = tmp_path / "quiz.yaml"
    assert import_main(["aiken", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{source}:7:1: error: the question here has no ANSWER line before the next question starts (line 12)",
        f"{source}:14:1: error: option 'C' where 'B' was expected: options are lettered A, B, C, ... in order",
        f"{source}:15:1: error: ANSWER 'E' is not one of the options A to B",
        f"quizapp import: 3 errors in {source}; nothing written",
    ]
    assert not out.exists()


@pytest.mark.parametrize("text,line,message", [
    ("Q?\nA. a\nB. b\n", 1, "has no ANSWER line before the end of the file"),
    ("A. a\nB. b\nANSWER: A\n", 1, "option 'A' without a question before it"),
    ("Q?\nA. a\nANSWER: A\n", 3, "needs at least 2 options"),
    ("Q?\nA. a\nB. b\nANSWER: A, B\n", 4, "ANSWER must name one option letter"),
    ("ANSWER: A\n", 1, "ANSWER line without a question"),
    ("Q?\nA. same\nB. same\nANSWER: A\n", 1, "two options of this question have the same text"),
])
def test_malformed_aiken(text, line, message):
    result = aiken.parse(text, "bad.txt")
    assert result.pack is None
    assert any(p.line == line and message in p.message for p in result.errors), result.problems


def test_the_cli_import_writes_a_loadable_pack(tmp_path, capsys):
    out = tmp_path / "quiz.yaml"
    assert import_main(["aiken", str(SAMPLE), "-o", str(out), "--pack-id", "llm-quiz", "--title", "LLM quiz"]) == 0
    assert capsys.readouterr().out == f"4 questions imported, 0 skipped\nwrote {out}\n"
    pack = load_pack(out).pack
    assert (pack.id, pack.title, [t.id for t in pack.topics]) == ("llm-quiz", "LLM quiz", ["general"])


PACK = Pack(id="mixed", title="Mixed", topics=(Topic("t", "T"),), questions=(
    Question("mixed", "one", "t", "single", "Which one?\nSecond line.", (Choice("a"), Choice("b", True, "why"))),
    Question("mixed", "many", "t", "multiple", "Which ones?", (Choice("a", True), Choice("b", True))),
))


def test_export_keeps_single_answer_questions_and_notes_the_rest():
    text, notes = aiken.export(PACK)
    assert text == "Which one? Second line.\nA. a\nB. b\nANSWER: B\n"
    assert notes == ["skipped 1 multiple-answer question (Aiken holds single-answer questions only): many",
                     "Aiken has no feedback: the whys and explanations of 1 question are left out"]


def test_round_trip_of_the_course_pack(tmp_path):
    out = tmp_path / "course.txt"
    assert export_main(["aiken", str(COURSE), "-o", str(out)]) == 0
    again = tmp_path / "course.yaml"
    assert import_main(["aiken", str(out), "-o", str(again)]) == 0
    expected = [q for q in exportable(load_pack(COURSE).pack)[0] if q.type == "single"]
    imported = load_pack(again).pack.questions
    assert len(imported) == len(expected)
    for a, b in zip(expected, imported, strict=True):
        assert b.prompt == one_line(a.prompt)
        assert [(c.text, c.correct) for c in b.choices] == [(one_line(c.text), c.correct) for c in a.choices]
