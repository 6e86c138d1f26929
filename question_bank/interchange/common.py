"""What the importers and exporters share: results, ids, text conversion, writing a pack safely."""
from __future__ import annotations

import html
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from engine.texts import _, ngettext
from question_bank.calculated import CalculationError, instantiate
from question_bank.interchange.html_markdown import Reference, escape_markdown, html_to_markdown
from question_bank.interchange.names import UniqueNames
from question_bank.interchange.media import (MediaFile, MediaFolder, data_uri, decode_base64, plugin_file_name,
                                             safe_name)
from question_bank.loader import PACK_ID, load_pack
from question_bank.models import CalculatedQuestion, Pack, Question, Topic, plain_data
from question_bank.problems import Problem
from question_bank.source import MAX_FILE_BYTES

DEFAULT_TOPIC = Topic("general", "General")
CATEGORY_ROOTS = {"$course$", "$system$", "$module$", "$cat1$", "$cat2$", "top"}  # Moodle's context prefixes
QUESTION_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # what imported ids look like (the format allows more)


# --- results ---

MAX_TEXT_IMPORT_BYTES = 8 * 1024 * 1024
"""Largest GIFT or Aiken file read: its pack could not be larger than one pack file may be."""
MAX_XML_IMPORT_BYTES = 32 * 1024 * 1024
"""Largest Moodle XML file read: embedded files (saved beside the pack) make these bigger."""


@dataclass
class ImportResult:
    """A parsed file: the pack (None when there are errors), every problem, the counts and the embedded files."""

    pack: Pack | None
    problems: list[Problem] = field(default_factory=list)
    imported: int = 0
    skipped_kinds: dict[str, int] = field(default_factory=dict)  # kind -> how many, in the order first met
    media: list[MediaFile] = field(default_factory=list)  # to write into the media folder beside the pack

    @property
    def skipped(self) -> int:
        return sum(self.skipped_kinds.values())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> str:
        """'8 questions imported, 3 skipped (2 essay, 1 numerical)'."""
        imported = ngettext("{n} question imported", "{n} questions imported", self.imported).format(n=self.imported)
        if not self.skipped_kinds:
            return _("{imported}, {n} skipped").format(imported=imported, n=self.skipped)
        kinds = ", ".join(f"{n} {_(kind)}" for kind, n in self.skipped_kinds.items())  # a kind is N_-marked or a Moodle type
        return _("{imported}, {n} skipped ({kinds})").format(imported=imported, n=self.skipped, kinds=kinds)


def kind_question(kind: str, named: str) -> str:
    """"an essay question 'q3'": a question of a kind the pack format does not hold (`named`: " 'name'" or "")."""
    if kind[:1] in tuple("aeiou"):
        return _("an {kind} question{named}").format(kind=kind, named=named)
    return _("a {kind} question{named}").format(kind=kind, named=named)


MAX_REPORTED = 1000  # problems listed for one file; beyond that they are counted, so memory stays bounded


class Report:
    """Collects problems of one input file, located by line (and column), and counts what was skipped."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.skipped: dict[str, int] = {}
        self.unlisted = 0  # problems past MAX_REPORTED
        self.errors = 0

    def add(self, line: int, col: int, severity: str, message: str) -> None:
        self.errors += severity == "error"
        message = " ".join(message.splitlines())  # one line, whatever a title or answer in it holds
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(self.path, line, col, severity, message))  # type: ignore[arg-type]
        else:
            self.unlisted += 1

    def error(self, line: int, message: str, col: int = 1) -> None:
        self.add(line, col, "error", message)

    def warning(self, line: int, message: str, col: int = 1) -> None:
        self.add(line, col, "warning", message)

    def note(self, line: int, message: str, col: int = 1) -> None:
        self.add(line, col, "note", message)

    def skip(self, line: int, kind: str, what: str) -> None:
        """A question left out: `kind` is counted in the summary, `what` says which and why."""
        self.skipped[kind] = self.skipped.get(kind, 0) + 1
        self.warning(line, _("skipped {what}").format(what=what))

    @property
    def failed(self) -> bool:
        return self.errors > 0

    def sorted(self) -> list[Problem]:
        listed = sorted(self.problems, key=lambda p: (p.line, p.col))
        if self.unlisted:
            last = listed[-1].line if listed else 1
            listed.append(Problem(self.path, last, 1, "warning", _(
                "{n} more problems are not listed (the first {limit} are)").format(
                    n=f"{self.unlisted:,}", limit=f"{MAX_REPORTED:,}")))
        return listed

    def result(self, pack: Pack | None, media: MediaFolder | None = None) -> ImportResult:
        """The outcome: no pack when there are errors."""
        if self.failed:
            pack = None
        imported = len(pack.questions) if pack is not None else 0
        files = list(media.files) if media is not None and pack is not None else []
        return ImportResult(pack, self.sorted(), imported, dict(self.skipped), files)

    def too_large(self, size: int, limit: int, what: str) -> bool:
        """Report an input over its size limit (an error at line 1); whether it is."""
        if size <= limit:
            return False
        self.error(1, _("the file is {size} bytes, over the limit of {limit} for {what}: split it into smaller files "
                        "and import each").format(size=f"{size:,}", limit=f"{limit:,}", what=what))
        return True


def media_folder_for(path: str) -> str:
    """The default media folder of an import: the source's name with `.media` ('quiz.xml' -> 'quiz.media')."""
    return Path(path).stem + ".media"


# --- ids ---

def slugify(text: str, limit: int = 48) -> str:
    """Lowercase ASCII letters, digits and '-', cut at a word boundary: "Terms of PPO" -> "terms-of-ppo"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > limit:
        cut = slug[:limit + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut else slug[:limit]
    return slug.strip("-")


def unique_id(wanted: str, taken: UniqueNames, fallback: str) -> str:
    """`wanted` when it is a usable id not yet taken, else a numbered variant; remembered in `taken`."""
    base = wanted if wanted and QUESTION_ID.fullmatch(wanted) else (slugify(wanted) or fallback)
    return taken.take(base, lambda n: f"{base}-{n}")


def pack_id_from(text: str, fallback: str = "imported") -> str:
    slug = slugify(text)
    return slug if slug and PACK_ID.fullmatch(slug) else fallback


# --- text conversion ---

MARKUP = re.compile(r"<[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|</[A-Za-z][A-Za-z0-9]*\s*>")  # an HTML tag in a text
_RAW_HTML = re.compile(r"<(img|table|iframe|video|audio|object|embed)\b", re.IGNORECASE)


class Texts:
    """The texts of one imported file as Markdown, with embedded files saved and every change reported.

    `fmt` is the text's format as the file names it: html (converted), moodle or
    moodle_auto_format (converted when it holds HTML tags, else kept), plain or
    plain_text (escaped so Markdown shows the same characters), markdown (kept).
    `files` maps the names a text refers to as @@PLUGINFILE@@/NAME to their
    base64 content and line (Moodle XML); other formats carry no files.
    """

    def __init__(self, report: "Report", media: MediaFolder, no_files: str = "") -> None:
        self.report = report
        self.media = media
        self.no_files = no_files  # why a referenced file is missing, e.g. "GIFT carries no files"

    def markdown(self, fmt: str, text: str, line: int, files: dict[str, tuple[str, int]] | None = None) -> str:
        fmt = fmt.lower()
        files = files or {}
        used: dict[str, Reference | None] = {}  # file name -> its reference, once saved
        if fmt in ("plain", "plain_text"):
            result = escape_markdown(text.strip())
        elif fmt == "html" or (fmt in ("moodle", "moodle_auto_format") and MARKUP.search(text)):
            source = text if fmt == "html" else text.replace("\n", "<br>")
            converted = html_to_markdown(source, lambda address: self.resolve(address, line, files, used))
            for note in converted.notes:
                self.report.warning(line, note)
            result = converted.text
        else:
            result = text.strip()
            if fmt == "markdown" and _RAW_HTML.search(result):
                self.report.warning(line, _("raw HTML <{tag}> in a Markdown text is kept as written: the TUI does not "
                                            "show it").format(tag=_RAW_HTML.search(result).group(1).lower()))
        for name in files:  # a file no text points to is still saved, with a reference at the end
            if name not in used:
                reference = self.save(name, files[name])
                if reference is not None:
                    result = (result + "\n\n" if result else "") + f"[file: {reference.name}]({reference.link})"
                    self.report.warning(files[name][1], _("the embedded file '{name}' is not referred to in its text; a "
                                                          "reference to it is added at the text's end").format(name=name))
        return result

    def resolve(self, address: str, line: int, files: dict[str, tuple[str, int]],
                used: dict[str, Reference | None]) -> Reference | None:
        name = plugin_file_name(address)
        if name is not None:
            key = name if name in files else name.rsplit("/", 1)[-1]
            if key not in files:
                why = self.no_files or _("it is not in the file")
                self.report.warning(line, _("the text refers to the file '{name}', but {why}: the reference is kept "
                                            "without it").format(name=name, why=why))
                return Reference(safe_name(name), None)
            if key not in used:
                used[key] = self.save(key, files[key])
            return used[key] or Reference(safe_name(name), None)
        decoded = data_uri(address)
        if decoded is not None:
            data, extension = decoded
            saved, new = self.media.add(f"image{extension}", data, line)
            if new:
                self.report.note(line, _("an image written into the text (data: address) saved as {link}").format(
                    link=self.media.link(saved)))
            return Reference(saved, self.media.link(saved))
        return None

    def save(self, name: str, file: tuple[str, int]) -> Reference | None:
        content, line = file
        data = decode_base64(content)
        if data is None:
            self.report.warning(line, _("the embedded file '{name}' is not valid base64; it is left out").format(
                name=name))
            return None
        saved, new = self.media.add(name, data, line)
        if new:
            self.report.note(line, _("embedded file '{name}' saved as {link}").format(name=name,
                                                                                    link=self.media.link(saved)))
        return Reference(saved, self.media.link(saved))


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
                notes.append(_("skipped calculated question '{id}': {reason}").format(id=q.id, reason=exc))
                continue
            drawn_ids.append(q.id)
        questions.append(q.localized(lang) if lang else q)
    if drawn_ids:
        notes.append(ngettext(
            "{n} calculated question exported as one drawn instance each (seed {seed}; --calculated skip leaves them "
            "out): {ids}",
            "{n} calculated questions exported as one drawn instance each (seed {seed}; --calculated skip leaves "
            "them out): {ids}", len(drawn_ids)).format(n=len(drawn_ids), seed=seed, ids=", ".join(drawn_ids)))
    if skipped_ids:
        notes.append(ngettext("skipped {n} calculated question: {ids}", "skipped {n} calculated questions: {ids}",
                              len(skipped_ids)).format(n=len(skipped_ids), ids=", ".join(skipped_ids)))
    return questions, notes


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
    """One question as the pack format writes it, defaults left out, `x-` keys last."""
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
        choice.update(plain_data(c.extras))
        choices.append(choice)
    data["choices"] = choices
    if q.explanation:
        data["explanation"] = q.explanation
    if q.source:
        data["source"] = q.source
    data.update(plain_data(q.extras))
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
    topics = [{"id": t.id, "title": t.title} | ({"description": t.description} if t.description else {})
              for t in pack.topics]
    data = {"format": 1, "pack": header, "topics": topics, "questions": [question_data(q) for q in pack.questions]}
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000,
                     default_flow_style=False, indent=2)
    lines = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines()) if comment else ""
    return lines + body


def pack_file_errors(path: Path, shown: Path) -> list[Problem]:
    """The errors the loader finds in a written pack file, located as if the file were `shown`."""
    result = load_pack(path)
    return [Problem(str(shown), p.line, p.col, p.severity, p.message) for p in result.errors]


class PackTooLarge(Exception):
    """The pack's YAML would be over the loader's size limit; the message says what is too large and what to do."""


def check_pack_size(pack: Pack, text: str) -> None:
    """PackTooLarge when `text`, the pack's YAML, is over the size limit of one pack file."""
    size = len(text.encode("utf-8"))
    if size <= MAX_FILE_BYTES:
        return
    sizes = sorted(((len(yaml.dump(question_data(q), Dumper=_Dumper, allow_unicode=True, width=10_000)), q.id)
                    for q in pack.questions), reverse=True)
    biggest = _("; the largest question is '{id}' ({size} bytes)").format(
        id=sizes[0][1], size=f"{sizes[0][0]:,}") if sizes else ""
    raise PackTooLarge(_(
        "the pack would be {size} bytes of YAML, over the limit of {limit} for one pack file ({n} questions{biggest}): "
        "import the source in parts, e.g. one category at a time (each part becomes a pack, or a question file of "
        "one folder pack)").format(size=f"{size:,}", limit=f"{MAX_FILE_BYTES:,}", n=len(pack.questions),
                                   biggest=biggest))


def media_folder_of(out: Path) -> Path:
    """Where the embedded files of the pack `out` go: 'week3.yaml' -> 'week3.media' beside it."""
    return out.with_suffix(".media")


def category_parts(path: str) -> list[str]:
    """A Moodle category path as its names: "$course$/top/LLM Foundations/A//B" -> ["LLM Foundations", "A/B"]."""
    parts = [p.replace("\0", "/").strip() for p in path.replace("//", "\0").split("/")]
    while parts and parts[0] in CATEGORY_ROOTS:
        parts.pop(0)
    return [p for p in parts if p]


def category_path(pack_title: str, topic_title: str) -> str:
    """The Moodle category of a topic: "$course$/top/PACK/A/B" for the title "A / B" (a '/' alone doubled)."""
    names = [pack_title, *topic_title.split(" / ")]
    return "$course$/top/" + "/".join(name.strip().replace("/", "//") for name in names)


def common_parent(paths: list[list[str]]) -> str | None:
    """The first category name all paths share above their last one (quizapp exports the pack title there)."""
    if not paths or any(len(p) < 2 for p in paths):
        return None
    first = {p[0] for p in paths}
    return first.pop() if len(first) == 1 else None


@dataclass
class _Category:
    names: tuple[str, ...]
    wanted_id: str = ""
    description: str | None = None


class Categories:
    """The categories of an imported file, as topics titled by their path below the pack's ("Sub / Leaf").

    Questions name their category by `current` (None: the default topic); the titles
    are known at the end, once the name shared by every category (the pack title
    quizapp exports, or Moodle's course) is known.
    """

    def __init__(self, default: Topic) -> None:
        self.default = default
        self.paths: list[list[str]] = []
        self.found: dict[tuple[str, ...], _Category] = {}
        self.current: tuple[str, ...] | None = None

    def enter(self, path: str, wanted_id: str = "", description: str | None = None) -> None:
        names = tuple(category_parts(path))
        self.paths.append(list(names))
        if not names:
            self.current = None
            return
        category = self.found.setdefault(names, _Category(names))
        category.wanted_id = wanted_id or category.wanted_id
        category.description = description or category.description
        self.current = names

    @property
    def parent(self) -> str | None:
        return common_parent(self.paths)

    def topics(self, used: set[tuple[str, ...] | None]) -> dict[tuple[str, ...] | None, Topic]:
        """The topic of each category (None: the default one), ids unique among the `used` ones."""
        skip = 1 if self.parent else 0
        taken = UniqueNames([self.default.id] if None in used else [])
        topics: dict[tuple[str, ...] | None, Topic] = {None: self.default}
        for names, category in self.found.items():
            if names not in used:
                continue
            title = " / ".join(names[skip:]) or names[-1]
            topic_id = unique_id(category.wanted_id or slugify(title), taken, "topic")
            topics[names] = Topic(topic_id, title, category.description)
        return topics


def build_pack(pack_id: str, title: str, topics: Iterable[Topic], questions: Iterable[Question],
               description: str | None = None, language: str = "en") -> Pack:
    questions = tuple(questions)
    used = {q.topic for q in questions}
    kept = tuple(t for t in topics if t.id in used) or (DEFAULT_TOPIC,)
    return Pack(id=pack_id, title=title, topics=kept, questions=questions, description=description,
                language=language)
