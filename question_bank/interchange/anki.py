"""Anki: a tab-separated notes file with Anki's header lines (File > Import, Anki 2.1.55 or later).

    #separator:tab
    #html:true
    #notetype:Basic
    #deck:LLM Foundations
    #guid column:1
    #tags column:4
    #columns:GUID	Front	Back	Tags

One note per question, of the Basic note type. The GUID is the question's key
(`pack/id`), so importing a newer export updates the notes instead of adding
copies. Front: the prompt and the lettered choices. Back: the right letter(s)
with their text, the why of every choice, and the explanation. Tags: the topic
as `pack::topic` and the question's own tags. Texts are Markdown rendered to HTML,
with no tab, newline or double quote left in a field (so no CSV quoting is needed).
"""
from __future__ import annotations

import re

from question_bank.interchange.common import exportable, markdown_to_html
from question_bank.models import Pack, Question

LETTERS = "ABCDEFGH"
_PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)


def field(html_text: str) -> str:
    """One field on one line: no tabs or newlines (line breaks kept inside <pre> as <br>)."""
    html_text = _PRE.sub(lambda m: m.group(0).replace("\n", "<br>"), html_text)
    return html_text.replace("\t", " ").replace("\r", "").replace("\n", " ").strip()


def tag(text: str) -> str:
    """Anki tags hold no spaces."""
    return "_".join(text.split())


def front(q: Question) -> str:
    hint = " <i>(select all that apply)</i>" if q.type == "multiple" and "select all" not in q.prompt.lower() else ""
    items = "".join(f"<div><b>{LETTERS[i]}.</b> {markdown_to_html(c.text.strip())}</div>"
                    for i, c in enumerate(q.choices))
    return field(f"{markdown_to_html(q.prompt.strip())}{hint}<br>{items}")


def back(q: Question) -> str:
    right = sorted(q.correct_indices)
    letters = ", ".join(LETTERS[i] for i in right)
    answer = "".join(f"<div><b>{LETTERS[i]}.</b> {markdown_to_html(q.choices[i].text.strip())}</div>"
                     for i in right)
    parts = [f"<div><b>Answer: {letters}</b></div>{answer}"]
    whys = "".join(f"<div><b>{LETTERS[i]}</b>{' ✓' if c.correct else ''}: {markdown_to_html(c.why.strip())}</div>"
                   for i, c in enumerate(q.choices) if c.why)
    if whys:
        parts.append(f"<br>{whys}")
    if q.explanation:
        parts.append(f"<hr>{markdown_to_html(q.explanation.strip())}")
    return field("".join(parts))


def export(pack: Pack, calculated: str = "draw", seed: int = 0, lang: str | None = None) -> tuple[str, list[str]]:
    """The pack as an Anki notes file, and notes on what was changed."""
    questions, notes = exportable(pack, calculated, seed, lang)
    out = ["#separator:tab", "#html:true", "#notetype:Basic", f"#deck:{' '.join(pack.title.split())}",
           "#guid column:1", "#tags column:4", "#columns:GUID\tFront\tBack\tTags"]
    for q in questions:
        tags = [f"{tag(pack.id)}::{tag(q.topic)}"] + [tag(t) for t in q.tags]
        out.append("\t".join((q.key, front(q), back(q), " ".join(tags))))
    return "\n".join(out) + "\n", notes
