"""Moodle XML export (well-formed, the elements Moodle's importer reads) and import, with round trips."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from question_bank.interchange import moodle_xml
from question_bank.interchange.common import exportable
from question_bank.loader import load_pack
from question_bank.models import Choice, Pack, Question, Topic
from quizapp.instructor_cli import export_main, import_main

DATA = Path(__file__).parent / "data" / "interchange"
COURSE = Path(__file__).resolve().parents[1] / "question_bank" / "packs" / "llm-foundations"

PACK = Pack(
    id="demo", title="Demo <pack> & more", version="2.0",
    topics=(Topic("attn", "Attention & scores"), Topic("ppo", "PPO")),
    questions=(
        Question("demo", "q1", "attn", "single", "Is 1 < 2 & \"x\"?", (
            Choice("yes <b>", True, "why & how"), Choice("no", False, None), Choice("none", False, "pinned", pin=True)),
            "Because **2** > 1.", tags=("basics", "math")),
        Question("demo", "q2", "ppo", "multiple", "Pick all that apply.", (
            Choice("a", True), Choice("b", True), Choice("c", True), Choice("d"))),
        Question("demo", "q3", "ppo", "multiple", "Select all that apply (one is right).", (
            Choice("a", True), Choice("b"))),
    ),
)


def test_the_export_is_well_formed_and_has_moodles_elements():
    text, notes = moodle_xml.export(PACK)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    categories = root.findall("question[@type='category']")
    assert [c.findtext("category/text") for c in categories] == [
        "$course$/top/Demo <pack> & more/Attention & scores", "$course$/top/Demo <pack> & more/PPO"]
    assert [c.findtext("idnumber") for c in categories] == ["attn", "ppo"]
    q1, q2, q3 = root.findall("question[@type='multichoice']")
    assert q1.findtext("name/text") == "q1" and q1.findtext("idnumber") == "q1"
    assert q1.find("questiontext").get("format") == "markdown"
    assert q1.findtext("questiontext/text") == 'Is 1 < 2 & "x"?'
    assert q1.findtext("generalfeedback/text") == "Because **2** > 1."
    assert [q.findtext("single") for q in (q1, q2, q3)] == ["true", "false", "false"]
    assert q1.findtext("shuffleanswers") == "false" and q2.findtext("shuffleanswers") == "true"  # q1 pins a choice
    assert q1.findtext("answernumbering") == "ABCD"
    answers = q1.findall("answer")
    assert [(a.get("fraction"), a.findtext("text"), a.findtext("feedback/text")) for a in answers] == [
        ("100", "yes <b>", "why & how"), ("0", "no", ""), ("0", "none", "pinned")]
    assert [a.get("fraction") for a in q2.findall("answer")] == ["33.33333", "33.33333", "33.33333", "-100"]
    assert [t.text for t in q1.findall("tags/tag/text")] == ["basics", "math"]
    assert notes == ["question 'q1': a pinned choice keeps every choice in place (shuffleanswers false)"]


def test_round_trip_keeps_what_moodle_xml_holds():
    text, _ = moodle_xml.export(PACK)
    back = moodle_xml.parse(text, "demo.xml")
    assert not back.problems, back.problems
    assert back.pack.title == "Demo <pack> & more"
    assert [(t.id, t.title) for t in back.pack.topics] == [("attn", "Attention & scores"), ("ppo", "PPO")]
    for a, b in zip(PACK.questions, back.pack.questions, strict=True):
        assert (b.id, b.topic, b.type, b.prompt, b.explanation, b.tags) == (
            a.id, a.topic, a.type, a.prompt, a.explanation, a.tags)
        assert [(c.text, c.correct, c.why) for c in b.choices] == [(c.text, c.correct, c.why) for c in a.choices]


def test_round_trip_of_the_course_pack(tmp_path):
    out = tmp_path / "course.xml"
    assert export_main(["moodle-xml", str(COURSE), "-o", str(out)]) == 0
    ET.parse(out)  # well-formed
    again = tmp_path / "course.yaml"
    assert import_main(["moodle-xml", str(out), "-o", str(again)]) == 0
    expected, _ = exportable(load_pack(COURSE).pack)
    got = {q.id: q for q in load_pack(again).pack.questions}
    assert len(got) == len(expected)
    for q in expected:
        b = got[q.id]
        assert (b.topic, b.type, b.prompt, b.explanation or None) == (
            q.topic, q.type, q.prompt.strip(), q.explanation.strip() if q.explanation else None)
        assert [(c.text, c.correct, c.why) for c in b.choices] == [
            (c.text.strip(), c.correct, c.why.strip() if c.why else None) for c in q.choices]


def test_a_moodle_export_imports_with_html_converted_true_false_kept_and_other_types_skipped(tmp_path, capsys):
    source = DATA / "moodle-export.xml"
    out = tmp_path / "stages.yaml"
    assert import_main(["moodle-xml", str(source), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("3 questions imported, 1 skipped (1 short-answer)\n")
    assert f"{source}:87:1: warning: skipped a short-answer question 'Name the stage'" in captured.err
    pack = load_pack(out).pack
    order, human, uses_ppo = pack.questions
    assert order.id == "stage-order" and order.prompt == (
        "Which order do the **training stages** of an assistant LLM follow?")
    assert order.choices[0] == Choice("Pre-training, SFT, RLHF", True, "Right.")
    assert order.choices[2].why is None and order.tags == ("stages",)
    assert human.type == "multiple" and [c.correct for c in human.choices] == [True, True, False]
    assert [(c.text, c.correct) for c in uses_ppo.choices] == [("True", True), ("False", False)]
    assert uses_ppo.extras == {"x-moodle-qtype": "truefalse"}
    assert [(t.id, t.title, t.description) for t in pack.topics] == [
        ("training-stages", "Training stages", "Pre-training, SFT and RLHF.")]


def test_xml_that_is_not_well_formed_is_an_error_with_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.xml"
    bad.write_text("<quiz>\n  <question type=\"multichoice\">\n</quiz>\n", encoding="utf-8")
    assert import_main(["moodle-xml", str(bad), "-o", str(tmp_path / "bad.yaml")]) == 1
    assert f"{bad}:3:3: error: not well-formed XML: mismatched tag" in capsys.readouterr().err
    assert not (tmp_path / "bad.yaml").exists()


def test_external_entities_are_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    text = (f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>\n'
            '<quiz><question type="multichoice"><name><text>q</text></name>'
            '<questiontext format="markdown"><text>Q &x;</text></questiontext>'
            '<answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer>'
            '</question></quiz>')
    result = moodle_xml.parse(text, "evil.xml")
    assert "SECRET" not in str(result.pack) + str(result.problems)
