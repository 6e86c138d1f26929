"""Hostile importer inputs (GIFT, Aiken, Moodle XML): a result with located problems, never a traceback.

Property-based: the test data in tests/data/interchange, mutated by hypothesis
with the snippets each format's reader is most likely to trip over.
"""
from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from question_bank.interchange import aiken, gift, moodle_xml
from question_bank.interchange.common import DEFAULT_TOPIC, ImportResult

DATA = Path(__file__).parent / "data" / "interchange"
SEEDS = {"gift": ["llm-week3.gift", "unclosed-brace.gift"], "aiken": ["llm-quiz.aiken.txt", "missing-answer.aiken.txt"],
         "moodle-xml": ["moodle-export.xml"]}
SNIPPETS = {"gift": hostile.GIFT_SNIPPETS, "aiken": hostile.AIKEN_SNIPPETS, "moodle-xml": hostile.XML_SNIPPETS}


def parse(fmt: str, text: str) -> ImportResult:
    if fmt == "moodle-xml":
        return moodle_xml.parse(text.encode("utf-8", "surrogateescape"), "in.xml", None, None, DEFAULT_TOPIC)
    reader = gift.parse if fmt == "gift" else aiken.parse
    return reader(text, f"in.{fmt}", None, None, DEFAULT_TOPIC)


@settings(max_examples=150, deadline=None)
@given(fmt=st.sampled_from(sorted(SEEDS)), pick=st.integers(0, 1), rng_seed=st.integers(0, 2**32 - 1))
def test_mutated_inputs_give_a_result_with_located_problems(fmt, pick, rng_seed):
    name = SEEDS[fmt][pick % len(SEEDS[fmt])]
    text, _ = hostile.mutate_text((DATA / name).read_text(encoding="utf-8"), random.Random(rng_seed), SNIPPETS[fmt])
    result = parse(fmt, text)
    assert isinstance(result, ImportResult)
    assert not result.errors or result.pack is None  # nothing is built from a file with errors
    for problem in result.problems:
        assert problem.line >= 1 and problem.col >= 1 and "\n" not in problem.message
