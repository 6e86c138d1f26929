"""The rule that stands in for human raters when the preference pairs are labelled.

Real RLHF asks people which of two answers they prefer. We have no people, so
the committed preference pairs (engine/data/preferences.jsonl) were labelled
by this fixed, documented rule instead. It scores an answer to a course
question on four things a careful rater would check, each between 0 and 1:

    complete     the answer is one sentence that ends with a full stop;
    well_formed  the fraction of its words that are words of the course
                 (spelled right) and do not repeat the word before (no stutter);
    on_topic     the fraction of the correct answer's content words it uses
                 (small words such as "the" or "of" do not count);
    concise      1 up to 64 characters, then falling to 0 at 96.

score = complete + well_formed + 2 × on_topic + concise (0 to 5): answering
the question asked counts double. Of two answers the rater prefers the one
with the higher score; pairs closer than 0.25 are not used (a rater would
call them a tie).

The reward model never sees this rule, only the labelled pairs: it has to
learn what the "raters" liked from their choices, as in real RLHF. Because
the rule is known, the evaluation can also score the policy's answers with it
directly, which shows whether PPO improved the answers or only fooled the
reward model.
"""
from __future__ import annotations

import re

WORD = re.compile(r"[a-z0-9]+")
MIN_MARGIN = 0.25
WEIGHTS = {"complete": 1.0, "well_formed": 1.0, "on_topic": 2.0, "concise": 1.0}
STOP_WORDS = frozenset("a an the of to and or in on for is it its it's by as at be from that this with".split())


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def rater_components(answer: str, reference: str | None, lexicon: set[str]) -> dict[str, float]:
    """Each of the four checks, between 0 and 1."""
    answer = answer.strip()
    found = words(answer)
    complete = float(answer.endswith(".") and answer.count(".") == 1 and len(found) >= 2)
    good = [w in lexicon and (i == 0 or w != found[i - 1]) for i, w in enumerate(found)]
    well_formed = sum(good) / len(found) if found else 0.0
    if reference is None:
        on_topic = 0.0
    else:
        wanted = set(words(reference)) - STOP_WORDS
        on_topic = len(wanted & set(found)) / len(wanted) if wanted else 0.0
    concise = 1.0 if len(answer) <= 64 else max(0.0, 1.0 - (len(answer) - 64) / 32)
    return {"complete": complete, "well_formed": well_formed, "on_topic": on_topic, "concise": concise}


def rater_score(answer: str, reference: str | None, lexicon: set[str]) -> float:
    """complete + well_formed + 2 × on_topic + concise: what the stand-in rater thinks of one answer."""
    parts = rater_components(answer, reference, lexicon)
    return float(sum(WEIGHTS[k] * v for k, v in parts.items()))


def prefers(answer_a: str, answer_b: str, reference: str, lexicon: set[str]) -> int | None:
    """0 if the rater prefers a, 1 if b, None if the scores are within MIN_MARGIN (a tie)."""
    a, b = rater_score(answer_a, reference, lexicon), rater_score(answer_b, reference, lexicon)
    if abs(a - b) < MIN_MARGIN:
        return None
    return 0 if a > b else 1
