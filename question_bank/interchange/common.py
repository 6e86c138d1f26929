"""What the importers and exporters share: results, ids, text conversion, writing a pack safely."""
from __future__ import annotations

import html
import random
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable

import yaml

from question_bank.calculated import CalculationError, instantiate
from question_bank.loader import PACK_ID, load_pack
from question_bank.models import CalculatedQuestion, Pack, Question, Topic
from question_bank.problems import Problem

DEFAULT_TOPIC = Topic("general", "General")
CATEGORY_ROOTS = {"$course$", "$system$", "$module$", "$cat1$", "$cat2$", "top"}  # Moodle's context prefixes
QUESTION_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # what imported ids look like (the format allows more)


# --- results ---

@dataclass
class ImportResult:
    """A parsed file: the pack (None when there are errors), every problem, and the counts."""

    pack: Pack | None
    problems: list[Problem] = field(default_factory=list)
    imported: int = 0
    skipped: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class Report:
    """Collects problems of one input file, located by line (and column)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str, col: int = 1) -> None:
        self.problems.append(Problem(self.path, line, col, "error", message))

    def warning(self, line: int, message: str, col: int = 1) -> None:
        self.problems.append(Problem(self.path, line, col, "warning", message))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.line, p.col))


# --- ids ---

def slugify(text: str, limit: int = 48) -> str:
    """Lowercase ASCII letters, digits and '-', cut at a word boundary: "Terms of PPO" -> "terms-of-ppo"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > limit:
        cut = slug[:limit + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut else slug[:limit]
    return slug.strip("-")


def unique_id(wanted: str, taken: set[str], fallback: str) -> str:
    """`wanted` when it is a usable id not yet taken, else a numbered variant; remembered in `taken`."""
    base = wanted if wanted and QUESTION_ID.fullmatch(wanted) else (slugify(wanted) or fallback)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def pack_id_from(text: str, fallback: str = "imported") -> str:
    slug = slugify(text)
    return slug if slug and PACK_ID.fullmatch(slug) else fallback


# --- text conversion ---

class _HtmlToMarkdown(HTMLParser):
    """Just enough HTML for question texts: paragraphs, line breaks, emphasis, code, lists."""

    BLOCKS = {"p", "div", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"}
    MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "tt": "`"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag == "br":
            self.out.append("  \n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag in self.MARKS:
            self.out.append(self.MARKS[tag])

    def handle_data(self, data: str) -> None:
        self.out.append(re.sub(r"\s+", " ", data))


def html_to_markdown(text: str) -> str:
    parser = _HtmlToMarkdown()
    parser.feed(text)
    parser.close()
    joined = "".join(parser.out)
    lines = [line.strip() for line in joined.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def markdown_to_html(text: str) -> str:
    """Markdown as HTML (CommonMark, raw HTML escaped); plain escaping when markdown-it is missing."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - textual brings markdown-it along
        return "<br>".join(html.escape(line) for line in text.split("\n"))
    rendered = MarkdownIt("commonmark", {"html": False}).render(text).strip()
    # One paragraph needs no <p>: cards and answers read better without the margin.
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def one_line(text: str) -> str:
    """Whitespace, newlines included, collapsed to single spaces."""
    return " ".join(text.split())


# --- export helpers ---

def exportable(pack: Pack, calculated: str = "draw", seed: int = 0,
               lang: str | None = None) -> tuple[list[Question], list[str]]:
    """The pack's questions as concrete Questions, and notes on what changed.

    Calculated questions are exported as one drawn instance (`calculated="draw"`,
    seeded per question so the same seed gives the same file) or left out ("skip").
    `lang` exports that translation where a question has one.
    """
    questions: list[Question] = []
    notes: list[str] = []
    drawn_ids: list[str] = []
    skipped_ids: list[str] = []
    order = {t.id: i for i, t in enumerate(pack.topics)}
    for q in sorted(pack.questions, key=lambda q: order.get(q.topic, len(order))):  # grouped by topic
        if isinstance(q, CalculatedQuestion):
            if calculated == "skip":
                skipped_ids.append(q.id)
                continue
            try:
                q = instantiate(q, random.Random(f"{seed}/{q.key}"))[0]
            except CalculationError as exc:
                notes.append(f"skipped calculated question '{q.id}': {exc}")
                continue
            drawn_ids.append(q.id)
        questions.append(q.localized(lang) if lang else q)
    if drawn_ids:
        notes.append(f"{count(len(drawn_ids), 'calculated question')} exported as one drawn instance each "
                     f"(seed {seed}; --calculated skip leaves them out): {', '.join(drawn_ids)}")
    if skipped_ids:
        notes.append(f"skipped {count(len(skipped_ids), 'calculated question')}: {', '.join(skipped_ids)}")
    return questions, notes


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def topic_title(pack: Pack, topic_id: str) -> str:
    topic = pack.topic(topic_id)
    return topic.title if topic else topic_id


# --- writing a pack ---

class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def question_data(q: Question) -> dict[str, Any]:
    """One question as the pack format writes it, defaults left out."""
    data: dict[str, Any] = {"id": q.id, "topic": q.topic, "type": q.type}
    if q.difficulty != 3:
        data["difficulty"] = q.difficulty
    if q.tags:
        data["tags"] = list(q.tags)
    data["prompt"] = q.prompt
    choices = []
    for c in q.choices:
        choice: dict[str, Any] = {"text": c.text}
        if c.correct:
            choice["correct"] = True
        if c.why:
            choice["why"] = c.why
        if c.pin:
            choice["pin"] = True
        choices.append(choice)
    data["choices"] = choices
    if q.explanation:
        data["explanation"] = q.explanation
    if q.source:
        data["source"] = q.source
    return data


def pack_yaml(pack: Pack, comment: str = "") -> str:
    """A single-file format-1 pack."""
    header: dict[str, Any] = {"id": pack.id, "title": pack.title}
    if pack.version:
        header["version"] = pack.version
    header["language"] = pack.language
    if pack.authors:
        header["authors"] = list(pack.authors)
    if pack.description:
        header["description"] = pack.description
    data = {"format": 1, "pack": header,
            "topics": [{"id": t.id, "title": t.title} for t in pack.topics],
            "questions": [question_data(q) for q in pack.questions]}
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000,
                     default_flow_style=False, indent=2)
    lines = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines()) if comment else ""
    return lines + body


def pack_file_errors(path: Path, shown: Path) -> list[Problem]:
    """The errors the loader finds in a written pack file, located as if the file were `shown`."""
    result = load_pack(path)
    return [Problem(str(shown), p.line, p.col, p.severity, p.message) for p in result.errors]


def category_parts(path: str) -> list[str]:
    """A Moodle category path as its names: "$course$/top/LLM Foundations/A//B" -> ["LLM Foundations", "A/B"]."""
    parts = [p.replace("\0", "/").strip() for p in path.replace("//", "\0").split("/")]
    while parts and parts[0] in CATEGORY_ROOTS:
        parts.pop(0)
    return [p for p in parts if p]


def common_parent(paths: list[list[str]]) -> str | None:
    """The first category name all paths share above their last one (quizapp exports the pack title there)."""
    if not paths or any(len(p) < 2 for p in paths):
        return None
    first = {p[0] for p in paths}
    return first.pop() if len(first) == 1 else None


def build_pack(pack_id: str, title: str, topics: Iterable[Topic], questions: Iterable[Question],
               description: str | None = None) -> Pack:
    questions = tuple(questions)
    used = {q.topic for q in questions}
    kept = tuple(t for t in topics if t.id in used) or (DEFAULT_TOPIC,)
    return Pack(id=pack_id, title=title, topics=kept, questions=questions, description=description)
