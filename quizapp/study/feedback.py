"""What the learner reads after answering, as Markdown: verdict, the whys, the explanation."""
from __future__ import annotations

from question_bank.models import Question
from quizapp.study.practice import LETTERS, Answer


def toggled_language(question: Question, current: str | None, preferred: str | None) -> str | None:
    """What the language key switches to: back to the pack's language, or to a translation
    (the one asked for with --lang when the question has it). Raises LookupError when untranslated."""
    available = sorted(question.translations)
    if not available:
        raise LookupError("This question has no translation.")
    if current:
        return None
    return preferred if preferred in available else available[0]


def letters(positions) -> str:
    return ", ".join(LETTERS[p] for p in sorted(positions))


def verdict(answer: Answer) -> str:
    """One line: right or wrong, and the correct letters."""
    correct = answer.item.correct_positions
    if answer.correct:
        return f"✓ Right: {letters(correct)}."
    if not answer.picked:
        return f"– Not answered: the correct answer{'s are' if len(correct) > 1 else ' is'} {letters(correct)}."
    noun = "answers are" if len(correct) > 1 else "answer is"
    return f"✗ Not quite: you chose {letters(answer.picked)}, the correct {noun} {letters(correct)}."


def feedback_markdown(answer: Answer, shown: Question | None = None) -> str:
    """`shown` is the question as displayed (maybe translated); the whys come from the pack's own text."""
    item = answer.item
    shown = shown or item.question
    correct = item.correct_positions
    plural = len(correct) > 1
    if answer.correct:
        lines = [f"**✓ Right.** The answer is **{letters(correct)}**."]
    elif not answer.picked:
        lines = [f"**– Not answered.** The correct answer{'s are' if plural else ' is'} **{letters(correct)}**."]
    else:
        lines = [f"**✗ Not quite.** You chose **{letters(answer.picked)}**; the correct answer{'s are' if plural else ' is'} "
                 f"**{letters(correct)}**."]
    lines.append("")
    for pos in sorted(answer.picked | correct):
        choice = item.question.choices[item.order[pos]]
        text = shown.choices[item.order[pos]].text
        role = "correct" if pos in correct else "your answer"
        why = f": {choice.why.strip()}" if choice.why else ""
        lines.append(f"- **{LETTERS[pos]}** ({role}) *{_one_line(text)}*{why}")
    if shown.explanation:
        lines += ["", "**Explanation.** " + shown.explanation.strip()]
    return "\n".join(lines)


def _one_line(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split()).replace("*", r"\*")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
