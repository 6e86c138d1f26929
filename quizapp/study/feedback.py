"""What the learner reads after answering, as Markdown: verdict, the whys, the explanation."""
from __future__ import annotations

from question_bank.models import Question
from quizapp.i18n import _, ngettext
from quizapp.study.practice import LETTERS, Answer


def letters(positions) -> str:
    return ", ".join(LETTERS[p] for p in sorted(positions))


def verdict(answer: Answer) -> str:
    """One line: right or wrong, and the correct letters."""
    correct = answer.item.correct_positions
    if answer.correct:
        return _("✓ Right: {letters}.").format(letters=letters(correct))
    if not answer.picked:
        return ngettext("– Not answered: the correct answer is {letters}.",
                        "– Not answered: the correct answers are {letters}.", len(correct)).format(
            letters=letters(correct))
    return ngettext("✗ Not quite: you chose {picked}, the correct answer is {letters}.",
                    "✗ Not quite: you chose {picked}, the correct answers are {letters}.", len(correct)).format(
        picked=letters(answer.picked), letters=letters(correct))


def feedback_markdown(answer: Answer, shown: Question | None = None) -> str:
    """`shown` is the question as displayed (maybe translated, whys included where the pack translates them)."""
    item = answer.item
    shown = shown or item.question
    correct = item.correct_positions
    if answer.correct:
        lines = [_("**✓ Right.** The answer is **{letters}**.").format(letters=letters(correct))]
    elif not answer.picked:
        lines = [ngettext("**– Not answered.** The correct answer is **{letters}**.",
                          "**– Not answered.** The correct answers are **{letters}**.", len(correct)).format(
            letters=letters(correct))]
    else:
        lines = [ngettext("**✗ Not quite.** You chose **{picked}**; the correct answer is **{letters}**.",
                          "**✗ Not quite.** You chose **{picked}**; the correct answers are **{letters}**.",
                          len(correct)).format(picked=letters(answer.picked), letters=letters(correct))]
    lines.append("")
    for pos in sorted(answer.picked | correct):
        choice = shown.choices[item.order[pos]]
        text = choice.text
        role = _("correct") if pos in correct else _("your answer")
        why = f": {choice.why.strip()}" if choice.why else ""
        lines.append(f"- **{LETTERS[pos]}** ({role}) *{_one_line(text)}*{why}")
    if shown.explanation:
        lines += ["", _("**Explanation.**") + " " + shown.explanation.strip()]
    return "\n".join(lines)


def _one_line(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split()).replace("*", r"\*")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
