"""Anki: a real deck package (.apkg) made with genanki.

- One deck per pack (the pack's title) and a sub-deck per topic (`Title::Topic`).
- One note type, "quizapp question": the front shows the prompt and the lettered choices,
  the back the key, the why of every choice and the explanation. When the pack has
  translations, each language gets fields of its own (`Prompt_de`, `Choices_de`, `Whys_de`, ...),
  shown under the original on both sides.
- Tags: `pack::topic`, `difficulty::N` and the question's own tags.
- Stable identities: the note GUID comes from the pack and question ids, and the note
  type and deck ids from their names, so importing a newer export updates the notes
  (Anki matches notes by GUID) instead of adding copies.

The text export in `anki.py` stays for users who prefer File > Import of a notes file.
"""
from __future__ import annotations

import hashlib
import warnings
from typing import IO

import genanki

from question_bank.interchange.common import exportable, markdown_to_html
from question_bank.models import Pack, Question

LETTERS = "ABCDEFGH"
MODEL_NAME = "quizapp question"
BASE_FIELDS = ("Key", "Prompt", "Choices", "Answer", "Whys", "Explanation")
TRANSLATED_FIELDS = ("Prompt", "Choices", "Answer", "Whys", "Explanation")
CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background: white; }
.choices div { margin: 0.3em 0; }
.answer { color: #1e8449; font-weight: bold; }
.translation { color: #555; border-top: 1px dashed #aaa; margin-top: 1em; padding-top: 0.5em; }
.whys div { margin: 0.2em 0; }
"""


def stable_id(*parts: str) -> int:
    """A positive id that fits Anki's 64-bit columns, the same for the same parts on every export."""
    digest = hashlib.sha256("\x1f".join(("quizapp",) + parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:6], "big") % (1 << 40)


def note_guid(pack_id: str, question_id: str) -> str:
    return genanki.guid_for("quizapp", pack_id, question_id)


def languages(pack: Pack, questions: list[Question]) -> list[str]:
    """The translation languages any question has, in a stable order (never the pack's own)."""
    found = {lang for q in questions for lang in q.translations}
    return sorted(found - {pack.language})


def field_names(langs: list[str]) -> list[str]:
    return [*BASE_FIELDS, *(f"{name}_{lang}" for lang in langs for name in TRANSLATED_FIELDS)]


def note_model(langs: list[str]) -> genanki.Model:
    front = '<div class="prompt">{{Prompt}}</div><div class="choices">{{Choices}}</div>'
    back = ('{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div><div class="whys">{{Whys}}</div>'
            "{{#Explanation}}<hr>{{Explanation}}{{/Explanation}}")
    for lang in langs:
        front += (f'{{{{#Prompt_{lang}}}}}<div class="translation" lang="{lang}">{{{{Prompt_{lang}}}}}'
                  f'<div class="choices">{{{{Choices_{lang}}}}}</div></div>{{{{/Prompt_{lang}}}}}')
        back += (f'{{{{#Answer_{lang}}}}}<div class="translation" lang="{lang}"><div class="answer">'
                 f'{{{{Answer_{lang}}}}}</div><div class="whys">{{{{Whys_{lang}}}}}</div>{{{{Explanation_{lang}}}}}'
                 f"</div>{{{{/Answer_{lang}}}}}")
    fields = field_names(langs)
    name = MODEL_NAME + (f" ({', '.join(langs)})" if langs else "")
    return genanki.Model(stable_id("model", *fields), name, fields=[{"name": f} for f in fields],
                         templates=[{"name": "Question", "qfmt": front, "afmt": back}], css=CSS,
                         sort_field_index=1)


def choices_html(q: Question) -> str:
    hint = ("<div><i>(select all that apply)</i></div>"
            if q.type == "multiple" and "select all" not in q.prompt.lower() else "")
    return hint + "".join(f"<div><b>{LETTERS[i]}.</b> {markdown_to_html(c.text.strip())}</div>"
                          for i, c in enumerate(q.choices))


def answer_html(q: Question) -> str:
    right = sorted(q.correct_indices)
    lines = "".join(f"<div><b>{LETTERS[i]}.</b> {markdown_to_html(q.choices[i].text.strip())}</div>" for i in right)
    return f"<div>Answer: {', '.join(LETTERS[i] for i in right)}</div>{lines}"


def whys_html(q: Question) -> str:
    return "".join(f"<div><b>{LETTERS[i]}</b>{' ✓' if c.correct else ''}: {markdown_to_html(c.why.strip())}</div>"
                   for i, c in enumerate(q.choices) if c.why)


def note_fields(q: Question, langs: list[str]) -> list[str]:
    fields = [q.key, markdown_to_html(q.prompt.strip()), choices_html(q), answer_html(q), whys_html(q),
              markdown_to_html(q.explanation.strip()) if q.explanation else ""]
    for lang in langs:
        if lang in q.translations:
            t = q.localized(lang)
            translated_whys = whys_html(t) if q.translations[lang].whys else ""  # else the original's stand
            fields += [markdown_to_html(t.prompt.strip()), choices_html(t), answer_html(t), translated_whys,
                       markdown_to_html(t.explanation.strip()) if t.explanation else ""]
        else:
            fields += [""] * len(TRANSLATED_FIELDS)
    return fields


def tag(text: str) -> str:
    """Anki tags hold no spaces."""
    return "_".join(text.split())


def deck_name(*titles: str) -> str:
    """`::` separates Anki's deck levels; a title's own colons must not add levels."""
    return "::".join(" ".join(t.replace("::", ":").split()) for t in titles)


def build_package(pack: Pack, calculated: str = "draw", seed: int = 0) -> tuple[genanki.Package, list[str]]:
    """The pack as a genanki package, and notes on what changed (calculated questions drawn or skipped)."""
    questions, notes = exportable(pack, calculated, seed)
    langs = languages(pack, questions)
    model = note_model(langs)
    decks = {None: genanki.Deck(stable_id("deck", pack.id), deck_name(pack.title))}
    for topic in pack.topics:
        decks[topic.id] = genanki.Deck(stable_id("deck", pack.id, topic.id), deck_name(pack.title, topic.title))
    for q in questions:
        tags = [f"{tag(pack.id)}::{tag(q.topic)}", f"difficulty::{q.difficulty}", *(tag(t) for t in q.tags)]
        decks[q.topic].add_note(genanki.Note(model=model, fields=note_fields(q, langs), tags=tags,
                                             guid=note_guid(pack.id, q.id)))
    return genanki.Package(list(decks.values())), notes


def write_apkg(package: genanki.Package, out: IO[bytes]) -> None:
    with warnings.catch_warnings():
        # genanki warns on any "<" it takes for a tag; our fields are escaped HTML from markdown-it.
        warnings.filterwarnings("ignore", module="genanki")
        package.write_to_file(out)
