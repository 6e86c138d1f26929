"""Anki notes export: Anki's header lines, one note per line, fronts and backs as HTML, tags."""
from __future__ import annotations

from pathlib import Path

from question_bank.interchange import anki
from question_bank.loader import load_pack
from question_bank.models import Choice, Pack, Question, Topic
from quizapp.instructor_cli import export_main

COURSE = Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations"

PACK = Pack(
    id="demo", title="Demo deck", topics=(Topic("ppo", "PPO"),),
    questions=(
        Question("demo", "clip", "ppo", "single", "What is **clipped**\tin PPO?\n\nPick one <b>.", (
            Choice("The advantage", False, "No: Â is not clipped."),
            Choice("The ratio r_t(θ)", True, 'Yes, "the ratio".'),
            Choice("The reward", False, None)), "The ratio is clipped to [1 − ε, 1 + ε].",
            tags=("ppo core", "clip")),
        Question("demo", "many", "ppo", "multiple", "Which are PPO terms?", (
            Choice("ε", True), Choice("γ", False), Choice("Â_t", True))),
    ),
)


def test_header_lines_and_columns():
    text, notes = anki.export(PACK)
    lines = text.splitlines()
    assert lines[:7] == ["#separator:tab", "#html:true", "#notetype:Basic", "#deck:Demo deck", "#guid column:1",
                         "#tags column:4", "#columns:GUID\tFront\tBack\tTags"]
    notes_lines = lines[7:]
    assert len(notes_lines) == 2 and notes == []
    assert all(len(line.split("\t")) == 4 for line in notes_lines)
    assert [line.split("\t")[0] for line in notes_lines] == ["demo/clip", "demo/many"]


def test_front_back_and_tags():
    text, _ = anki.export(PACK)
    guid, front, back, tags = text.splitlines()[7].split("\t")
    assert front.startswith("<p>What is <strong>clipped</strong> in PPO?</p> <p>Pick one &lt;b&gt;.</p>")
    assert "<b>A.</b> The advantage" in front and "<b>B.</b> The ratio r_t(θ)" in front and "<b>C.</b>" in front
    assert "Answer: B" in back and "The ratio r_t(θ)" in back
    assert "<b>A</b>: No: Â is not clipped." in back and "<b>B</b> ✓: Yes, &quot;the ratio&quot;." in back
    assert "The ratio is clipped to [1 − ε, 1 + ε]." in back
    assert '"' not in front + back  # no CSV quoting needed
    assert tags == "demo::ppo ppo_core clip"
    _, front2, back2, _ = text.splitlines()[8].split("\t")
    assert "(select all that apply)" in front2 and "Answer: A, C" in back2


def test_the_course_pack_exports_one_note_per_question(tmp_path, capsys):
    out = tmp_path / "course.txt"
    assert export_main(["anki", str(COURSE), "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    pack = load_pack(COURSE).pack
    notes = [line for line in lines if not line.startswith("#")]
    assert len(notes) == len(pack.questions)
    assert all(len(line.split("\t")) == 4 for line in notes)
    assert {line.split("\t")[0] for line in notes} == {q.key for q in pack.questions}
    assert "#deck:LLM Foundations" in lines
