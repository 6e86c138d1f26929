"""Moodle's graded answers as pack choices, and back, so that a round trip keeps every grade.

Moodle grades each answer with a fraction in percent. A pack choice is right or
wrong, so the importers map them the way a learner meets them in Moodle:

- single-answer (GIFT with an `=` answer, Moodle XML `<single>true</single>`):
  `type: single`; the answer worth 100 % is the correct choice; an answer with
  partial credit is a wrong choice whose `why` starts "Partial credit (50 %) in
  the source". Two answers worth 100 %, or none, cannot be one right answer:
  such a question is skipped with a warning.
- multiple-answer: `type: multiple`; every positively graded answer is correct.
- true/false: `type: single` with the two choices True and False (or the words
  of `--lang`), both pinned, marked `x-moodle-qtype: truefalse`.

When the fractions are not those quizapp's exporters write by default (single:
100 and 0; multiple: 100/n for each of n right answers and -100 for a wrong
one), every choice keeps its fraction in an `x-fraction` key, and the
exporters write those fractions back, with the "Partial credit" words taken
off the feedback again. If the keys no longer fit the choices (a choice edited
to be right or wrong), the defaults are written, with a note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.texts import N_, _
from question_bank.loader import MAX_CHOICES, MIN_CHOICES
from question_bank.models import Choice, Question

FRACTION_KEY = "x-fraction"
KIND_KEY = "x-moodle-qtype"
TRUE_FALSE = "truefalse"
TOLERANCE = 1e-4  # percent: Moodle stores fractions with 7 digits (33.33333)
_PARTIAL = re.compile(r"Partial credit \((-?[0-9]+(?:\.[0-9]+)?) %\) in the source(?:: |\.$)")

TRUE_FALSE_WORDS = {"en": ("True", "False"), "de": ("Wahr", "Falsch"), "fr": ("Vrai", "Faux"),
                    "es": ("Verdadero", "Falso"), "it": ("Vero", "Falso"), "nl": ("Waar", "Onwaar"),
                    "pt": ("Verdadeiro", "Falso")}


def true_false_words(language: str) -> tuple[str, str] | None:
    """The words for True and False in a language ('pt-BR' uses 'pt'); None when quizapp has none."""
    return TRUE_FALSE_WORDS.get(language.split("-")[0].lower())


def percent(value: float) -> str:
    """A fraction as Moodle writes it: 50, 33.33333, -100."""
    return f"{value:.5f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{value:g}"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def partial_why(fraction: float, feedback: str | None) -> str:
    head = f"Partial credit ({percent(fraction)} %) in the source"
    return f"{head}: {feedback}" if feedback else f"{head}."


# --- import ---

@dataclass
class Answer:
    text: str  # Markdown
    fraction: float  # percent, as in the source
    feedback: str | None = None


@dataclass
class Draft:
    """A question read from a file, before it becomes a pack question."""

    line: int
    named: str  # " 'title'" for messages, or ""
    prompt: str
    answers: list[Answer]
    single: bool
    explanation: str | None = None
    true_false: bool = False
    pinned: bool = False  # Moodle's shuffleanswers off: every choice keeps its place
    extras: dict[str, Any] = field(default_factory=dict)


Complain = Callable[[int, str], None]


@dataclass
class Built:
    type: str
    choices: tuple[Choice, ...]
    extras: dict[str, Any]


def build(draft: Draft, error: Complain, warning: Complain, skip: Callable[[int, str, str], None],
          words: tuple[str, str] = TRUE_FALSE_WORDS["en"]) -> Built | None:
    """The draft as pack choices; None when it was reported as an error or skipped (`skip(line, kind, why)`)."""
    named, line, answers = draft.named, draft.line, draft.answers
    if draft.true_false:
        return _true_false(draft, words)
    texts = [a.text for a in answers]
    if "" in texts:
        error(line, _("question{named}: an answer is empty").format(named=named))
        return None
    repeated = next((t for i, t in enumerate(texts) if t in texts[:i]), None)
    if repeated is not None:
        error(line, _("question{named}: the answer '{text}' appears twice").format(named=named, text=repeated))
        return None
    if len(answers) < MIN_CHOICES:
        error(line, _("question{named} needs at least {n} answers, found {found}").format(
            named=named, n=MIN_CHOICES, found=len(answers)))
        return None
    if len(answers) > MAX_CHOICES:
        skip(line, N_("more than 8 answers"), _("question{named} with {n} answers (a pack question has at most "
                                                "{most})").format(named=named, n=len(answers), most=MAX_CHOICES))
        return None
    outside = next((a.fraction for a in answers if not -100 - TOLERANCE <= a.fraction <= 100 + TOLERANCE), None)
    if outside is not None:
        error(line, _("question{named}: the grade {grade} % is outside -100 % to 100 %").format(
            named=named, grade=percent(outside)))
        return None
    fractions = [a.fraction for a in answers]
    if draft.single:
        full = [i for i, f in enumerate(fractions) if abs(f - 100) <= TOLERANCE]
        if len(full) != 1:
            why = _("two answers worth 100 %") if full else _("no answer worth 100 %")
            skip(line, N_("single-answer without one right answer"),
                 _("single-answer question{named} with {why}: a pack question of type 'single' has exactly one right "
                   "answer").format(named=named, why=why))
            return None
        correct = [i == full[0] for i in range(len(answers))]
        whys = [partial_why(a.fraction, a.feedback) if 0 < a.fraction < 100 - TOLERANCE else a.feedback
                for a in answers]
        defaults = [100.0 if ok else 0.0 for ok in correct]
    else:
        correct = [f > 0 for f in fractions]
        positive = [f for f in fractions if f > 0]
        if not positive:
            error(line, _("question{named} has no right answer: give one answer a positive grade").format(named=named))
            return None
        if abs(sum(positive) - 100) > 0.5:
            warning(line, _("question{named}: the positive grades add up to {sum} %, not 100 %; every positively "
                            "graded answer counts as correct").format(named=named, sum=percent(sum(positive))))
        whys = [a.feedback for a in answers]
        defaults = [100 / len(positive) if ok else -100.0 for ok in correct]
    keep = any(abs(f - d) > TOLERANCE for f, d in zip(fractions, defaults))
    choices = tuple(Choice(a.text, ok, why or None, draft.pinned,
                           {FRACTION_KEY: _number(a.fraction)} if keep else {})
                    for a, ok, why in zip(answers, correct, whys))
    return Built("single" if draft.single else "multiple", choices, dict(draft.extras))


def _true_false(draft: Draft, words: tuple[str, str]) -> Built:
    """Two pinned choices, True first; `answers` holds (true, false) as the source graded them."""
    true_answer, false_answer = draft.answers
    true_right = true_answer.fraction > false_answer.fraction
    choices = (Choice(words[0], true_right, true_answer.feedback or None, True),
               Choice(words[1], not true_right, false_answer.feedback or None, True))
    return Built("single", choices, {KIND_KEY: TRUE_FALSE, **draft.extras})


# --- export ---

def true_false_index(q: Question) -> int | None:
    """Which choice is 'true' when `q` is exported as a true/false question; None when it is not one."""
    if q.extras.get(KIND_KEY) != TRUE_FALSE or q.type != "single" or len(q.choices) != 2:
        return None
    for words in TRUE_FALSE_WORDS.values():
        texts = [c.text.strip().lower() for c in q.choices]
        if texts == [words[1].lower(), words[0].lower()]:
            return 1
    return 0


def fractions(q: Question) -> tuple[list[float], bool, str | None]:
    """Each choice's fraction in percent, whether they are the source's, and a note when the keys did not fit."""
    right = len(q.correct_indices)
    if q.type == "single":
        defaults = [100.0 if c.correct else 0.0 for c in q.choices]
    else:
        defaults = [100.0 / right if c.correct else -100.0 for c in q.choices]
    kept = [c.extras.get(FRACTION_KEY) for c in q.choices]
    if all(value is None for value in kept):
        return defaults, False, None
    numbers = [float(v) for v in kept if isinstance(v, (int, float)) and not isinstance(v, bool)]
    fits = len(numbers) == len(kept) and all(-100 <= f <= 100 for f in numbers)
    if fits and q.type == "single":
        fits = all((abs(f - 100) <= TOLERANCE) == c.correct for f, c in zip(numbers, q.choices))
    elif fits:
        fits = all((f > 0) == c.correct for f, c in zip(numbers, q.choices))
    if not fits:
        return defaults, False, _("question '{id}': its {key} keys do not fit its correct choices (every choice needs "
                                  "one, right ones positive, 100 for the right one of a single question); the default "
                                  "grades are written").format(id=q.id, key=FRACTION_KEY)
    return numbers, True, None


def source_feedback(why: str | None, fraction: float) -> str | None:
    """The feedback as the source had it: the "Partial credit (50 %) in the source" words taken off."""
    if not why:
        return why
    found = _PARTIAL.match(why)
    if found is None or abs(float(found.group(1)) - fraction) > TOLERANCE:
        return why
    rest = why[found.end():]
    return rest or None
