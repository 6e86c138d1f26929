"""GIFT, the plain-text format of Moodle's question bank, read and written as Moodle does.

Reading follows Moodle's importer: questions are separated by blank lines;
lines starting with `//` are comments; `::title::` names a question;
`[markdown]`, `[html]`, `[plain]` or `[moodle]` before a text sets its format;
the answer block `{...}` holds `=right` and `~wrong` answers, `#feedback` after
an answer and `####general feedback` at its end; `~%50%` weights an answer
(as in Moodle, no `=` answer makes a multiple-answer question); `$CATEGORY:`
starts a category; `\\~ \\= \\# \\{ \\} \\:` are the literal characters, `\\n` a
newline and `\\\\` a backslash. An answer block in the middle of the text is
Moodle's "missing word" form: the text gets a blank `_____` there.

Kinds the pack format cannot hold (essay, matching, numerical, short answer,
true/false, descriptions) are skipped with a warning naming their line.

quizapp writes three comment lines Moodle ignores and `quizapp import` reads,
so a round trip keeps ids: `// pack-id: ID`, `// pack-title: TITLE` at the top
and `// topic-id: ID` above each `$CATEGORY:`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from question_bank.interchange.common import (DEFAULT_TOPIC, ImportResult, Report, build_pack, category_parts,
                                              common_parent, exportable, html_to_markdown, pack_id_from, slugify,
                                              topic_title, unique_id)
from question_bank.loader import MAX_CHOICES, MIN_CHOICES
from question_bank.models import Choice, Pack, Question, Topic

# Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPES = {"\\\\": "\ue000", "\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\~": "\ue006", "\\n": "\ue007"}
_RESTORE = str.maketrans({"\ue000": "\\", "\ue001": ":", "\ue002": "#", "\ue003": "=", "\ue004": "{",
                          "\ue005": "}", "\ue006": "~", "\ue007": "\n"})
_ESCAPE_RE = re.compile(r"\\[\\:#={}~n]")
_WEIGHT = re.compile(r"%(-?[0-9]+(?:\.[0-9]*)?)%")
_FORMAT = re.compile(r"\[(markdown|html|plain|moodle)\]")
_DIRECTIVE = re.compile(r"//\s*(pack-id|pack-title|topic-id)\s*:\s*(.*?)\s*$")
_TRUE_FALSE = {"T", "TRUE", "F", "FALSE"}
_NOT_HELD = "the pack format holds only single- and multiple-choice questions"


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


@dataclass
class _Block:
    line: int  # first line, 1-based
    text: str  # comment lines blanked, so line numbers stay right
    directives: list[tuple[str, str]]


def _blocks(source: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines: list[str] = []
    directives: list[tuple[str, str]] = []
    start = 0
    for number, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            if lines:
                blocks.append(_Block(start, "\n".join(lines), directives))
            lines, directives = [], []
            continue
        if not lines:
            start = number
        if line.strip().startswith("//"):
            found = _DIRECTIVE.match(line.strip())
            if found:
                directives.append((found.group(1), found.group(2)))
            line = ""
        lines.append(line)
    if lines:
        blocks.append(_Block(start, "\n".join(lines), directives))
    return blocks


def _text(raw: str, default: str) -> tuple[str, str]:
    """(format, Markdown text) of one piece: its own [format] tag, else the question's."""
    raw = raw.strip()
    found = _FORMAT.match(raw)
    fmt = default
    if found:
        fmt, raw = found.group(1), raw[found.end():]
    text = _restore(raw).strip()
    return fmt, html_to_markdown(text) if fmt == "html" else text


class _Parser:
    def __init__(self, source: str, path: str, pack_id: str | None, title: str | None, topic: Topic) -> None:
        self.source = source
        self.report = Report(path)
        self.path = path
        self.wanted_pack_id = pack_id
        self.wanted_title = title
        self.pack_meta: dict[str, str] = {}
        self.topics: dict[str, Topic] = {}
        self.default_topic = self.topic = topic
        self.ids: set[str] = set()
        self.topic_ids: set[str] = set()
        self.drafts: list[dict] = []
        self.categories: list[list[str]] = []
        self.skipped = 0

    # --- positions ---

    def at(self, block: _Block, text: str, offset: int) -> tuple[int, int]:
        """Line and column of `offset` in `text`, a protected copy of the block's text."""
        before = text[:offset]
        return block.line + before.count("\n"), offset - (before.rfind("\n") + 1) + 1

    # --- the file ---

    def parse(self) -> ImportResult:
        for block in _blocks(self.source):
            for name, value in block.directives:
                if name != "topic-id":
                    self.pack_meta[name] = value
            self.block(block)
        return self.result()

    def block(self, block: _Block) -> None:
        text = _protect(block.text)
        lead = len(text) - len(text.lstrip())
        body = text.strip()
        if not body:
            return
        if body.startswith("$CATEGORY:"):
            self.category(block, _restore(body[len("$CATEGORY:"):].strip().split("\n")[0]))
            return
        self.question(block, text, lead)

    def category(self, block: _Block, path: str) -> None:
        parts = category_parts(path)
        self.categories.append(parts)
        if not parts:
            self.topic = self.default_topic
            return
        title = parts[-1]
        wanted = next((value for name, value in block.directives if name == "topic-id"), "")
        existing = next((t for t in self.topics.values() if t.title == title and (not wanted or t.id == wanted)), None)
        if existing is not None:
            self.topic = existing
            return
        topic_id = unique_id(wanted or slugify(title), self.topic_ids, "topic")
        self.topic = self.topics[topic_id] = Topic(topic_id, title)

    # --- one question ---

    def question(self, block: _Block, text: str, start: int) -> None:
        line, _ = self.at(block, text, start)
        rest_at = start
        title = None
        if text.startswith("::", start):
            end = text.find("::", start + 2)
            if end < 0:
                self.report.error(line, "the title '::' is not closed by a second '::'")
                return
            title = _restore(text[start + 2:end]).strip()
            rest_at = end + 2
        named = f" '{title}'" if title else ""
        open_ = text.find("{", rest_at)
        close = text.find("}", rest_at)
        if open_ < 0 and close < 0:
            self.skip(line, f"a description{named} (text without an answer block)")
            return
        if close < 0:
            ol, oc = self.at(block, text, open_)
            self.report.error(ol, f"unclosed brace: the answer block opened here{named} has no '}}' "
                                  "before the blank line that ends the question", oc)
            return
        if open_ < 0 or close < open_:
            cl, cc = self.at(block, text, close)
            self.report.error(cl, "'}' without an opening '{' (write \\} for a literal brace)", cc)
            return
        inner = text.find("{", open_ + 1)
        if 0 <= inner < close:
            il, ic = self.at(block, text, inner)
            self.report.error(il, "'{' inside an answer block (write \\{ for a literal brace)", ic)
            return
        again = text.find("{", close + 1)
        if again >= 0:
            al, ac = self.at(block, text, again)
            self.report.error(al, "a second answer block: a question has one (write \\{ for a literal brace)", ac)
            return
        after = text[close + 1:]
        prompt_raw = text[rest_at:open_] + ("_____" + after if after.strip() else "")
        answers = text[open_ + 1:close].strip()
        general = None
        split = answers.rfind("####")
        if split >= 0:
            general, answers = answers[split + 4:], answers[:split].strip()
        fmt, prompt = _text(prompt_raw, "moodle")
        kind = self.kind(answers)
        if kind != "multichoice":
            self.skip(line, f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} question{named}")
            return
        choices = self.choices(block, text, open_, answers, fmt, named)
        if choices is None:
            return
        if not prompt:
            self.report.error(line, f"question{named} has no text before its answer block")
            return
        explanation = _text(general, fmt)[1] if general is not None else None
        weights = [w for _, w in choices]
        correct = [w > 0 for w in weights]
        positive = [w for w in weights if w > 0]
        if not positive:
            self.report.error(line, f"question{named} has no right answer: mark one with '=' or a positive weight")
            return
        # As in Moodle: an '=' answer makes a single-answer question, no '=' a multiple-answer one.
        marked = "=" in answers
        single = marked and len(positive) == 1
        if marked and not single:
            self.report.warning(line, f"question{named} mixes '=' with partial-credit weights: every "
                                      "positively weighted answer counts as correct, in a 'multiple' question")
        elif not marked and abs(sum(positive) - 100) > 0.5:
            self.report.warning(line, f"question{named}: the positive weights add up to {sum(positive):g}%, "
                                      "not 100%; every positively weighted answer counts as correct")
        wanted = title or " ".join(prompt.split()[:6])
        qid = unique_id(wanted if title and re.fullmatch(r"[a-z0-9][a-z0-9-]*", title) else slugify(wanted),
                        self.ids, f"q{len(self.drafts) + 1}")
        self.topics.setdefault(self.topic.id, self.topic)
        self.drafts.append({
            "id": qid, "topic": self.topic.id, "type": "single" if single else "multiple", "prompt": prompt,
            "choices": tuple(Choice(c.text, ok, c.why) for (c, _), ok in zip(choices, correct)),
            "explanation": explanation or None})

    @staticmethod
    def kind(answers: str) -> str:
        """The question kind, decided as Moodle decides it."""
        if answers == "":
            return "essay"
        if answers.startswith("#"):
            return "numerical"
        if "~" in answers:
            return "multichoice"
        if "=" in answers and "->" in answers:
            return "matching"
        head = answers[:answers.find("#")].strip() if answers.find("#") > 0 else answers
        return "true/false" if head in _TRUE_FALSE else "short-answer"

    def choices(self, block: _Block, text: str, open_: int, answers: str, fmt: str,
                named: str) -> list[tuple[Choice, float]] | None:
        line, _ = self.at(block, text, open_)
        parts = answers.replace("=", "~=").split("~")
        if parts[0].strip():
            self.report.error(line, f"question{named}: '{_restore(parts[0].strip())}' comes before the first "
                                    "'=' or '~' of the answer block")
            return None
        found: list[tuple[Choice, float]] = []
        seen: set[str] = set()
        for part in parts[1:]:
            part = part.strip()
            weight = 0.0
            if part.startswith("="):
                weight, part = 100.0, part[1:].lstrip()
            mark = _WEIGHT.match(part)
            if mark:
                weight, part = float(mark.group(1)), part[mark.end():]
                if not -100 <= weight <= 100:
                    self.report.error(line, f"question{named}: weight {mark.group(0)} is outside -100% to 100%")
                    return None
            answer, _, feedback = part.partition("#")
            answer_text = _text(answer, fmt)[1]
            why = _text(feedback, fmt)[1] if feedback.strip() else None
            if not answer_text:
                self.report.error(line, f"question{named}: an answer is empty")
                return None
            if answer_text in seen:
                self.report.error(line, f"question{named}: the answer '{answer_text}' appears twice")
                return None
            seen.add(answer_text)
            found.append((Choice(answer_text, False, why), weight))
        if len(found) < MIN_CHOICES:
            self.report.error(line, f"question{named} needs at least {MIN_CHOICES} answers, found {len(found)}")
            return None
        if len(found) > MAX_CHOICES:
            self.skip(self.at(block, text, 0)[0],
                      f"question{named} with {len(found)} answers (a pack question has at most {MAX_CHOICES})",
                      held=False)
            return None
        return found

    def skip(self, line: int, what: str, held: bool = True) -> None:
        self.skipped += 1
        reason = f": {_NOT_HELD}" if held else ""
        self.report.warning(line, f"skipped {what}{reason}")

    # --- the pack ---

    def result(self) -> ImportResult:
        problems = self.report.sorted()
        if self.report.failed:
            return ImportResult(None, problems, 0, self.skipped)
        stem = Path(self.path).stem
        parent = common_parent(self.categories)
        pack_id = self.wanted_pack_id or pack_id_from(self.pack_meta.get("pack-id", "") or parent or stem)
        title = self.wanted_title or self.pack_meta.get("pack-title") or parent or stem
        questions = [Question(pack_id, d["id"], d["topic"], d["type"], d["prompt"], d["choices"], d["explanation"])
                     for d in self.drafts]
        pack = build_pack(pack_id, title, self.topics.values(), questions,
                          description=f"Imported from {Path(self.path).name} (GIFT).")
        return ImportResult(pack, problems, len(questions), self.skipped)


def parse(source: str, path: str = "<gift>", pack_id: str | None = None, title: str | None = None,
          topic: Topic = DEFAULT_TOPIC) -> ImportResult:
    """Read GIFT text into a pack; problems carry `path` and line numbers.

    `topic` holds the questions that come before any `$CATEGORY:`.
    """
    return _Parser(source.lstrip("\ufeff"), path, pack_id, title, topic).parse()


# --- writing ---

def escape(text: str) -> str:
    """A text as GIFT writes it: special characters escaped, on one line."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r", "").replace("\n", "\\n")


def _weight(percent: float) -> str:
    return f"{percent:g}" if float(percent).is_integer() else f"{percent:.5f}"


def export(pack: Pack, calculated: str = "draw", seed: int = 0, lang: str | None = None) -> tuple[str, list[str]]:
    """The pack as GIFT text (Markdown texts), and notes on what was changed or left out."""
    questions, notes = exportable(pack, calculated, seed, lang)
    out = [f"// pack-id: {pack.id}", f"// pack-title: {one_line_comment(pack.title)}",
           f"// Exported by quizapp from pack '{pack.id}'"
           + (f" {pack.version}" if pack.version else "") + f": {len(questions)} questions.", ""]
    current = None
    for q in questions:
        if q.topic != current:
            current = q.topic
            title = topic_title(pack, q.topic).replace("/", "//")
            out += [f"// topic-id: {q.topic}",
                    f"$CATEGORY: $course$/top/{pack.title.replace('/', '//')}/{title}", ""]
        out.append(f"::{escape(q.id)}::[markdown]{escape(q.prompt.strip())}{{")
        correct = len(q.correct_indices)
        for c in q.choices:
            if q.type == "single":
                mark = "=" if c.correct else "~"
            else:
                mark = f"~%{_weight(100 / correct)}%" if c.correct else "~%-100%"
            why = f"#{escape(c.why.strip())}" if c.why else ""
            out.append(f"\t{mark}{escape(c.text.strip())}{why}")
        if q.explanation:
            out.append(f"\t####{escape(q.explanation.strip())}")
        out += ["}", ""]
        if any(c.pin for c in q.choices):
            notes.append(f"question '{q.id}': GIFT cannot pin a choice in place; Moodle may shuffle it")
    return "\n".join(out), notes


def one_line_comment(text: str) -> str:
    return " ".join(text.split())
