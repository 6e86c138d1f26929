"""Moodle XML: the question bank's full export format, written for Moodle's importer and read back.

Writing: one `<question type="category">` per topic (its path under the pack's
title, a topic title "A / B" as nested categories, the topic id as `<idnumber>`,
its description as `<info>`), then per question `<question type="multichoice">`
with `<name>` (the id), `<questiontext format="markdown">`, `<generalfeedback>`
(the explanation), `<single>`, `<shuffleanswers>` (false when a choice is
pinned), `<answernumbering>`, and one `<answer fraction="...">` per choice with
its `<feedback>` (the why), plus `<idnumber>` and `<tags>`. Fractions: those kept
in `x-fraction` keys (see grades.py), else single 100/0 and multiple 100/n for
each of the n right choices and -100 for a wrong one, so choosing everything
earns nothing. A question marked `x-moodle-qtype: truefalse` is written as
`<question type="truefalse">`.

Reading takes the multichoice and truefalse questions and the categories of such
a file (from quizapp or from Moodle); files embedded in texts (`<file
encoding="base64">`, referred to as @@PLUGINFILE@@/NAME) are saved beside the
pack; the other question types are skipped with a warning, counted by kind.
The file is read in one linear pass with entity declarations refused (no
"billion laughs"), one question at a time, within MAX_XML_IMPORT_BYTES.
"""
from __future__ import annotations

import io
import math
import xml.sax
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser

from question_bank.interchange.common import (DEFAULT_TOPIC, MAX_XML_IMPORT_BYTES, Categories, ImportResult, Report,
                                              kind_question,
                                              Texts, build_pack, category_path, exportable, media_folder_for,
                                              pack_id_from, slugify, unique_id)
from question_bank.interchange.grades import (Answer, Draft, build, fractions, percent, source_feedback,
                                              true_false_index, true_false_words)
from engine.texts import N_, _
from question_bank.interchange.media import MediaFolder
from question_bank.interchange.names import UniqueNames
from question_bank.models import Pack, Question, Topic

FEEDBACK_KEY = "x-moodle-feedback"  # combined feedback: {correct, partially-correct, incorrect}
HINTS_KEY = "x-moodle-hints"  # the hints of Moodle's interactive mode, in order
_COMBINED = {"correctfeedback": "correct", "partiallycorrectfeedback": "partially-correct",
             "incorrectfeedback": "incorrect"}
# Moodle's own default combined feedback says nothing about the question: not kept.
_STANDARD_FEEDBACK = {"Your answer is correct.", "Your answer is partially correct.", "Your answer is incorrect."}
_KINDS = {"shortanswer": "short-answer", "match": "matching", "multianswer": "cloze", "numerical": "numerical",
          "essay": "essay", "description": "description", "calculated": "calculated",
          "calculatedsimple": "calculated", "calculatedmulti": "calculated", "ddwtos": "drag-and-drop",
          "ddimageortext": "drag-and-drop", "ddmarker": "drag-and-drop", "gapselect": "gap-select",
          "randomsamatch": "random matching", "ordering": "ordering"}
MAX_QUESTION_ELEMENTS = 10_000  # elements kept for one question: more is not a question a pack can hold


# --- writing ---

def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_element(tag: str, text: str, indent: str, fmt: str | None = "markdown") -> list[str]:
    attr = f' format="{fmt}"' if fmt else ""
    return [f"{indent}<{tag}{attr}>", f"{indent}  <text>{_esc(text)}</text>", f"{indent}</{tag}>"]


def _category(pack: Pack, topic_id: str) -> list[str]:
    topic = pack.topic(topic_id)
    path = category_path(pack.title, topic.title if topic else topic_id)
    return (['  <question type="category">', "    <category>", f"      <text>{_esc(path)}</text>", "    </category>"]
            + _text_element("info", (topic.description or "") if topic else "", "    ")
            + [f"    <idnumber>{_esc(topic_id)}</idnumber>", "  </question>"])


def _head(q: Question, kind: str) -> list[str]:
    out = [f'  <question type="{kind}">', "    <name>", f"      <text>{_esc(q.id)}</text>", "    </name>"]
    out += _text_element("questiontext", q.prompt.strip(), "    ")
    out += _text_element("generalfeedback", (q.explanation or "").strip(), "    ")
    return out + ["    <defaultgrade>1</defaultgrade>",
                  f"    <penalty>{'1' if kind == 'truefalse' else '0.3333333'}</penalty>",
                  "    <hidden>0</hidden>", f"    <idnumber>{_esc(q.id)}</idnumber>"]


def _tail(q: Question) -> list[str]:
    out: list[str] = []
    hints = q.extras.get(HINTS_KEY)
    if isinstance(hints, (list, tuple)):
        for hint in hints:
            out += _text_element("hint", str(hint), "    ")
    if q.tags:
        out.append("    <tags>")
        out += [f"      <tag><text>{_esc(tag)}</text></tag>" for tag in q.tags]
        out.append("    </tags>")
    return out + ["  </question>"]


def _true_false(q: Question, true_index: int) -> list[str]:
    out = _head(q, "truefalse")
    for index, word in ((true_index, "true"), (1 - true_index, "false")):
        choice = q.choices[index]
        out.append(f'    <answer fraction="{100 if choice.correct else 0}" format="moodle_auto_format">')
        out.append(f"      <text>{word}</text>")
        out += _text_element("feedback", (choice.why or "").strip(), "      ")
        out.append("    </answer>")
    return out + _tail(q)


def _multichoice(q: Question, notes: list[str]) -> list[str]:
    pinned = any(c.pin for c in q.choices)
    if pinned:
        notes.append(_("question '{id}': a pinned choice keeps every choice in place (shuffleanswers false)").format(
            id=q.id))
    combined = q.extras.get(FEEDBACK_KEY)
    combined = combined if isinstance(combined, dict) or hasattr(combined, "get") else {}
    out = _head(q, "multichoice")
    out += [f"    <single>{'true' if q.type == 'single' else 'false'}</single>",
            f"    <shuffleanswers>{'false' if pinned else 'true'}</shuffleanswers>",
            "    <answernumbering>ABCD</answernumbering>",
            "    <showstandardinstruction>0</showstandardinstruction>"]
    for tag, key in _COMBINED.items():
        value = combined.get(key) if combined else None
        out += _text_element(tag, str(value) if value else "", "    ", "markdown" if value else "html")
    grades, from_source, note = fractions(q)
    if note:
        notes.append(note)
    for c, grade in zip(q.choices, grades):
        why = source_feedback(c.why, grade) if from_source else c.why
        out.append(f'    <answer fraction="{percent(grade)}" format="markdown">')
        out.append(f"      <text>{_esc(c.text.strip())}</text>")
        out += _text_element("feedback", (why or "").strip(), "      ")
        out.append("    </answer>")
    return out + _tail(q)


def export(pack: Pack, calculated: str = "draw", seed: int = 0, lang: str | None = None) -> tuple[str, list[str]]:
    """The pack as a Moodle XML `<quiz>`, and notes on what was changed."""
    questions, notes = exportable(pack, calculated, seed, lang)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<!-- Exported by quizapp from pack '{_esc(pack.id)}'"
           + (f" {_esc(pack.version)}" if pack.version else "") + f": {len(questions)} questions. -->",
           "<quiz>"]
    current = None
    for q in questions:
        if q.topic != current:
            current = q.topic
            out += _category(pack, q.topic)
        true_index = true_false_index(q)
        out += _true_false(q, true_index) if true_index is not None else _multichoice(q, notes)
    out.append("</quiz>")
    return "\n".join(out) + "\n", notes


# --- reading ---

@dataclass(slots=True)
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node"] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)  # joined once, when the element ends: linear time
    text: str = ""

    def child(self, tag: str) -> "_Node | None":
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list["_Node"]:
        return [c for c in self.children if c.tag == tag]

    def text_of(self, tag: str) -> str:
        node = self.child(tag)
        return node.text if node is not None else ""


class _NotAQuiz(Exception):
    def __init__(self, tag: str, line: int) -> None:
        super().__init__(tag)
        self.tag, self.line = tag, line


class _Reader(ContentHandler):
    """Builds one small tree per <question>, with the line each element starts on, and hands it over at its end."""

    def __init__(self, on_question: Callable[["_Node", bool], None]) -> None:
        super().__init__()
        self.on_question = on_question
        self.locator: Locator | None = None
        self.stack: list[_Node | None] = []
        self.elements = 0  # in the current question
        self.overflow = False

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - SAX's name
        self.locator = locator

    def startElement(self, name: str, attrs) -> None:  # noqa: N802
        line = self.locator.getLineNumber() if self.locator else 0
        depth = len(self.stack)
        if depth == 0:
            if name != "quiz":
                raise _NotAQuiz(name, line)
            self.stack.append(None)
            return
        parent = self.stack[-1]
        node = None
        if depth == 1:
            if name == "question":
                node, self.elements, self.overflow = _Node(name, dict(attrs), line), 1, False
        elif parent is not None:
            if self.elements < MAX_QUESTION_ELEMENTS:
                node = _Node(name, dict(attrs), line)
                parent.children.append(node)
                self.elements += 1
            else:
                self.overflow = True
        self.stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802
        node = self.stack.pop()
        if node is None:
            return
        node.text, node.chunks = "".join(node.chunks), []
        if len(self.stack) == 1:
            self.on_question(node, self.overflow)

    def characters(self, content: str) -> None:
        node = self.stack[-1] if self.stack else None
        if node is not None:
            node.chunks.append(content)


class _Importer:
    def __init__(self, path: str, pack_id: str | None, title: str | None, topic: Topic, language: str,
                 media_folder: str) -> None:
        self.path = path
        self.report = Report(path)
        self.wanted_pack_id = pack_id
        self.wanted_title = title
        self.language = language
        self.words = true_false_words(language) or true_false_words("en")
        self.media = MediaFolder(media_folder)
        self.texts = Texts(self.report, self.media)
        self.categories = Categories(topic)
        self.drafts: list[tuple[str, tuple[str, ...] | None, Draft, tuple[str, ...]]] = []

    # --- texts ---

    def markdown(self, node: _Node | None, default: str = "moodle_auto_format") -> str:
        """The Markdown of an element holding <text> and <file> children (or its own text)."""
        if node is None:
            return ""
        inner = node.child("text")
        text = inner.text if inner is not None else node.text
        files = {}
        for file in node.all("file"):
            folder = file.attrs.get("path", "/").strip("/")
            name = file.attrs.get("name", "")
            files[f"{folder}/{name}" if folder else name] = (file.text, file.line)
        return self.texts.markdown(node.attrs.get("format", default), text, node.line, files)

    # --- one question ---

    def question(self, node: _Node, overflow: bool) -> None:
        kind = node.attrs.get("type", "")
        if kind == "category":
            self.category(node)
            return
        name_node = node.child("name")
        name = name_node.text_of("text").strip() if name_node is not None else ""
        named = f" '{name}'" if name else ""
        if overflow:
            self.report.skip(node.line, N_("too large"), _("question{named}: it has more than {n} elements").format(
                named=named, n=f"{MAX_QUESTION_ELEMENTS:,}"))
            return
        if kind not in ("multichoice", "truefalse"):
            shown = _KINDS.get(kind, kind or "untyped")
            self.report.skip(node.line, shown, _("{question}: the pack format holds only single- and multiple-choice "
                                                 "questions").format(question=kind_question(shown, named)))
            return
        prompt = self.markdown(node.child("questiontext"))
        image = self.old_image(node)
        if image:
            prompt = f"{prompt}\n\n{image}" if prompt else image
        if not prompt:
            self.report.error(node.line, _("question{named} has no question text").format(named=named))
            return
        draft = self.true_false(node, named) if kind == "truefalse" else self.multichoice(node, named)
        if draft is None:
            return
        draft.prompt = prompt
        draft.explanation = self.markdown(node.child("generalfeedback")) or None
        draft.extras.update(self.kept_extras(node))
        idnumber = node.text_of("idnumber").strip()
        wanted = idnumber or name
        wanted = wanted if wanted and wanted == slugify(wanted, 200) else slugify(wanted)
        tags_node = node.child("tags")
        tags = tuple(t.text_of("text").strip() for t in (tags_node.all("tag") if tags_node is not None else ()))
        self.drafts.append((wanted, self.categories.current, draft, tuple(t for t in tags if t)))

    def answers(self, node: _Node, named: str) -> list[Answer] | None:
        found: list[Answer] = []
        for answer in node.all("answer"):
            raw = answer.attrs.get("fraction", "0")
            try:
                fraction = float(raw)
            except ValueError:
                fraction = math.nan
            if not math.isfinite(fraction):
                self.report.error(answer.line, _("question{named}: fraction '{raw}' is not a number").format(
                    named=named, raw=raw))
                return None
            found.append(Answer(self.markdown(answer), fraction, self.markdown(answer.child("feedback")) or None))
        return found

    def multichoice(self, node: _Node, named: str) -> Draft | None:
        answers = self.answers(node, named)
        if answers is None:
            return None
        single = node.text_of("single").strip().lower() not in ("false", "0")
        shuffle = node.text_of("shuffleanswers").strip().lower()
        return Draft(node.line, named, "", answers, single, pinned=shuffle in ("false", "0"))

    def true_false(self, node: _Node, named: str) -> Draft | None:
        answers = self.answers(node, named)
        if answers is None:
            return None
        if len(answers) != 2:
            self.report.skip(node.line, N_("true/false without two answers"),
                             _("true/false question{named} with {n} answers instead of true and false").format(
                                 named=named, n=len(answers)))
            return None
        texts = [a.text.strip().lower() for a in answers]
        if sorted(texts) != ["false", "true"]:
            self.report.warning(node.line, _("true/false question{named}: the answers are not 'true' and 'false'; the "
                                             "first is taken as true, as Moodle does").format(named=named))
            texts = ["true", "false"]
        true_answer, false_answer = (answers if texts[0] == "true" else answers[::-1])
        true_right = abs(true_answer.fraction - 100) < 1e-6  # as Moodle decides it
        true_answer.fraction, false_answer.fraction = (100, 0) if true_right else (0, 100)
        return Draft(node.line, named, "", [true_answer, false_answer], single=True, true_false=True)

    def kept_extras(self, node: _Node) -> dict[str, Any]:
        """Combined feedback and hints, kept in `x-` keys so that an export writes them again."""
        extras: dict[str, Any] = {}
        combined = {key: self.markdown(node.child(tag)) for tag, key in _COMBINED.items()}
        combined = {key: text for key, text in combined.items() if text and text not in _STANDARD_FEEDBACK}
        if combined:
            extras[FEEDBACK_KEY] = combined
        hints = [text for text in (self.markdown(hint) for hint in node.all("hint")) if text]
        if hints:
            extras[HINTS_KEY] = hints
        return extras

    def old_image(self, node: _Node) -> str:
        """Moodle 1.9's <image> and <image_base64>: the picture shown with the question."""
        data = node.child("image_base64")
        if data is None or not data.text.strip():
            return ""
        name = node.text_of("image").strip() or "image"
        reference = self.texts.save(name, (data.text, data.line))
        return f"[image: {reference.name}]({reference.link})" if reference else ""

    def category(self, node: _Node) -> None:
        category = node.child("category")
        path = category.text_of("text") if category is not None else ""
        if category is not None and category.child("text") is None:
            path = category.text  # Moodle 1.9 wrote the path as the element's own text
        info = self.markdown(node.child("info")) or None
        self.categories.enter(path, node.text_of("idnumber").strip(), info)

    # --- the pack ---

    def result(self) -> ImportResult:
        if self.report.failed:
            return self.report.result(None)
        ids = UniqueNames()
        built: list[tuple[tuple[str, ...] | None, Question]] = []
        for wanted, category, draft, tags in self.drafts:
            made = build(draft, self.report.error, self.report.warning,
                         lambda line, kind, what: self.report.skip(line, kind, what), self.words)
            if made is None:
                continue
            qid = unique_id(wanted, ids, f"q{len(built) + 1}")
            built.append((category, Question("", qid, "", made.type, draft.prompt, made.choices, draft.explanation,
                                             tags=tags, extras=made.extras)))
        if self.report.failed:
            return self.report.result(None)
        topics = self.categories.topics({category for category, _ in built})
        parent = self.categories.parent
        stem = Path(self.path).stem
        pack_id = self.wanted_pack_id or pack_id_from(parent or stem)
        questions = [Question(pack_id, q.id, topics[category].id, q.type, q.prompt, q.choices, q.explanation,
                              tags=q.tags, extras=q.extras) for category, q in built]
        pack = build_pack(pack_id, self.wanted_title or parent or stem, topics.values(), questions,
                          description=f"Imported from {Path(self.path).name} (Moodle XML).", language=self.language)
        return self.report.result(pack, self.media)


def parse(source: str | bytes, path: str = "<moodle-xml>", pack_id: str | None = None,
          title: str | None = None, default_topic: Topic = DEFAULT_TOPIC, *, language: str = "en",
          media_folder: str | None = None) -> ImportResult:
    """Read a Moodle XML quiz into a pack: multichoice and truefalse questions, the others skipped with a warning.

    Embedded files are in the result's `media`, named as the texts refer to them
    under `media_folder` (default: the file's name + .media); `language` is the
    pack's and names True and False.
    """
    importer = _Importer(path, pack_id, title, default_topic, language, media_folder or media_folder_for(path))
    data = source.encode("utf-8") if isinstance(source, str) else source
    report = importer.report
    if report.too_large(len(data), MAX_XML_IMPORT_BYTES, _("a Moodle XML file")):
        return report.result(None)
    parser = create_parser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    for feature in (xml.sax.handler.feature_external_ges, xml.sax.handler.feature_external_pes):
        parser.setFeature(feature, False)  # never fetch anything a file points to
    parser.setContentHandler(_Reader(importer.question))
    try:
        parser.parse(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        report.error(exc.getLineNumber(), _("not well-formed XML: {reason}").format(reason=exc.getMessage()),
                     exc.getColumnNumber() + 1)
        return report.result(None)
    except DefusedXmlException:
        report.error(parser.getLineNumber(), _("the file declares XML entities, which are refused: one short "
                                               "declaration can expand into gigabytes (Moodle never writes them)"))
        return report.result(None)
    except _NotAQuiz as exc:
        report.error(exc.line, _("the top element must be <quiz>, not <{tag}>").format(tag=exc.tag))
        return report.result(None)
    return importer.result()
