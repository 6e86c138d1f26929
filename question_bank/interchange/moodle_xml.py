"""Moodle XML: the question bank's full export format, written for Moodle's importer and read back.

Writing: one `<question type="category">` per topic (its path under the pack's
title, the topic id as `<idnumber>`), then `<question type="multichoice">` per
question with `<name>` (the id), `<questiontext format="markdown">`,
`<generalfeedback>` (the explanation), `<single>`, `<shuffleanswers>` (false
when a choice is pinned), `<answernumbering>`, and one `<answer fraction="...">`
per choice with its `<feedback>` (the why), plus `<idnumber>` and `<tags>`.
Fractions: single 100/0; multiple 100/n for each of the n right choices and
-100 for a wrong one, so choosing everything earns nothing.

Reading takes the multichoice questions and categories of such a file (from
quizapp or from Moodle) and skips the other question types with a warning.
"""
from __future__ import annotations

import io
import xml.sax
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

from question_bank.interchange.common import (DEFAULT_TOPIC, ImportResult, Report, build_pack, category_parts,
                                              common_parent, exportable, html_to_markdown, pack_id_from, slugify,
                                              topic_title, unique_id)
from question_bank.loader import MAX_CHOICES, MIN_CHOICES
from question_bank.models import Choice, Pack, Question, Topic



# --- writing ---

def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


def _fraction(percent: float) -> str:
    return f"{percent:g}" if float(percent).is_integer() else f"{percent:.5f}"


def _text_element(tag: str, text: str, indent: str, fmt: str | None = "markdown") -> list[str]:
    attr = f' format="{fmt}"' if fmt else ""
    return [f"{indent}<{tag}{attr}>", f"{indent}  <text>{_esc(text)}</text>", f"{indent}</{tag}>"]


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
            path = f"$course$/top/{pack.title.replace('/', '//')}/{topic_title(pack, q.topic).replace('/', '//')}"
            out += ['  <question type="category">',
                    "    <category>", f"      <text>{_esc(path)}</text>", "    </category>",
                    '    <info format="markdown">', f"      <text>Topic '{_esc(q.topic)}' of pack "
                                                     f"'{_esc(pack.id)}'</text>", "    </info>",
                    f"    <idnumber>{_esc(q.topic)}</idnumber>",
                    "  </question>"]
        single = q.type == "single"
        right = len(q.correct_indices)
        pinned = any(c.pin for c in q.choices)
        if pinned:
            notes.append(f"question '{q.id}': a pinned choice keeps every choice in place (shuffleanswers false)")
        out.append('  <question type="multichoice">')
        out += ["    <name>", f"      <text>{_esc(q.id)}</text>", "    </name>"]
        out += _text_element("questiontext", q.prompt.strip(), "    ")
        out += _text_element("generalfeedback", (q.explanation or "").strip(), "    ")
        out += ["    <defaultgrade>1</defaultgrade>", "    <penalty>0.3333333</penalty>", "    <hidden>0</hidden>",
                f"    <idnumber>{_esc(q.id)}</idnumber>",
                f"    <single>{'true' if single else 'false'}</single>",
                f"    <shuffleanswers>{'false' if pinned else 'true'}</shuffleanswers>",
                "    <answernumbering>ABCD</answernumbering>",
                "    <showstandardinstruction>0</showstandardinstruction>"]
        out += _text_element("correctfeedback", "", "    ", "html")
        out += _text_element("partiallycorrectfeedback", "", "    ", "html")
        out += _text_element("incorrectfeedback", "", "    ", "html")
        for c in q.choices:
            if single:
                fraction = 100.0 if c.correct else 0.0
            else:
                fraction = 100.0 / right if c.correct else -100.0
            out.append(f'    <answer fraction="{_fraction(fraction)}" format="markdown">')
            out.append(f"      <text>{_esc(c.text.strip())}</text>")
            out += _text_element("feedback", (c.why or "").strip(), "      ")
            out.append("    </answer>")
        if q.tags:
            out.append("    <tags>")
            out += [f"      <tag><text>{_esc(tag)}</text></tag>" for tag in q.tags]
            out.append("    </tags>")
        out.append("  </question>")
    out.append("</quiz>")
    return "\n".join(out) + "\n", notes


# --- reading ---

@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node"] = field(default_factory=list)
    text: str = ""

    def child(self, tag: str) -> "_Node | None":
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list["_Node"]:
        return [c for c in self.children if c.tag == tag]

    def text_of(self, tag: str) -> tuple[str, str]:
        """(format, text) of a child like <questiontext format="html"><text>...</text>."""
        node = self.child(tag)
        if node is None:
            return "html", ""
        inner = node.child("text")
        return node.attrs.get("format", "html"), (inner.text if inner is not None else node.text)


class _Builder(ContentHandler):
    """A small tree with the line each element starts on (ElementTree does not keep them)."""

    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.stack: list[_Node] = []
        self.root: _Node | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - SAX's name
        self.locator = locator

    def startElement(self, name: str, attrs) -> None:  # noqa: N802
        node = _Node(name, dict(attrs), self.locator.getLineNumber() if self.locator else 0)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].text += content


def _markdown(fmt: str, text: str) -> str:
    return html_to_markdown(text) if fmt == "html" else text.strip()


def parse(source: str | bytes, path: str = "<moodle-xml>", pack_id: str | None = None,
          title: str | None = None, default_topic: Topic = DEFAULT_TOPIC) -> ImportResult:
    """Read a Moodle XML quiz into a pack; multichoice questions only, the others skipped with a warning."""
    report = Report(path)
    builder = _Builder()
    parser = xml.sax.make_parser()
    for feature in (xml.sax.handler.feature_external_ges, xml.sax.handler.feature_external_pes):
        parser.setFeature(feature, False)  # never fetch anything a file points to
    parser.setContentHandler(builder)
    try:
        parser.parse(io.BytesIO(source.encode("utf-8") if isinstance(source, str) else source))
    except xml.sax.SAXParseException as exc:
        report.error(exc.getLineNumber(), f"not well-formed XML: {exc.getMessage()}", exc.getColumnNumber() + 1)
        return ImportResult(None, report.sorted())
    root = builder.root
    if root is None or root.tag != "quiz":
        report.error(root.line if root else 1, f"the top element must be <quiz>, not <{root.tag if root else ''}>")
        return ImportResult(None, report.sorted())
    stem = Path(path).stem
    categories: list[list[str]] = []
    topics: dict[str, Topic] = {}
    topic = default_topic
    ids: set[str] = set()
    topic_ids: set[str] = set()
    questions: list[Question] = []
    skipped = 0
    for node in root.all("question"):
        kind = node.attrs.get("type", "")
        if kind == "category":
            category = node.child("category")
            text = category.child("text") if category is not None else None
            parts = category_parts(text.text if text is not None else "")
            categories.append(parts)
            if not parts:
                topic = default_topic
                continue
            idnumber = node.child("idnumber")
            wanted = idnumber.text.strip() if idnumber is not None else ""
            existing = next((t for t in topics.values() if t.title == parts[-1]
                             and (not wanted or t.id == wanted)), None)
            topic = existing or Topic(unique_id(wanted or slugify(parts[-1]), topic_ids, "topic"), parts[-1])
            topics[topic.id] = topic
            continue
        name = node.child("name")
        name_text = name.child("text").text.strip() if name is not None and name.child("text") is not None else ""
        named = f" '{name_text}'" if name_text else ""
        if kind != "multichoice":
            skipped += 1
            report.warning(node.line, f"skipped a {kind or 'untyped'} question{named}: the pack format holds "
                                      "only single- and multiple-choice questions")
            continue
        fmt, prompt = node.text_of("questiontext")
        prompt = _markdown(fmt, prompt)
        gfmt, general = node.text_of("generalfeedback")
        explanation = _markdown(gfmt, general) or None
        single_node = node.child("single")
        single = (single_node.text.strip().lower() in ("true", "1")) if single_node is not None else True
        choices: list[Choice] = []
        fractions: list[float] = []
        broken = False
        for answer in node.all("answer"):
            afmt = answer.attrs.get("format", fmt)
            inner = answer.child("text")
            text = _markdown(afmt, inner.text if inner is not None else "")
            feedback = answer.child("feedback")
            why = None
            if feedback is not None:
                ffmt = feedback.attrs.get("format", afmt)
                ftext = feedback.child("text")
                why = _markdown(ffmt, ftext.text if ftext is not None else "") or None
            try:
                fractions.append(float(answer.attrs.get("fraction", "0")))
            except ValueError:
                report.error(answer.line, f"question{named}: fraction '{answer.attrs.get('fraction')}' "
                                          "is not a number")
                broken = True
                continue
            choices.append(Choice(text, False, why))
        if broken:
            continue
        positive = [f for f in fractions if f > 0]
        texts = [c.text for c in choices]
        if not prompt:
            report.error(node.line, f"question{named} has no question text")
        elif not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            skipped += 1
            report.warning(node.line, f"skipped question{named} with {len(choices)} answers: a pack question has "
                                      f"{MIN_CHOICES} to {MAX_CHOICES}")
        elif not positive:
            report.error(node.line, f"question{named} has no answer with a positive fraction")
        elif "" in texts or len(set(texts)) != len(texts):
            report.error(node.line, f"question{named} has an empty answer or two answers with the same text")
        else:
            one = single and len(positive) == 1
            if single and len(positive) > 1:
                report.warning(node.line, f"question{named}: partial credit in a single-answer question; every "
                                          "answer with a positive fraction counts as correct, as 'multiple'")
            idnumber = node.child("idnumber")
            wanted = (idnumber.text.strip() if idnumber is not None else "") or name_text
            qid = unique_id(wanted if wanted and wanted == slugify(wanted, 200) else slugify(wanted), ids,
                            f"q{len(questions) + 1}")
            tags = tuple(t.child("text").text.strip() for t in (node.child("tags").all("tag")
                         if node.child("tags") is not None else ()) if t.child("text") is not None)
            topics.setdefault(topic.id, topic)
            questions.append(Question(
                "", qid, topic.id, "single" if one else "multiple", prompt,
                tuple(Choice(c.text, f > 0, c.why) for c, f in zip(choices, fractions)),
                explanation, tags=tuple(t for t in tags if t)))
    if report.failed:
        return ImportResult(None, report.sorted(), 0, skipped)
    parent = common_parent(categories)
    title = title or parent or stem
    pack_id = pack_id or pack_id_from(parent or stem)
    questions = [replace(q, pack_id=pack_id) for q in questions]
    pack = build_pack(pack_id, title, topics.values(), questions,
                      description=f"Imported from {Path(path).name} (Moodle XML).")
    return ImportResult(pack, report.sorted(), len(questions), skipped)
