"""GIFT, the plain-text format of Moodle's question bank, read and written as Moodle does.

Reading follows Moodle's importer: questions are separated by blank lines;
lines starting with `//` are comments; `::title::` names a question;
`[markdown]`, `[html]`, `[plain]` or `[moodle]` before a text sets its format;
the answer block `{...}` holds `=right` and `~wrong` answers, `#feedback` after
an answer and `####general feedback` at its end; `~%50%` grades an answer
(as in Moodle, an `=` answer makes a single-answer question, none a
multiple-answer one: see grades.py for how grades become choices); `{T}`,
`{FALSE#feedback if wrong#feedback if right}` is a true/false question;
`$CATEGORY:` starts a category; `\\~ \\= \\# \\{ \\} \\:` are the literal
characters, `\\n` a newline and `\\\\` a backslash. An answer block in the middle
of the text is Moodle's "missing word" form: the text gets a blank `_____` there.

Kinds the pack format cannot hold (essay, matching, numerical, short answer,
descriptions) are skipped with a warning naming their line, counted by kind.

quizapp writes three comment lines Moodle ignores and `quizapp import` reads,
so a round trip keeps ids: `// pack-id: ID`, `// pack-title: TITLE` at the top
and `// topic-id: ID` above each `$CATEGORY:`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.texts import N_, _
from question_bank.interchange.common import (DEFAULT_TOPIC, MAX_TEXT_IMPORT_BYTES, Categories, ImportResult, Report,
                                              kind_question,
                                              Texts, build_pack, category_path, exportable, media_folder_for,
                                              pack_id_from, slugify, unique_id)
from question_bank.interchange.grades import (Answer, Draft, build, fractions, percent, source_feedback,
                                              true_false_index, true_false_words)
from question_bank.interchange.media import MediaFolder
from question_bank.interchange.names import UniqueNames
from question_bank.models import Pack, Question, Topic

# Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPES = {"\\\\": "\ue000", "\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\~": "\ue006", "\\n": "\ue007"}
_RESTORE = str.maketrans({"\ue000": "\\", "\ue001": ":", "\ue002": "#", "\ue003": "=", "\ue004": "{",
                          "\ue005": "}", "\ue006": "~", "\ue007": "\n"})
_ESCAPE_RE = re.compile(r"\\[\\:#={}~n]")
_WEIGHT = re.compile(r"%(-?[0-9]+(?:\.[0-9]*)?)%")
_FORMAT = re.compile(r"\[(markdown|html|plain|moodle)\]")
_DIRECTIVE = re.compile(r"//\s*(pack-id|pack-title|topic-id)\s*:\s*(.*?)\s*$")
_TRUE = {"T", "TRUE"}
_TRUE_FALSE = _TRUE | {"F", "FALSE"}
_NOT_HELD = N_("the pack format holds only single- and multiple-choice questions")


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


def _split_format(raw: str, default: str) -> tuple[str, str]:
    """(format, text with escapes restored) of one piece: its own [format] tag, else the question's."""
    raw = raw.strip()
    found = _FORMAT.match(raw)
    fmt = default
    if found:
        fmt, raw = found.group(1), raw[found.end():]
    return fmt, _restore(raw).strip()


class _Parser:
    def __init__(self, source: str, path: str, pack_id: str | None, title: str | None, topic: Topic,
                 language: str, media_folder: str) -> None:
        self.source = source
        self.report = Report(path)
        self.path = path
        self.wanted_pack_id = pack_id
        self.wanted_title = title
        self.language = language
        self.words = true_false_words(language) or true_false_words("en")
        self.media = MediaFolder(media_folder)
        self.texts = Texts(self.report, self.media, no_files=_("GIFT carries no files"))
        self.pack_meta: dict[str, str] = {}
        self.categories = Categories(topic)
        self.ids = UniqueNames()
        self.drafts: list[tuple[str, tuple[str, ...] | None, Draft]] = []  # (wanted id, category, draft)

    # --- positions ---

    def at(self, block: _Block, text: str, offset: int) -> tuple[int, int]:
        """Line and column of `offset` in `text`, a protected copy of the block's text."""
        before = text[:offset]
        return block.line + before.count("\n"), offset - (before.rfind("\n") + 1) + 1

    def markdown(self, raw: str, default: str, line: int) -> tuple[str, str]:
        fmt, text = _split_format(raw, default)
        return fmt, self.texts.markdown(fmt, text, line)

    # --- the file ---

    def parse(self) -> ImportResult:
        if self.report.too_large(len(self.source.encode("utf-8")), MAX_TEXT_IMPORT_BYTES, _("a GIFT file")):
            return self.report.result(None)
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
            wanted = next((value for name, value in block.directives if name == "topic-id"), "")
            self.categories.enter(_restore(body[len("$CATEGORY:"):].strip().split("\n")[0]), wanted)
            return
        self.question(block, text, lead)

    # --- one question ---

    def question(self, block: _Block, text: str, start: int) -> None:
        line, _col = self.at(block, text, start)
        rest_at = start
        title = None
        if text.startswith("::", start):
            end = text.find("::", start + 2)
            if end < 0:
                self.report.error(line, _("the title '::' is not closed by a second '::'"))
                return
            title = _restore(text[start + 2:end]).strip()
            rest_at = end + 2
        named = f" '{title}'" if title else ""
        open_ = text.find("{", rest_at)
        close = text.find("}", rest_at)
        if open_ < 0 and close < 0:
            self.skip(line, N_("description"), _("a description{named} (text without an answer block)").format(
                named=named))
            return
        if close < 0:
            ol, oc = self.at(block, text, open_)
            self.report.error(ol, _("unclosed brace: the answer block opened here{named} has no '}}' before the blank "
                                    "line that ends the question").format(named=named), oc)
            return
        if open_ < 0 or close < open_:
            cl, cc = self.at(block, text, close)
            self.report.error(cl, _("'{close}' without an opening '{open}' (write {escaped} for a literal brace)").format(
                close="}", open="{", escaped="\\}"), cc)
            return
        inner = text.find("{", open_ + 1)
        if 0 <= inner < close:
            il, ic = self.at(block, text, inner)
            self.report.error(il, _("'{open}' inside an answer block (write {escaped} for a literal brace)").format(
                open="{", escaped="\\{"), ic)
            return
        again = text.find("{", close + 1)
        if again >= 0:
            al, ac = self.at(block, text, again)
            self.report.error(al, _("a second answer block: a question has one (write {escaped} for a literal "
                                    "brace)").format(escaped="\\{"), ac)
            return
        after = text[close + 1:]
        prompt_raw = text[rest_at:open_] + ("_____" + after if after.strip() else "")
        answers = text[open_ + 1:close].strip()
        general = None
        split = answers.rfind("####")
        if split >= 0:
            general, answers = answers[split + 4:], answers[:split].strip()
        kind = self.kind(answers)
        if kind not in ("multichoice", "true/false"):
            self.skip(line, kind, kind_question(kind, named))
            return
        fmt, prompt = self.markdown(prompt_raw, "moodle", line)
        if not prompt:
            self.report.error(line, _("question{named} has no text before its answer block").format(named=named))
            return
        answer_line, _col = self.at(block, text, open_)
        if kind == "true/false":
            draft = self.true_false(answers, fmt, named, line)
        else:
            draft = self.multichoice(answers, fmt, named, line, answer_line)
        if draft is None:
            return
        draft.prompt = prompt
        draft.explanation = self.markdown(general, fmt, answer_line)[1] or None if general is not None else None
        wanted = title if title and re.fullmatch(r"[a-z0-9][a-z0-9-]*", title) else slugify(
            title or " ".join(prompt.split()[:6]))
        self.drafts.append((wanted, self.categories.current, draft))

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

    def true_false(self, answers: str, fmt: str, named: str, line: int) -> Draft:
        """{T}, {FALSE#feedback when the learner is wrong#feedback when right}, as Moodle reads them."""
        head, *feedback = answers.split("#", 2)
        wrong, right = [self.markdown(part, fmt, line)[1] or None for part in feedback + [""] * (2 - len(feedback))]
        true_right = head.strip() in _TRUE
        true_answer = Answer("True", 100 if true_right else 0, right if true_right else wrong)
        false_answer = Answer("False", 0 if true_right else 100, wrong if true_right else right)
        return Draft(line, named, "", [true_answer, false_answer], single=True, true_false=True)

    def multichoice(self, answers: str, fmt: str, named: str, line: int, answer_line: int) -> Draft | None:
        parts = answers.replace("=", "~=").split("~")
        if parts[0].strip():
            self.report.error(answer_line, _("question{named}: '{text}' comes before the first '=' or '~' of the answer "
                                             "block").format(named=named, text=_restore(parts[0].strip())))
            return None
        found: list[Answer] = []
        for part in parts[1:]:
            part = part.strip()
            weight = 0.0
            if part.startswith("="):
                weight, part = 100.0, part[1:].lstrip()
            mark = _WEIGHT.match(part)
            if mark:
                weight, part = float(mark.group(1)), part[mark.end():]
            answer, _hash, feedback = part.partition("#")
            found.append(Answer(self.markdown(answer, fmt, answer_line)[1], weight,
                                self.markdown(feedback, fmt, answer_line)[1] or None if feedback.strip() else None))
        # As in Moodle: an '=' answer makes a single-answer question, no '=' a multiple-answer one.
        return Draft(answer_line, named, "", found, single="=" in answers)

    def skip(self, line: int, kind: str, what: str) -> None:
        held = "" if kind.startswith(("more than", "single-answer")) else f": {_(_NOT_HELD)}"
        self.report.skip(line, kind, what + held)

    # --- the pack ---

    def result(self) -> ImportResult:
        if self.report.failed:
            return self.report.result(None)
        questions: list[tuple[tuple[str, ...] | None, Question]] = []
        for wanted, category, draft in self.drafts:
            built = build(draft, self.report.error, self.report.warning, self.skip, self.words)
            if built is None:
                continue
            qid = unique_id(wanted, self.ids, f"q{len(questions) + 1}")
            questions.append((category, Question("", qid, "", built.type, draft.prompt, built.choices,
                                                 draft.explanation, extras=built.extras)))
        if self.report.failed:
            return self.report.result(None)
        topics = self.categories.topics({category for category, _ in questions})
        stem = Path(self.path).stem
        parent = self.categories.parent
        pack_id = self.wanted_pack_id or pack_id_from(self.pack_meta.get("pack-id", "") or parent or stem)
        title = self.wanted_title or self.pack_meta.get("pack-title") or parent or stem
        final = [Question(pack_id, q.id, topics[category].id, q.type, q.prompt, q.choices, q.explanation,
                          extras=q.extras) for category, q in questions]
        pack = build_pack(pack_id, title, topics.values(), final,
                          description=f"Imported from {Path(self.path).name} (GIFT).", language=self.language)
        return self.report.result(pack, self.media)


def parse(source: str, path: str = "<gift>", pack_id: str | None = None, title: str | None = None,
          topic: Topic = DEFAULT_TOPIC, *, language: str = "en", media_folder: str | None = None) -> ImportResult:
    """Read GIFT text into a pack; problems carry `path` and line numbers.

    `topic` holds the questions that come before any `$CATEGORY:`; `language` is the
    pack's (it names True and False); images written into HTML texts as `data:`
    addresses are saved under `media_folder` (default: the file's name + .media).
    """
    return _Parser(source.lstrip("\ufeff"), path, pack_id, title, topic, language,
                   media_folder or media_folder_for(path)).parse()


# --- writing ---

def escape(text: str) -> str:
    """A text as GIFT writes it: special characters escaped, on one line."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r", "").replace("\n", "\\n")


def _feedback(text: str | None) -> str:
    return f"#{escape(text.strip())}" if text else ""


def export(pack: Pack, calculated: str = "draw", seed: int = 0, lang: str | None = None) -> tuple[str, list[str]]:
    """The pack as GIFT text (Markdown texts), and notes on what was changed or left out.

    Grades kept in `x-fraction` keys are written back as they were imported;
    true/false questions (`x-moodle-qtype: truefalse`) as `{TRUE#...#...}`.
    """
    questions, notes = exportable(pack, calculated, seed, lang)
    out = [f"// pack-id: {pack.id}", f"// pack-title: {one_line_comment(pack.title)}",
           f"// Exported by quizapp from pack '{pack.id}'"
           + (f" {pack.version}" if pack.version else "") + f": {len(questions)} questions.", ""]
    current = None
    for q in questions:
        if q.topic != current:
            current = q.topic
            topic = pack.topic(q.topic)
            out += [f"// topic-id: {q.topic}",
                    f"$CATEGORY: {category_path(pack.title, topic.title if topic else q.topic)}", ""]
        head = f"::{escape(q.id)}::[markdown]{escape(q.prompt.strip())}{{"
        true_index = true_false_index(q)
        if true_index is not None:
            right = q.choices[true_index].correct
            right_why = q.choices[0 if q.choices[0].correct else 1].why
            wrong_why = q.choices[1 if q.choices[0].correct else 0].why
            marks = _feedback(wrong_why) or ("#" if right_why else "")
            out.append(f"{head}{'TRUE' if right else 'FALSE'}{marks}{_feedback(right_why)}")
        else:
            out.append(head)
            grades, from_source, note = fractions(q)
            if note:
                notes.append(note)
            for c, grade in zip(q.choices, grades):
                if q.type == "single" and c.correct:
                    mark = "="
                else:
                    mark = "~" if grade == 0 else f"~%{percent(grade)}%"
                why = source_feedback(c.why, grade) if from_source else c.why
                out.append(f"\t{mark}{escape(c.text.strip())}{_feedback(why)}")
            if any(c.pin for c in q.choices):
                notes.append(_("question '{id}': GIFT cannot pin a choice in place; Moodle may shuffle it").format(
                    id=q.id))
        if q.explanation:
            out.append(f"\t####{escape(q.explanation.strip())}")
        out += ["}", ""]
    return "\n".join(out), notes


def one_line_comment(text: str) -> str:
    return " ".join(text.split())
