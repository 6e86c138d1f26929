"""Packs built in code for the progress and study-mode tests (no YAML, no bundled content)."""
from __future__ import annotations

from dataclasses import replace

from question_bank.models import Choice, Pack, Question, Topic


def make_question(pack_id: str, qid: str, topic: str, multiple: bool = False, n: int = 4) -> Question:
    correct = {0, 1} if multiple else {0}
    choices = tuple(Choice(f"{qid}: choice {i}", correct=i in correct, why=f"why {i} of {qid}") for i in range(n))
    return Question(pack_id, qid, topic, "multiple" if multiple else "single", f"Prompt of {qid}?", choices,
                    explanation=f"Explanation of {qid}.")


def make_pack(pack_id: str = "demo", topics: tuple[str, ...] = ("alpha", "beta", "gamma"),
              per_topic: int = 4) -> Pack:
    """`per_topic` questions per topic, ids like alpha-0; every fourth one is multiple choice."""
    questions = tuple(make_question(pack_id, f"{t}-{i}", t, multiple=i % 4 == 3)
                      for t in topics for i in range(per_topic))
    return Pack(pack_id, f"Pack {pack_id}", topics=tuple(Topic(t, t.capitalize()) for t in topics),
                questions=questions)


def without(pack: Pack, *question_ids: str) -> Pack:
    return replace(pack, questions=tuple(q for q in pack.questions if q.id not in question_ids))
