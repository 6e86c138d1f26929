"""Write engine/data/word_corpus.txt: the training text of the word (sub-word) model.

A word model needs more, and more varied, text than a character model. The
word corpus is, one document per line:

1. every document of corpus.txt (engine/data/make_corpus.py): the course
   sentences, question–answer pairs, worked examples and copy exercises;
2. the English prose of the bundled course pack (question_bank/packs/
   llm-foundations): for each question its prompt, every choice with the
   reason it is right or wrong, and the explanation; and the question with its
   correct answer as "Question: … Answer: …";
3. everyday sentences built here from small word lists, the kind the course's
   own examples use ("The animal did not cross the street because it was too
   tired.", "the cat sat on the mat"), so that words such as "animal" and "it"
   exist for the attention lab;
4. copy exercises at word level: a short list of course words or random
   letter strings said twice in one document, which can only be completed by
   looking back (what induction heads learn).

All of it is written for this project (MIT, like the rest of it). The pack is
read as YAML text; nothing here imports the quiz code.

    python -m engine.data.make_word_corpus          # rewrites word_corpus.txt
    python -m engine.data.make_word_corpus --check  # exit 1 if word_corpus.txt is not what this script writes
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

from engine.data.make_corpus import COURSE_WORDS, CORPUS, write_or_check

SEED = 1950  # Shannon's "Prediction and Entropy of Printed English" was written then
WORD_CORPUS = Path(__file__).with_name("word_corpus.txt")
PACK = Path(__file__).parent.parent.parent / "question_bank" / "packs" / "llm-foundations"
EVERYDAY_DOCS = 1500
COPY_DOCS = 1200

ANIMALS = ["animal", "cat", "dog", "horse", "bird", "fox", "cow", "rabbit"]
PLACES = ["street", "road", "river", "bridge", "field", "garden", "room", "yard"]
TIRED = ["tired", "slow", "scared", "old", "small", "weak"]
WIDE = ["wide", "busy", "long", "dark", "cold", "loud"]
THINGS = ["mat", "chair", "bed", "box", "table", "step", "wall", "rug"]
PEOPLE = ["the student", "the teacher", "my friend", "the reader", "the author", "a learner"]
OBJECTS = ["the book", "the letter", "the answer", "the question", "the paper", "the note"]
VERBS_PAST = ["read", "wrote", "checked", "opened", "found", "kept"]


# {Person} is {person} with a capital; {other} is a second animal, drawn only when a template names it.
EVERYDAY = [
    "The {a} did not cross the {p} because it was too {t}.",
    "The {a} did not cross the {p} because it was too {w}.",
    "The {a} sat on the {thing}. Then the {a} slept on the {thing}.",
    "{Person} {verb} {obj} and then put it on the {thing}.",
    "When {person} {verb} {obj}, it was on the {thing} near the {p}.",
    "The {a} saw the {other} by the {p}, and it ran away.",
    "The {a} is on the {thing}, so the {thing} is under the {a}.",
    "{Person} {verb} {obj} twice: first {obj}, then {obj} again.",
]


def everyday(rng: random.Random) -> str:
    """One or two sentences in which a pronoun or a repeated noun points back at an earlier word."""
    a, p, t, w = rng.choice(ANIMALS), rng.choice(PLACES), rng.choice(TIRED), rng.choice(WIDE)
    thing, person, obj, verb = rng.choice(THINGS), rng.choice(PEOPLE), rng.choice(OBJECTS), rng.choice(VERBS_PAST)
    template = EVERYDAY[rng.randrange(len(EVERYDAY))]
    other = rng.choice(ANIMALS) if "{other}" in template else ""
    return template.format(a=a, p=p, t=t, w=w, thing=thing, person=person, Person=person.capitalize(), obj=obj,
                           verb=verb, other=other)


def word_copy(rng: random.Random) -> str:
    """A list said twice: the second time, each word follows from the first saying."""
    if rng.random() < 0.5:
        words = rng.sample(COURSE_WORDS, k=rng.randint(3, 7))
    else:
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 7)))
                 for _ in range(rng.randint(3, 6))]
    listed = " ".join(words)
    intro = rng.choice(["The list is", "Say the words", "Remember the words", "The sequence is"])
    again = rng.choice(["Again:", "Once more:", "Repeated:", "The same list:"])
    return f"{intro} {listed}. {again} {listed}."


def pack_documents(pack: Path = PACK) -> list[str]:
    """English prose of the course pack: one document per question, plus its question–answer pair."""
    docs = []
    for path in sorted(pack.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for q in data.get("questions") or []:
            prompt = " ".join(str(q.get("prompt", "")).split())
            if not prompt:
                continue
            parts = [prompt]
            correct = []
            for choice in q.get("choices") or []:
                if isinstance(choice, dict):
                    text = " ".join(str(choice.get("text", "")).split())
                    parts += [text, " ".join(str(choice.get("why", "")).split())]
                    if choice.get("correct"):
                        correct.append(text)
            parts.append(" ".join(str(q.get("explanation", "")).split()))
            docs.append(" ".join(p for p in parts if p))
            if correct:
                docs.append(f"Question: {prompt} Answer: {' '.join(correct)}")
    return docs


def build() -> str:
    rng = random.Random(SEED)
    docs = [line for line in CORPUS.read_text(encoding="utf-8").split("\n") if line]
    docs += pack_documents()
    docs += [everyday(rng) for _ in range(EVERYDAY_DOCS)]
    docs += [word_copy(rng) for _ in range(COPY_DOCS)]
    rng.shuffle(docs)
    return "\n".join(docs) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(WORD_CORPUS, build(), sys.argv[1:] if argv is None else argv, "make_word_corpus.py")


if __name__ == "__main__":
    raise SystemExit(main())
