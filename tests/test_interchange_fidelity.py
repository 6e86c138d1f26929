"""Import fidelity: each Moodle construct, in GIFT and in Moodle XML, gives exactly the pack YAML expected.

The sources are our own questions written in the shapes of Moodle's documented
examples (GIFT's examples.txt, the Moodle XML test fixtures): partial credit in a
single-answer question, weighted multiple answers, true/false, embedded files,
HTML, nested categories and the kinds a pack cannot hold. Round trips through a
pack keep every question's kind, grades and feedback, read back by a small
reader written here from Moodle's rules (not by the importers under test).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from rich.markdown import Markdown

from question_bank.interchange import common, gift, moodle_xml
from question_bank.interchange.common import ImportResult, pack_yaml
from question_bank.loader import load_pack
from quizapp.instructor_cli import export_main, import_main

DATA = Path(__file__).parent / "data" / "interchange"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg=="


def quiz(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}</quiz>\n'


def questions_yaml(result: ImportResult) -> str:
    assert not result.errors, result.errors
    text = pack_yaml(result.pack)
    return text[text.index("questions:\n"):]


def parse(fmt: str, source: str, **options) -> ImportResult:
    if fmt == "gift":
        return gift.parse(source, "quiz.gift", **options)
    return moodle_xml.parse(source, "quiz.xml", **options)


# --- single answer with partial credit ---

PARTIAL_GIFT = """::gae-target:: Which quantity does GAE estimate?{
\t=The advantage Â_t#Yes\\: it weighs the TD errors.
\t~%50%The return G_t#Close\\: returns minus a baseline.
\t~%-25%The reward model's score#No.
\t~The KL penalty
\t####GAE estimates the advantage.
}
"""
PARTIAL_XML = quiz("""<question type="multichoice">
  <name><text>gae-target</text></name>
  <questiontext format="html"><text><![CDATA[<p>Which quantity does GAE estimate?</p>]]></text></questiontext>
  <generalfeedback format="html"><text>GAE estimates the advantage.</text></generalfeedback>
  <single>true</single>
  <answer fraction="100" format="html"><text>The advantage Â_t</text>
    <feedback format="html"><text>Yes: it weighs the TD errors.</text></feedback></answer>
  <answer fraction="50" format="html"><text>The return G_t</text>
    <feedback format="html"><text>Close: returns minus a baseline.</text></feedback></answer>
  <answer fraction="-25" format="html"><text>The reward model's score</text>
    <feedback format="html"><text>No.</text></feedback></answer>
  <answer fraction="0" format="html"><text>The KL penalty</text>
    <feedback format="html"><text></text></feedback></answer>
</question>
""")
PARTIAL_YAML = """questions:
- id: gae-target
  topic: general
  type: single
  prompt: Which quantity does GAE estimate?
  choices:
  - text: The advantage Â_t
    correct: true
    why: 'Yes: it weighs the TD errors.'
    x-fraction: 100
  - text: The return G_t
    why: 'Partial credit (50 %) in the source: Close: returns minus a baseline.'
    x-fraction: 50
  - text: The reward model's score
    why: No.
    x-fraction: -25
  - text: The KL penalty
    x-fraction: 0
  explanation: GAE estimates the advantage.
"""

# --- multiple answers with weights ---

WEIGHTS_GIFT = """::human-data:: Which stages need data written by people?{
\t~%50%Supervised fine-tuning#Demonstrations.
\t~%50%Reward model training#Rankings.
\t~%-50%Pre-training#Web text.
\t~%-50%PPO updates
}
"""
WEIGHTS_XML = quiz("""<question type="multichoice">
  <name><text>human-data</text></name>
  <questiontext format="html"><text>Which stages need data written by people?</text></questiontext>
  <single>false</single>
  <answer fraction="50"><text>Supervised fine-tuning</text><feedback><text>Demonstrations.</text></feedback></answer>
  <answer fraction="50"><text>Reward model training</text><feedback><text>Rankings.</text></feedback></answer>
  <answer fraction="-50"><text>Pre-training</text><feedback><text>Web text.</text></feedback></answer>
  <answer fraction="-50"><text>PPO updates</text></answer>
</question>
""")
WEIGHTS_YAML = """questions:
- id: human-data
  topic: general
  type: multiple
  prompt: Which stages need data written by people?
  choices:
  - text: Supervised fine-tuning
    correct: true
    why: Demonstrations.
    x-fraction: 50
  - text: Reward model training
    correct: true
    why: Rankings.
    x-fraction: 50
  - text: Pre-training
    why: Web text.
    x-fraction: -50
  - text: PPO updates
    x-fraction: -50
"""

# --- true/false ---

TRUE_FALSE_GIFT = """::on-policy:: PPO learns from samples of the current policy.{T}

::trpo-order:: TRPO needs only first-order gradients.{FALSE#No\\: it takes a second-order step.#Right\\: it uses the Fisher matrix.####TRPO solves a constrained problem.}
"""
TRUE_FALSE_XML = quiz("""<question type="truefalse">
  <name><text>on-policy</text></name>
  <questiontext format="html"><text><![CDATA[<p>PPO learns from samples of the current policy.</p>]]></text></questiontext>
  <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
  <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
</question>
<question type="truefalse">
  <name><text>trpo-order</text></name>
  <questiontext format="html"><text>TRPO needs only first-order gradients.</text></questiontext>
  <generalfeedback format="html"><text>TRPO solves a constrained problem.</text></generalfeedback>
  <answer fraction="0" format="moodle_auto_format"><text>true</text>
    <feedback format="html"><text>No: it takes a second-order step.</text></feedback></answer>
  <answer fraction="100" format="moodle_auto_format"><text>false</text>
    <feedback format="html"><text>Right: it uses the Fisher matrix.</text></feedback></answer>
</question>
""")
TRUE_FALSE_YAML = """questions:
- id: on-policy
  topic: general
  type: single
  prompt: PPO learns from samples of the current policy.
  choices:
  - text: 'True'
    correct: true
    pin: true
  - text: 'False'
    pin: true
  x-moodle-qtype: truefalse
- id: trpo-order
  topic: general
  type: single
  prompt: TRPO needs only first-order gradients.
  choices:
  - text: 'True'
    why: 'No: it takes a second-order step.'
    pin: true
  - text: 'False'
    correct: true
    why: 'Right: it uses the Fisher matrix.'
    pin: true
  explanation: TRPO solves a constrained problem.
  x-moodle-qtype: truefalse
"""

# --- HTML ---

HTML_PROMPT = ("<p>The <strong>scaled</strong> score is q&middot;k / &radic;d<sub>k</sub> &amp; x<sup>2</sup> "
               "grows.<br>Which <em>line</em> of <code>attn(q, k)</code> holds?</p>"
               "<ol><li>r<sub>t</sub> &lt; 1</li><li>2*3*4</li></ol>"
               "<table><tr><th>head</th><th>weight</th></tr><tr><td>1</td><td>0.5</td></tr></table>")
HTML_GIFT = ("::html-texts::[html]" + HTML_PROMPT.replace(":", "\\:")
             + "{\n\t=[html]<b>the first</b>#[html]<i>Yes</i>\n\t~the second\n}\n")
HTML_XML = quiz(f"""<question type="multichoice">
  <name><text>html-texts</text></name>
  <questiontext format="html"><text><![CDATA[{HTML_PROMPT}]]></text></questiontext>
  <answer fraction="100" format="html"><text><![CDATA[<b>the first</b>]]></text>
    <feedback format="html"><text><![CDATA[<i>Yes</i>]]></text></feedback></answer>
  <answer fraction="0" format="html"><text>the second</text></answer>
</question>
""")
HTML_YAML = """questions:
- id: html-texts
  topic: general
  type: single
  prompt: |-
    The **scaled** score is q·k / √d_k & x² grows.\\
    Which *line* of `attn(q, k)` holds?

    1. r_t < 1
    2. 2\\*3\\*4

    head | weight\\
    1 | 0.5
  choices:
  - text: '**the first**'
    correct: true
    why: '*Yes*'
  - text: the second
"""


@pytest.mark.parametrize("fmt,source,expected", [
    ("gift", PARTIAL_GIFT, PARTIAL_YAML), ("moodle-xml", PARTIAL_XML, PARTIAL_YAML),
    ("gift", WEIGHTS_GIFT, WEIGHTS_YAML), ("moodle-xml", WEIGHTS_XML, WEIGHTS_YAML),
    ("gift", TRUE_FALSE_GIFT, TRUE_FALSE_YAML), ("moodle-xml", TRUE_FALSE_XML, TRUE_FALSE_YAML),
    ("gift", HTML_GIFT, HTML_YAML), ("moodle-xml", HTML_XML, HTML_YAML),
], ids=["partial-gift", "partial-xml", "weights-gift", "weights-xml", "truefalse-gift", "truefalse-xml",
        "html-gift", "html-xml"])
def test_each_construct_gives_the_exact_yaml(fmt, source, expected):
    result = parse(fmt, source)
    assert questions_yaml(result) == expected
    assert load_pack_text(pack_yaml(result.pack)).ok


def load_pack_text(text: str, folder: Path | None = None):
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.yaml"
        path.write_text(text, encoding="utf-8")
        return load_pack(path)


def test_a_table_is_kept_as_text_with_a_warning_at_its_line():
    for fmt, source, line in (("gift", HTML_GIFT, 1), ("moodle-xml", HTML_XML, 5)):
        warnings = [(p.line, p.message) for p in parse(fmt, source).warnings]
        assert warnings == [(line, "a table is kept as text, a row per line with cells separated by '|': "
                                   "the TUI cannot show tables")]


@pytest.mark.parametrize("fmt,source", [("gift", TRUE_FALSE_GIFT), ("moodle-xml", TRUE_FALSE_XML)])
def test_true_false_takes_the_words_of_the_pack_language(fmt, source):
    result = parse(fmt, source, language="de")
    assert result.pack.language == "de"
    assert [[(c.text, c.correct) for c in q.choices] for q in result.pack.questions] == [
        [("Wahr", True), ("Falsch", False)], [("Wahr", False), ("Falsch", True)]]


# --- embedded files ---

MEDIA_XML = quiz(f"""<question type="multichoice">
  <name><text>heat-map</text></name>
  <questiontext format="html">
    <text><![CDATA[<p>Read <img src="@@PLUGINFILE@@/heat%20map.png" alt="weights"> and
      <img src="@@PLUGINFILE@@/lost.png">.</p>]]></text>
    <file name="heat map.png" path="/" encoding="base64">{PNG}</file>
  </questiontext>
  <answer fraction="100"><text>Row i</text></answer>
  <answer fraction="0"><text>Column i</text></answer>
</question>
""")
MEDIA_GIFT = ('::heat-map::[html]<p>Read <img src\\="data\\:image/png;base64,' + PNG.replace("=", "\\=")
              + '"> and <img src\\="@@PLUGINFILE@@/lost.png">.</p>{=Row i ~Column i}\n')


def test_embedded_files_are_saved_beside_the_pack_and_referred_to_in_the_prompt():
    result = parse("moodle-xml", MEDIA_XML)
    assert result.pack.questions[0].prompt == ("Read [image: heat-map.png](quiz.media/heat-map.png) and "
                                               "[image: lost.png].")
    assert [(m.name, m.line) for m in result.media] == [("heat-map.png", 8)]
    assert result.media[0].data.startswith(b"\x89PNG")
    assert [(p.line, p.severity, p.message) for p in result.problems] == [
        (5, "warning", "the text refers to the file 'lost.png', but it is not in the file: the reference is kept "
                       "without it"),
        (8, "note", "embedded file 'heat map.png' saved as quiz.media/heat-map.png")]


def test_gift_saves_images_written_into_the_text_and_says_it_carries_no_files():
    result = parse("gift", MEDIA_GIFT)
    assert result.pack.questions[0].prompt == "Read [image: image.png](quiz.media/image.png) and [image: lost.png]."
    assert [m.name for m in result.media] == ["image.png"]
    assert [(p.severity, p.message) for p in result.problems] == [
        ("note", "an image written into the text (data: address) saved as quiz.media/image.png"),
        ("warning", "the text refers to the file 'lost.png', but GIFT carries no files: the reference is kept "
                    "without it")]


def test_the_cli_writes_the_files_into_the_media_folder_and_reports_each(tmp_path, capsys):
    source = DATA / "moodle-media.xml"
    out = tmp_path / "week4.yaml"
    assert import_main(["moodle-xml", str(source), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (f"3 questions imported, 3 skipped (1 short-answer, 1 essay, 1 cloze)\n"
                            f"wrote 2 embedded files into {tmp_path / 'week4.media'}\nwrote {out}\n")
    assert f"{source}:29:1: note: embedded file 'heat map.png' saved as week4.media/heat-map.png" in captured.err
    assert f"{source}:30:1: note: embedded file 'explain.mp3' saved as week4.media/explain.mp3" in captured.err
    assert sorted(p.name for p in (tmp_path / "week4.media").iterdir()) == ["explain.mp3", "heat-map.png"]
    pack = load_pack(out).pack
    heat = pack.questions[0]
    assert heat.prompt == ("The heat map [image: heat-map.png](week4.media/heat-map.png) shows one head. "
                           "[Listen first](week4.media/explain.mp3).")
    assert (tmp_path / "week4.media" / "heat-map.png").read_bytes().startswith(b"\x89PNG")


def test_a_file_name_cannot_leave_the_media_folder(tmp_path):
    source = tmp_path / "evil.xml"
    source.write_text(quiz(f"""<question type="multichoice"><name><text>q</text></name>
      <questiontext format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/..%2F..%2Fevil.png">]]></text>
      <file name="../../evil.png" path="/" encoding="base64">{PNG}</file></questiontext>
      <answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer></question>
    """), encoding="utf-8")
    (tmp_path / "out").mkdir()
    assert import_main(["moodle-xml", str(source), "-o", str(tmp_path / "out" / "p.yaml")]) == 0
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.png")) == ["out/p.media/evil.png"]


def test_the_tui_shows_the_reference_and_the_path():
    # MarkdownText draws prompts with rich's Markdown, hyperlinks off: a link shows as "text (target)".
    console = Console(width=100, record=True, color_system=None)
    console.print(Markdown("The map [image: map.png](week4.media/map.png) shows it.", hyperlinks=False))
    assert "The map image: map.png (week4.media/map.png) shows it." in console.export_text()


# --- categories ---

CATEGORIES_GIFT = """$CATEGORY: $course$/Top/Transformers/Attention

::q1:: Which matrix holds the attention weights?{=softmax(QKᵀ/√d_k) ~QKᵀ}

$CATEGORY: $course$/Top/RLHF

::q2:: What does the reward model score?{=An answer ~A token}
"""
CATEGORIES_XML = quiz("""<question type="category"><category><text>$course$/Top/Transformers</text></category>
  <info format="html"><text><![CDATA[<p>How a <b>transformer</b> reads.</p>]]></text></info></question>
<question type="category"><category><text>$course$/Top/Transformers/Attention</text></category>
  <info format="markdown"><text>Queries, keys and **values**.</text></info><idnumber>attn</idnumber></question>
<question type="multichoice"><name><text>q1</text></name>
  <questiontext format="html"><text>Which matrix holds the attention weights?</text></questiontext>
  <answer fraction="100"><text>softmax(QKᵀ/√d_k)</text></answer><answer fraction="0"><text>QKᵀ</text></answer>
</question>
<question type="category"><category><text>$course$/Top/RLHF</text></category>
  <info format="plain_text"><text>Learning from *preferences*.</text></info></question>
<question type="multichoice"><name><text>q2</text></name>
  <questiontext format="html"><text>What does the reward model score?</text></questiontext>
  <answer fraction="100"><text>An answer</text></answer><answer fraction="0"><text>A token</text></answer>
</question>
""")


def topics_yaml(result: ImportResult) -> str:
    text = pack_yaml(result.pack)
    return text[text.index("topics:\n"):text.index("questions:\n")]


def test_nested_categories_become_topics_titled_by_their_path():
    result = parse("gift", CATEGORIES_GIFT)
    assert result.pack.title == "Top"
    assert topics_yaml(result) == ("topics:\n- id: transformers-attention\n  title: Transformers / Attention\n"
                                   "- id: rlhf\n  title: RLHF\n")
    result = parse("moodle-xml", CATEGORIES_XML)
    assert result.pack.title == "Top"
    assert topics_yaml(result) == (  # the info becomes the description (a category without questions is no topic)
        "topics:\n- id: attn\n  title: Transformers / Attention\n  description: Queries, keys and **values**.\n"
        "- id: rlhf\n  title: RLHF\n  description: Learning from \\*preferences\\*.\n")
    assert [q.topic for q in result.pack.questions] == ["attn", "rlhf"]


def test_nested_topics_are_exported_as_nested_categories_and_read_back():
    pack = parse("moodle-xml", CATEGORIES_XML).pack
    text, _ = moodle_xml.export(pack)
    root = ET.fromstring(text)
    categories = root.findall("question[@type='category']")
    assert [c.findtext("category/text") for c in categories] == ["$course$/top/Top/Transformers/Attention",
                                                                 "$course$/top/Top/RLHF"]
    assert [c.findtext("info/text") for c in categories] == ["Queries, keys and **values**.",
                                                             "Learning from \\*preferences\\*."]
    again = moodle_xml.parse(text, "again.xml").pack
    assert again.topics == pack.topics
    gift_again = gift.parse(gift.export(pack)[0], "again.gift").pack
    assert [(t.id, t.title) for t in gift_again.topics] == [(t.id, t.title) for t in pack.topics]


# --- kinds a pack cannot hold ---

KINDS_GIFT = """::essay:: Explain the clip.{}

::numeric:: How many heads has GPT-2 small?{#12}

::match:: Match.{=ε -> clip range =γ -> discount}

::short:: Name the optimiser.{=Adam =AdamW}

A description, no answer block.

::kept:: Which is clipped?{=the ratio ~the advantage}
"""
KINDS_XML = quiz("""<question type="essay"><name><text>essay</text></name></question>
<question type="numerical"><name><text>numeric</text></name></question>
<question type="match"><name><text>match</text></name></question>
<question type="shortanswer"><name><text>short</text></name></question>
<question type="multianswer"><name><text>cloze</text></name></question>
<question type="description"><name><text>intro</text></name></question>
<question type="multichoice"><name><text>kept</text></name>
  <questiontext format="html"><text>Which is clipped?</text></questiontext>
  <answer fraction="100"><text>the ratio</text></answer><answer fraction="0"><text>the advantage</text></answer>
</question>
""")


def test_kinds_a_pack_cannot_hold_are_skipped_at_their_line_and_counted():
    result = parse("gift", KINDS_GIFT)
    assert result.summary() == ("1 question imported, 5 skipped "
                                "(1 essay, 1 numerical, 1 matching, 1 short-answer, 1 description)")
    assert [(p.line, p.message.split(":")[0]) for p in result.warnings] == [
        (1, "skipped an essay question 'essay'"), (3, "skipped a numerical question 'numeric'"),
        (5, "skipped a matching question 'match'"), (7, "skipped a short-answer question 'short'"),
        (9, "skipped a description (text without an answer block)")]
    result = parse("moodle-xml", KINDS_XML)
    assert result.summary() == ("1 question imported, 6 skipped "
                                "(1 essay, 1 numerical, 1 matching, 1 short-answer, 1 cloze, 1 description)")
    assert [p.line for p in result.warnings] == [3, 4, 5, 6, 7, 8]


def test_single_answer_without_one_full_credit_answer_is_skipped_not_changed():
    result = parse("gift", "::two-right:: Pick.{=a =%100%b ~c}\n\n::ok:: Pick.{=a ~b}\n")
    assert result.summary() == "1 question imported, 1 skipped (1 single-answer without one right answer)"
    assert result.warnings[0].line == 1 and "two answers worth 100 %" in result.warnings[0].message


# --- round trips ---

ROUND_TRIP_GIFT = PARTIAL_GIFT + "\n" + WEIGHTS_GIFT + "\n" + TRUE_FALSE_GIFT + """
::ratio:: What is r_t(θ)?{
\t=π_θ / π_θold#Yes.
\t~%33.33333%π_θold / π_θ#Upside down, a third.
\t~%-100%log π_θ
\t####The ratio of new to old probabilities.
}
"""
_GIFT_ESCAPES = {"\\:": ":", "\\#": "#", "\\=": "=", "\\{": "{", "\\}": "}", "\\~": "~", "\\n": "\n", "\\\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\[:#={}~n\\]", lambda m: _GIFT_ESCAPES[m.group(0)], text).strip()


def moodle_reads_gift(text: str) -> dict[str, tuple]:
    """Per question name: kind, [(fraction, answer, feedback)], general feedback, as Moodle's GIFT reader sees it."""
    found = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.strip().startswith("//")]
        body = "\n".join(lines).strip()
        if not body.startswith("::"):
            continue
        name, rest = body[2:].split("::", 1)
        answers = rest[rest.index("{") + 1:rest.rindex("}")].strip()
        general = ""
        if "####" in answers:
            answers, general = answers.rsplit("####", 1)
        answers = re.sub(r"\\.", lambda m: "\0" + str(ord(m.group(0)[1])) + "\0", answers.strip())
        restore = lambda s: _unescape(re.sub(r"\0(\d+)\0", lambda m: "\\" + chr(int(m.group(1))), s))  # noqa: E731
        head = answers.split("#")[0].strip()
        if head in ("T", "TRUE", "F", "FALSE"):
            parts = answers.split("#") + ["", ""]
            found[name] = ("truefalse", head in ("T", "TRUE"), restore(parts[1]), restore(parts[2]),
                           _unescape(general))
            continue
        graded = []
        for part in answers.replace("=", "~=").split("~")[1:]:
            part = part.strip()
            weight = 0.0
            if part.startswith("="):
                weight, part = 100.0, part[1:]
            mark = re.match(r"%(-?[0-9.]+)%", part)
            if mark:
                weight, part = float(mark.group(1)), part[mark.end():]
            answer, _, feedback = part.partition("#")
            graded.append((weight, restore(answer).removeprefix("[markdown]"), restore(feedback)))
        found[name] = ("single" if "=" in answers else "multiple", graded, _unescape(general).removeprefix(
            "[markdown]"))
    return found


def test_gift_to_pack_to_gift_keeps_kinds_grades_and_feedback():
    pack = gift.parse(ROUND_TRIP_GIFT, "round.gift").pack
    text, notes = gift.export(pack)
    assert notes == []
    assert moodle_reads_gift(text) == moodle_reads_gift(ROUND_TRIP_GIFT)
    assert len(moodle_reads_gift(text)) == 5


ROUND_TRIP_XML = quiz(PARTIAL_XML.split("<quiz>\n")[1].split("</quiz>")[0]
                      + WEIGHTS_XML.split("<quiz>\n")[1].split("</quiz>")[0]
                      + TRUE_FALSE_XML.split("<quiz>\n")[1].split("</quiz>")[0]
                      + """<question type="multichoice"><name><text>combined</text></name>
  <questiontext format="markdown"><text>Which is clipped?</text></questiontext>
  <generalfeedback format="markdown"><text>The ratio.</text></generalfeedback>
  <single>true</single>
  <incorrectfeedback format="markdown"><text>Look at r_t again.</text></incorrectfeedback>
  <answer fraction="100"><text>the ratio</text><feedback><text>Yes.</text></feedback></answer>
  <answer fraction="0"><text>the advantage</text></answer>
  <hint format="markdown"><text>It is a quotient.</text></hint>
</question>
""")


def moodle_reads_xml(text: str) -> dict[str, tuple]:
    """Per question name: type, single, [(fraction, answer, feedback)], general feedback, combined feedback, hints."""
    found = {}
    for q in ET.fromstring(text).findall("question"):
        kind = q.get("type")
        if kind == "category":
            continue
        answers = [(float(a.get("fraction")), (a.findtext("text") or "").strip(),
                    (a.findtext("feedback/text") or "").strip()) for a in q.findall("answer")]
        if kind == "truefalse":
            answers.sort(key=lambda a: a[1])
        found[q.findtext("name/text").strip()] = (
            kind, (q.findtext("single") or "true").strip(), answers,
            (q.findtext("generalfeedback/text") or "").strip(), (q.findtext("incorrectfeedback/text") or "").strip(),
            [h.findtext("text") for h in q.findall("hint")])
    return found


def test_moodle_xml_to_pack_to_moodle_xml_keeps_kinds_grades_and_feedback():
    pack = moodle_xml.parse(ROUND_TRIP_XML, "round.xml").pack
    text, notes = moodle_xml.export(pack)
    assert notes == []
    assert moodle_reads_xml(text) == moodle_reads_xml(ROUND_TRIP_XML)
    assert len(moodle_reads_xml(text)) == 5


def test_grades_that_no_longer_fit_the_choices_fall_back_to_the_defaults_with_a_note():
    pack = gift.parse(WEIGHTS_GIFT, "w.gift").pack
    from dataclasses import replace
    q = pack.questions[0]
    edited = replace(q, choices=(replace(q.choices[0], correct=False), *q.choices[1:]))  # now only one is right
    text, notes = gift.export(replace(pack, questions=(edited,)))
    assert "~%100%Reward model training#Rankings." in text and "~%-100%Supervised fine-tuning" in text
    assert notes == ["question 'human-data': its x-fraction keys do not fit its correct choices (every choice "
                     "needs one, right ones positive, 100 for the right one of a single question); the default "
                     "grades are written"]


def test_the_cli_round_trip_keeps_x_fraction_through_the_loader(tmp_path):
    source = tmp_path / "round.gift"
    source.write_text(ROUND_TRIP_GIFT, encoding="utf-8")
    pack_file = tmp_path / "round.yaml"
    assert import_main(["gift", str(source), "-o", str(pack_file)]) == 0
    assert export_main(["gift", str(pack_file), "-o", str(tmp_path / "back.gift")]) == 0
    back = (tmp_path / "back.gift").read_text(encoding="utf-8")
    assert moodle_reads_gift(back) == moodle_reads_gift(ROUND_TRIP_GIFT)


# --- bounded input ---

def test_entity_declarations_are_refused_with_their_line():
    text = ('<?xml version="1.0"?>\n<!DOCTYPE quiz [\n<!ENTITY lol "lol">\n]>\n'
            '<quiz><question type="multichoice"/></quiz>')
    result = moodle_xml.parse(text, "bomb.xml")
    assert result.pack is None
    assert [(p.line, p.message) for p in result.errors] == [
        (3, "the file declares XML entities, which are refused: one short declaration can expand into gigabytes "
            "(Moodle never writes them)")]


def test_hostile_html_is_read_as_text():
    result = parse("moodle-xml", quiz(f"""<question type="multichoice"><name><text>q</text></name>
      <questiontext format="html"><text>{'&lt;a ' * 3000}&lt;!-- x</text></questiontext>
      <answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer></question>
    """))
    assert result.pack.questions[0].prompt == " ".join(["\\<a"] * 3000)
    assert [p.message for p in result.warnings] == ["an unclosed <!-- comment hides the rest of the text"]


@pytest.mark.parametrize("fmt,module,constant", [("gift", gift, "MAX_TEXT_IMPORT_BYTES"),
                                                  ("moodle-xml", moodle_xml, "MAX_XML_IMPORT_BYTES")])
def test_an_input_over_the_size_limit_is_one_clear_error(monkeypatch, tmp_path, capsys, fmt, module, constant):
    monkeypatch.setattr(module, constant, 100)
    result = parse(fmt, PARTIAL_GIFT if fmt == "gift" else PARTIAL_XML)
    assert result.pack is None and len(result.errors) == 1
    assert result.errors[0].message.startswith("the file is ") and "over the limit of 100 for" in result.errors[0].message
    monkeypatch.setattr(common, constant, 100)  # what the command reads
    source = tmp_path / ("big.gift" if fmt == "gift" else "big.xml")
    source.write_text(PARTIAL_GIFT if fmt == "gift" else PARTIAL_XML, encoding="utf-8")
    assert import_main([fmt, str(source), "-o", str(tmp_path / "big.yaml")]) == 1
    size = source.stat().st_size
    assert capsys.readouterr().err == (f"quizapp import: {source} is {size:,} bytes, over the limit of 100 for a {fmt} "
                                       "file; split it into smaller files and import each\n")
    assert not (tmp_path / "big.yaml").exists()


def test_a_pack_over_the_size_limit_says_what_is_too_large_and_what_to_do(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(common, "MAX_FILE_BYTES", 300)
    source = tmp_path / "media.xml"
    source.write_text(MEDIA_XML, encoding="utf-8")
    out = tmp_path / "media.yaml"
    assert import_main(["moodle-xml", str(source), "-o", str(out)]) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert re.fullmatch(r"quizapp import: the pack would be [0-9,]+ bytes of YAML, over the limit of 300 for one "
                        r"pack file \(1 questions; the largest question is 'heat-map' \([0-9,]+ bytes\)\): import "
                        r"the source in parts, e\.g\. one category at a time \(each part becomes a pack, or a question "
                        r"file of one folder pack\); nothing written", last), last
    assert not out.exists() and not (tmp_path / "media.media").exists()


def test_problems_past_the_first_thousand_are_counted_not_listed():
    result = parse("gift", "::e:: Explain.{}\n\n" * 1100 + "::kept:: Which?{=a ~b}\n")
    assert result.summary() == "1 question imported, 1100 skipped (1100 essay)"
    assert len(result.problems) == 1001
    assert result.problems[-1].message == "100 more problems are not listed (the first 1,000 are)"
