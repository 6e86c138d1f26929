"""GIFT import and export: every construct of Moodle's reader, errors with lines, round trips."""
from __future__ import annotations

from pathlib import Path

import pytest

from question_bank.interchange import gift
from question_bank.interchange.common import exportable
from question_bank.loader import load_pack
from question_bank.models import Choice, Pack, Question, Topic
from quizapp.instructor_cli import export_main, import_main

DATA = Path(__file__).parent / "data" / "interchange"
SAMPLE = DATA / "llm-week3.gift"
COURSE = Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations"


@pytest.fixture(scope="module")
def sample():
    result = gift.parse(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE))
    assert not result.errors, result.errors
    return result


def by_id(pack: Pack) -> dict[str, Question]:
    return {q.id: q for q in pack.questions}


def test_the_sample_imports_and_skips_what_a_pack_cannot_hold(sample):
    assert (sample.imported, sample.skipped) == (10, 5)
    assert sample.skipped_kinds == {"short-answer": 1, "numerical": 1, "matching": 1, "essay": 1, "description": 1}
    skipped = [(p.line, p.message.split(":")[0]) for p in sample.warnings if p.message.startswith("skipped")]
    assert skipped == [
        (73, "skipped a short-answer question 'short-answer'"),
        (75, "skipped a numerical question 'numeric'"),
        (77, "skipped a matching question 'matching'"),
        (83, "skipped an essay question 'essay'"),
        (85, "skipped a description (text without an answer block)"),
    ]


def test_titles_categories_and_feedback(sample):
    pack = sample.pack
    assert (pack.id, pack.title) == ("llm-fundamentals", "LLM Fundamentals")  # the categories' common parent
    assert [(t.id, t.title) for t in pack.topics] == [("general", "General"), ("attention", "Attention"),
                                                      ("ppo-objective", "PPO objective")]
    qs = by_id(pack)
    assert list(qs) == ["warm-up", "attn-scaling", "attn-causal", "escapes-braces-and-friends",
                        "the-softmax-over-the-keys-makes", "ppo-clip-effects", "ppo-ratio-def", "partial-credit",
                        "tf-question", "tf-with-feedback"]
    warm = qs["warm-up"]
    assert warm.topic == "general" and warm.type == "single"
    assert warm.prompt == "Which layer turns token ids into vectors?"
    assert warm.choices[0] == Choice("The embedding layer", True, "It looks up one learned vector per token id.")
    scaling = qs["attn-scaling"]
    assert scaling.topic == "attention" and "**√d_k**" in scaling.prompt  # [markdown] kept as written
    assert scaling.explanation == ("Dividing by √d_k keeps the scores in a range where the softmax still has "
                                   "useful gradients.")
    assert [c.correct for c in scaling.choices] == [True, False, False]


def test_html_is_turned_into_markdown(sample):
    q = by_id(sample.pack)["attn-causal"]
    assert q.prompt == "In a **decoder-only** model, position *t* may attend to …"
    assert [c.text for c in q.choices] == ["every position", "positions 1 to *t*", "positions after *t* only"]
    assert q.explanation == "The causal mask hides **later** positions."


def test_escapes_become_their_characters(sample):
    q = by_id(sample.pack)["escapes-braces-and-friends"]
    assert q.prompt == "In the set {q, k, v}, which statement about a ~ b = c # 1 holds?"
    assert q.choices[0].text == "It is a literal text with {braces}, a tilde ~, an equals sign = and a hash #."
    assert q.choices[2].text == "It has a title: no."
    assert by_id(sample.pack)["ppo-ratio-def"].prompt == "What is r_t(θ) in PPO?\nGive the definition."


def test_missing_word_and_multi_line_answers(sample):
    qs = by_id(sample.pack)
    assert qs["the-softmax-over-the-keys-makes"].prompt == (
        "The softmax over the keys makes the attention weights _____ for every query.")
    ratio = qs["ppo-ratio-def"]
    assert ratio.choices[0].why == "The probability of the action under the new policy over the old one."


def test_weights_without_an_equals_sign_make_a_multiple_question(sample):
    effects = by_id(sample.pack)["ppo-clip-effects"]
    assert effects.type == "multiple" and [c.correct for c in effects.choices] == [True, True, False, False]
    assert [c.extras for c in effects.choices] == [{}, {}, {}, {}]  # 50/50/-100/-100: what export writes anyway


def test_partial_credit_stays_a_single_question_with_the_grade_in_the_why(sample):
    partial = by_id(sample.pack)["partial-credit"]
    assert partial.type == "single" and [c.correct for c in partial.choices] == [True, False, False]
    assert partial.choices[1].why == "Partial credit (50 %) in the source: Half credit in Moodle."
    assert [c.extras["x-fraction"] for c in partial.choices] == [100, 50, 0]
    assert not [p for p in sample.warnings if "partial-credit" in p.message]


def test_true_false_questions_are_two_pinned_choices(sample):
    qs = by_id(sample.pack)
    assert [(c.text, c.correct, c.pin) for c in qs["tf-question"].choices] == [("True", True, True),
                                                                              ("False", False, True)]
    feedback = qs["tf-with-feedback"].choices
    assert [(c.text, c.correct, c.why) for c in feedback] == [
        ("True", False, "Wrong: TRPO uses a second-order step."), ("False", True, "Right: it uses the Fisher matrix.")]


def test_the_cli_writes_a_pack_the_loader_accepts(tmp_path, capsys):
    out = tmp_path / "week3.yaml"
    assert import_main(["gift", str(SAMPLE), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ("10 questions imported, 5 skipped (1 short-answer, 1 numerical, 1 matching, 1 essay, "
                            f"1 description)\nwrote {out}\n")
    assert f"{SAMPLE}:73:1: warning: skipped a short-answer question 'short-answer'" in captured.err
    result = load_pack(out)
    assert result.ok and len(result.pack.questions) == 10
    assert out.read_text(encoding="utf-8").startswith("# Imported from llm-week3.gift (gift)")


def test_an_unclosed_brace_is_an_error_with_its_line_and_nothing_is_written(tmp_path, capsys):
    source = DATA / "unclosed-brace.gift"
    out = tmp_path / "broken.yaml"
    assert import_main(["gift", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:8:45: error: unclosed brace: the answer block opened here 'broken' has no '}}'" in err
    assert "nothing written" in err
    assert not out.exists()


@pytest.mark.parametrize("text,line,message", [
    ("::a:: Q{=x ~y}\n\n::b:: R}{=x ~y}\n", 3, "'}' without an opening '{'"),
    ("::a:: Q{=x {~y}\n", 1, "'{' inside an answer block"),
    ("::a:: Q{=x ~y} and {=z ~w}\n", 1, "a second answer block"),
    ("::a Q{=x ~y}\n", 1, "the title '::' is not closed"),
    ("::a:: Q{~x ~y}\n", 1, "has no right answer"),
    ("::a:: Q{=x}\n\n::b:: R{=x ~x}\n", 3, "the answer 'x' appears twice"),
    ("::a:: Q{~%150%x ~y}\n", 1, "the grade 150 % is outside -100 % to 100 %"),
])
def test_malformed_questions(text, line, message):
    result = gift.parse(text, "bad.gift")
    assert result.pack is None
    assert any(p.line == line and message in p.message for p in result.errors), result.problems


def test_the_default_output_is_never_overwritten_silently(tmp_path, capsys):
    source = tmp_path / "quiz.gift"
    source.write_text("::q1:: Which? {=a ~b}\n", encoding="utf-8")
    assert import_main(["gift", str(source)]) == 0
    assert (tmp_path / "quiz.yaml").exists()
    assert import_main(["gift", str(source)]) == 1
    assert "exists" in capsys.readouterr().err
    assert import_main(["gift", str(source), "--force", "--pack-id", "my-quiz", "--topic", "basics"]) == 0
    pack = load_pack(tmp_path / "quiz.yaml").pack
    assert pack.id == "my-quiz" and [t.id for t in pack.topics] == ["basics"]


# --- export and round trips ---

TRICKY = Pack(
    id="tricky", title="Tricky / texts", version="1.0",
    topics=(Topic("t-a", "Topic: A"), Topic("t-b", "B {braces}")),
    questions=(
        Question("tricky", "q-specials", "t-a", "single",
                 "Is a ~ b = c # d {e} f: g \\ h?\n\nA second paragraph with **bold**.",
                 (Choice("x = 1 ~ y", True, "why #1: {ok}"), Choice("::not a title::", False, "a\nb"),
                  Choice("\\n stays", False)),
                 "Explanation with\nlines and = signs."),
        Question("tricky", "q-multi", "t-b", "multiple", "Pick all (select all that apply).",
                 (Choice("one", True), Choice("two", True), Choice("three", True), Choice("four", False, "no"))),
        Question("tricky", "q-multi-one", "t-b", "multiple", "Select all that apply, maybe only one.",
                 (Choice("only", True), Choice("not", False))),
    ),
)


def _same(a: Question, b: Question) -> None:
    assert (b.id, b.topic, b.type) == (a.id, a.topic, a.type)
    assert b.prompt == a.prompt.strip()
    assert [(c.text, c.correct, c.why) for c in b.choices] == [
        (c.text.strip(), c.correct, c.why.strip() if c.why else None) for c in a.choices]
    assert b.explanation == (a.explanation.strip() if a.explanation else None)


def test_round_trip_keeps_every_field_gift_holds(tmp_path):
    text, notes = gift.export(TRICKY)
    assert "::q-specials::[markdown]Is a \\~ b \\= c \\# d \\{e\\} f\\: g \\\\ h?\\n\\nA second" in text
    assert "\t~%33.33333%one" in text and "\t~%-100%four#no" in text and "\t~%100%only" in text
    back = gift.parse(text, "tricky.gift")
    assert not back.problems, back.problems
    assert (back.pack.id, back.pack.title) == ("tricky", "Tricky / texts")
    assert [(t.id, t.title) for t in back.pack.topics] == [(t.id, t.title) for t in TRICKY.topics]
    for a, b in zip(TRICKY.questions, back.pack.questions, strict=True):
        _same(a, b)


def test_round_trip_of_the_course_pack(tmp_path, capsys):
    out = tmp_path / "course.gift"
    assert export_main(["gift", str(COURSE), "-o", str(out), "--seed", "3"]) == 0
    err = capsys.readouterr().err
    assert "calculated questions exported as one drawn instance each (seed 3" in err
    again = tmp_path / "course.yaml"
    assert import_main(["gift", str(out), "-o", str(again)]) == 0
    original = load_pack(COURSE).pack
    expected, _ = exportable(original, seed=3)
    imported = load_pack(again).pack
    assert imported.id == original.id and imported.title == original.title
    assert {(t.id, t.title) for t in imported.topics} == {(t.id, t.title) for t in original.topics}
    got = by_id(imported)
    assert len(got) == len(expected) == len(original.questions)
    for q in expected:
        _same(q, got[q.id])


def test_export_of_a_bad_pack_is_one_clear_message(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 2\n", encoding="utf-8")
    assert export_main(["gift", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"quizapp export: {bad} is not a valid pack (")


def test_export_to_standard_output_and_skipping_calculated(capsys):
    assert export_main(["gift", "llm-foundations", "--calculated", "skip"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("// pack-id: llm-foundations\n")
    assert "calc-clip-objective" not in captured.out
    assert "skipped 11 calculated questions" in captured.err
