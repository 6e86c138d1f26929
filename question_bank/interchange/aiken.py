"""Aiken, Moodle's simplest question format: single-answer questions, one line each.

    What does the √d_k in attention keep in check?
    A. The size of the vocabulary
    B) The variance of the dot products
    C. The number of heads
    ANSWER: B

The question comes first (quizapp also takes a question over several lines;
Moodle wants one), then the options lettered A, B, C, ... in order with `.` or
`)`, then `ANSWER: X`. Blank lines between questions are optional. Aiken has
no feedback, explanations, titles or categories: an import puts every
question in one topic.
"""
from __future__ import annotations

import re
from pathlib import Path

from engine.texts import _, ngettext
from question_bank.interchange.common import (DEFAULT_TOPIC, MAX_TEXT_IMPORT_BYTES, ImportResult, Report, build_pack,
                                              exportable, one_line, pack_id_from, slugify, unique_id)
from question_bank.interchange.names import UniqueNames
from question_bank.loader import MAX_CHOICES, MIN_CHOICES
from question_bank.models import Choice, Pack, Question, Topic

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_OPTION = re.compile(r"([A-Z])[.)]\s+(\S.*)")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)", re.IGNORECASE)


def parse(source: str, path: str = "<aiken>", pack_id: str | None = None, title: str | None = None,
          topic: Topic = DEFAULT_TOPIC, *, language: str = "en") -> ImportResult:
    """Read Aiken text into a pack; every error is reported with its line, and then nothing is built.

    Linear in the length of the text; a text over MAX_TEXT_IMPORT_BYTES is refused.
    """
    report = Report(path)
    if report.too_large(len(source.encode("utf-8")), MAX_TEXT_IMPORT_BYTES, _("an Aiken file")):
        return report.result(None)
    drafts: list[tuple[int, str, list[str], int]] = []  # (line, question, options, correct index)
    question: list[str] = []
    question_line = 0
    options: list[str] = []
    option_line = 0

    def unfinished(line: int, what: str) -> None:
        report.error(question_line, _("the question here has no ANSWER line before {what} (line {line})").format(
            what=what, line=line) if line else _("the question here has no ANSWER line before the end of the file"))

    for number, raw in enumerate(source.lstrip("\ufeff").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.fullmatch(line)
        option = _OPTION.fullmatch(line)
        if answer:
            if not question:
                report.error(number, _("ANSWER line without a question before it"))
                continue
            if len(options) < MIN_CHOICES:
                report.error(number, _("needs at least {n} options (A. ..., B. ...) before the ANSWER line, found "
                                       "{found}").format(n=MIN_CHOICES, found=len(options)))
            else:
                letter = answer.group(1).strip()
                if not re.fullmatch(r"[A-Za-z]", letter):
                    report.error(number, _("ANSWER must name one option letter, such as 'ANSWER: B', not '{letter}' "
                                           "(Aiken questions have one right answer)").format(letter=letter))
                elif letter.upper() not in LETTERS[:len(options)]:
                    report.error(number, _("ANSWER '{letter}' is not one of the options A to {last}").format(
                        letter=letter, last=LETTERS[len(options) - 1]))
                else:
                    if len(options) > MAX_CHOICES:
                        report.error(option_line, _("{n} options; a pack question has at most {most}").format(
                            n=len(options), most=MAX_CHOICES))
                    drafts.append((question_line, "\n".join(question), options,
                                   LETTERS.index(letter.upper())))
            question, options = [], []
            continue
        if option and question:
            expected = LETTERS[len(options)] if len(options) < len(LETTERS) else "?"
            if option.group(1) != expected:
                report.error(number, _("option '{letter}' where '{expected}' was expected: options are lettered A, B, "
                                       "C, ... in order").format(letter=option.group(1), expected=expected))
            options.append(option.group(2).strip())
            option_line = number
            continue
        if option and not question:
            report.error(number, _("option '{letter}' without a question before it").format(letter=option.group(1)))
            continue
        if options:  # text after the options: a new question started without an ANSWER line
            unfinished(number, _("the next question starts"))
            question, options = [], []
        if not question:
            question_line = number
        question.append(line)
    if question:
        unfinished(0, "")
    if report.failed:
        return report.result(None)

    stem = Path(path).stem
    pack_id = pack_id or pack_id_from(stem)
    ids = UniqueNames()
    questions = []
    for number, (line, prompt, texts, right) in enumerate(drafts, 1):
        if len(set(texts)) != len(texts):
            report.error(line, _("two options of this question have the same text"))
            continue
        qid = unique_id(slugify(" ".join(prompt.split()[:6])), ids, f"q{number}")
        choices = tuple(Choice(text, i == right) for i, text in enumerate(texts))
        questions.append(Question(pack_id, qid, topic.id, "single", prompt, choices))
    pack = build_pack(pack_id, title or stem, (topic,), questions,
                      description=f"Imported from {Path(path).name} (Aiken).", language=language)
    return report.result(pack)


def export(pack: Pack, calculated: str = "draw", seed: int = 0, lang: str | None = None) -> tuple[str, list[str]]:
    """Single-answer questions as Aiken (texts on one line each); others are left out with a note."""
    questions, notes = exportable(pack, calculated, seed, lang)
    out: list[str] = []
    multiple = [q.id for q in questions if q.type != "single"]
    if multiple:
        notes.append(ngettext("skipped {n} multiple-answer question (Aiken holds single-answer questions only): {ids}",
                              "skipped {n} multiple-answer questions (Aiken holds single-answer questions only): {ids}",
                              len(multiple)).format(n=len(multiple), ids=", ".join(multiple)))
    for q in questions:
        if q.type != "single":
            continue
        prompt = one_line(q.prompt)
        if _OPTION.fullmatch(prompt) or _ANSWER.fullmatch(prompt):
            notes.append(_("skipped question '{id}': its text would read as an Aiken option or ANSWER line").format(
                id=q.id))
            continue
        out.append(prompt)
        for letter, choice in zip(LETTERS, q.choices):
            out.append(f"{letter}. {one_line(choice.text)}")
        (right,) = q.correct_indices
        out.append(f"ANSWER: {LETTERS[right]}")
        out.append("")
    dropped = [q.id for q in questions if q.type == "single" and (q.explanation or any(c.why for c in q.choices))]
    if dropped:
        notes.append(ngettext("Aiken has no feedback: the whys and explanations of {n} question are left out",
                              "Aiken has no feedback: the whys and explanations of {n} questions are left out",
                              len(dropped)).format(n=len(dropped)))
    return "\n".join(out), notes
