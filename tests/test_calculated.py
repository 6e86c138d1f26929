"""Calculated questions: loading, checking every combination, drawing, and the course pack's questions.

The course pack's answers are re-computed here from the formulas themselves
(plain math, no engine), so a wrong probe or a wrong field would show.
"""
from __future__ import annotations

import math
import random
import re
import textwrap
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine.probes.calculated import BRANCHES
from question_bank.calculated import (CHOICES, FILLER_WHY, CalculationError, check, combinations, instantiate,
                                      instantiate_with, render, show_param, show_value)
from question_bank.loader import load_pack
from question_bank.models import CalculatedQuestion, Question
from question_bank.schema import json_schema
from question_bank.validate import validate_main
from quizapp.study.draw import draw_questions
from quizapp.study.practice import PracticeSession

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "question_bank" / "packs" / "llm-foundations"
CALCULATED_FILE = COURSE / "calculated.yaml"

HEADER = """\
format: 1
pack:
  id: demo
  title: Demo
topics:
  - id: ppo
    title: PPO
questions:
"""

# The example of the issue, with two more distractors so four choices can differ.
CLIP = """\
  - id: clip
    type: calculated
    topic: ppo
    params:
      r: [0.6, 0.7, 1.3, 1.4]
      A: [-2, 2]
      eps: [0.1, 0.2]
    prompt: "With r_t(θ) = {r}, Â_t = {A} and ε = {eps}, what is min(r·Â, clip(r, 1−ε, 1+ε)·Â)?"
    answer: {probe: ppo_clip, args: {ratio: r, advantage: A, epsilon: eps}, field: objective}
    distractors:
      - {probe: ppo_clip, args: {ratio: r, advantage: A, epsilon: eps}, field: unclipped, why: "Forgot the clip."}
      - {probe: ppo_clip, args: {ratio: r, advantage: A, epsilon: eps}, field: clipped, why: "Forgot the min."}
      - {probe: ppo_clip, args: {ratio: r, advantage: 1, epsilon: eps}, field: objective, why: "Forgot Â: {value}."}
      - {param: A, why: "Â alone."}
    format: "{:.2f}"
    explanation: "The min gives {answer} for r = {r:.2f}."
"""


def write(tmp_path: Path, body: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(path: Path, run: bool = False) -> list[str]:
    return [f"{p.line}:{p.col}: {p.severity}: {p.message}" for p in load_pack(path, run_calculations=run).problems]


def clip_question(tmp_path: Path) -> CalculatedQuestion:
    result = load_pack(write(tmp_path, CLIP), run_calculations=True)
    assert result.ok and not result.problems, result.problems
    (q,) = result.pack.questions
    return q


# --- loading -------------------------------------------------------------------

def test_a_calculated_question_loads_into_the_model(tmp_path):
    q = clip_question(tmp_path)
    assert isinstance(q, CalculatedQuestion) and q.type == "calculated" and q.key == "demo/clip"
    assert dict(q.params) == {"r": (0.6, 0.7, 1.3, 1.4), "A": (-2, 2), "eps": (0.1, 0.2)}
    assert q.answer.probe == "ppo_clip" and q.answer.field == "objective" and q.answer.args["ratio"] == "r"
    assert [d.field or d.param for d in q.distractors] == ["unclipped", "clipped", "objective", "A"]
    assert q.combinations == 16 and q.format == "{:.2f}"


def test_the_issue_example_loads_and_validate_warns_it_needs_fillers(tmp_path):
    body = CLIP.replace("      - {probe: ppo_clip, args: {ratio: r, advantage: 1, epsilon: eps}, field: objective, "
                        "why: \"Forgot Â: {value}.\"}\n", "").replace("      - {param: A, why: \"Â alone.\"}\n", "")
    path = write(tmp_path, body)
    assert problems(path) == ["18:3: warning: question 'clip': 2 distractors; nearby numbers fill in up to 4 choices"]
    assert problems(path, run=True) == [
        "9:3: warning: question 'clip': 16 of the 16 combinations give fewer than 4 different choices, so nearby "
        "numbers fill in; e.g. r=0.6, A=-2, eps=0.1 (distractor 2 is left out: it shows −1.80, the same as the "
        "correct answer)",
        "18:3: warning: question 'clip': 2 distractors; nearby numbers fill in up to 4 choices"]


@pytest.mark.parametrize("change,message", [
    (("field: objective}\n    distractors", "field: objektive}\n    distractors"), None),
    (("prompt: \"With r_t(θ) = {r}", "prompt: \"With r_t(θ) = {rr}"),
     "16:11: error: question 'clip': 'prompt' uses '{rr}', which is not a parameter (did you mean 'r'?) "
     "(write '{{' and '}}' for literal braces)"),
    (("probe: ppo_clip, args: {ratio: r, advantage: A, epsilon: eps}, field: objective}",
      "probe: ppo_klip, args: {ratio: r, advantage: A, epsilon: eps}, field: objective}"),
     "17:19: error: question 'clip': answer: unknown probe 'ppo_klip' (did you mean 'ppo_clip'?)"),
    (("eps: [0.1, 0.2]", "eps: [0.1, 1.5]"),
     "17:11: error: question 'clip': answer: probe 'ppo_clip': epsilon must be between 0.0 and 1.0, not 1.5 "
     "(with r=0.6, A=-2, eps=1.5)"),
    (("field: objective}\n    distractors", "field: objective.0.x-}\n    distractors"),
     "17:82: error: question 'clip': answer: field 'objective.0.x-' must be a name or a dotted path such as "
     "'probabilities.0'"),
    (("r: [0.6, 0.7, 1.3, 1.4]", "r: 0.6"),
     "13:8: error: question 'clip': parameter 'r': must be a list of values, such as [0.1, 0.2], found a number"),
    (("A: [-2, 2]", "answer: [-2, 2]"),
     "14:5: error: question 'clip': parameter 'answer': 'answer' is reserved for templates; choose another name"),
    (("- {param: A, why: \"Â alone.\"}", "- {param: A, value: 3, why: \"Â alone.\"}"),
     "22:7: error: question 'clip': distractor 4: give exactly one of 'probe', 'param' or 'value', "
     "not 'param' and 'value'"),
    (("format: \"{:.2f}\"", "format: \"{:.2q}\""),
     "23:11: error: question 'clip': 'format' '{:.2q}' cannot format a number: Unknown format code 'q' "
     "for object of type 'float'"),
    (("    format:", "    choices: []\n    format:"),
     "23:3: error: question 'clip': unknown key 'choices' (a calculated question computes its choices from "
     "'answer' and 'distractors')"),
])
def test_mistakes_are_reported_at_their_place(tmp_path, change, message):
    path = write(tmp_path, CLIP.replace(*change))
    if message is None:  # a wrong field only shows when the probe runs: validate does that
        assert problems(path) == []
        found = problems(path, run=True)
        assert len(found) == 1 and found[0].startswith(
            "17:11: error: question 'clip': answer: with r=0.6, A=-2, eps=0.1: probe 'ppo_clip': the result has no "
            "field 'objektive' (fields: ")
        assert found[0].endswith("(and 15 more of the 16 combinations)")
        return
    assert message in problems(path)


GERMAN = """\
    translations:
      de:
        prompt: "Mit r_t(θ) = {r}, Â_t = {A} und ε = {eps}: Wie groß ist min(r·Â, clip(r, 1−ε, 1+ε)·Â)?"
        explanation: "Das Minimum ergibt {answer} für r = {r:.2f}."
        whys: ["Richtig: {answer}.", "Clip vergessen: {value}.", null, "Â vergessen: {value}.", "Â allein."]
"""


def test_a_translation_gives_whys_for_the_answer_and_each_distractor_with_a_decimal_comma(tmp_path):
    result = load_pack(write(tmp_path, CLIP + GERMAN), run_calculations=True)
    assert result.ok and not result.problems, result.problems
    (q,) = result.pack.questions
    drawn = instantiate_with(q, {"r": 1.3, "A": 2, "eps": 0.2}).localized("de")
    # answer min(2.6, 2.4) = 2.4; unclipped 2.6; clipped 2.4 repeats the answer; Â forgotten: min(1.3, 1.2) = 1.2
    assert [c.text for c in drawn.choices] == ["2,40", "2,60", "1,20", "2,00"]
    assert [c.why for c in drawn.choices] == ["Richtig: 2,40.", "Clip vergessen: 2,60.", "Â vergessen: 1,20.",
                                              "Â allein."]
    assert drawn.prompt.startswith("Mit r_t(θ) = 1,3, Â_t = 2 und ε = 0,2:")
    assert drawn.explanation == "Das Minimum ergibt 2,40 für r = 1,30."
    kept = instantiate_with(q, {"r": 0.6, "A": 2, "eps": 0.2}).localized("de")  # the clipped 1.6 shows; its why is null
    assert [c.text for c in kept.choices] == ["1,20", "1,60", "0,60", "2,00"]
    assert kept.choices[1].why == "Forgot the min."


@pytest.mark.parametrize("change,message", [
    (("null, \"Â vergessen", "\"Â vergessen"),
     "29:7: error: question 'clip': translation 'de': 'whys' must list 5 entries, one per value (the answer first, "
     "then each distractor), found 4"),
    (("\"Â allein.\"", "\"Â allein: {rr}.\""),
     "29:95: error: question 'clip': translation 'de': 'whys' item 5 uses '{rr}', which is not a parameter "
     "(did you mean 'r'?) (write '{{' and '}}' for literal braces)"),
])
def test_translated_whys_are_checked_like_the_originals(tmp_path, change, message):
    assert problems(write(tmp_path, CLIP + GERMAN.replace(*change))) == [message]


def test_calculated_keys_on_an_ordinary_question_are_explained(tmp_path):
    path = write(tmp_path, """\
      - id: q
        topic: ppo
        params: {r: [1]}
        prompt: P
        choices: [{text: a, correct: true}, {text: b}]
        explanation: E
    """)
    assert problems(path) == ["11:3: error: question 'q': unknown key 'params' (only a question of "
                              "'type: calculated' has it)"]


def test_validate_reports_a_probe_that_fails_for_some_combinations(tmp_path, capsys):
    path = write(tmp_path, CLIP.replace("r: [0.6, 0.7, 1.3, 1.4]", "r: [0.6, 0.7, 1.3, -1.0]"))
    assert validate_main([str(path)]) == 1
    out = capsys.readouterr().out
    assert out.endswith("demo.yaml:17:11: error: question 'clip': answer: probe 'ppo_clip': ratio must be between "
                        "0.0 and 1000.0, not -1.0 (with r=-1.0, A=-2, eps=0.1)\n")


def test_a_distractor_that_never_shows_is_reported(tmp_path):
    body = CLIP.replace("      - {param: A, why: \"Â alone.\"}\n",
                        "      - {param: A, why: \"Â alone.\"}\n      - {value: 99, why: \"Never needed.\"}\n")
    found = problems(write(tmp_path, body), run=True)
    assert found == ["23:7: warning: question 'clip': distractor 5: never shown in the 16 combinations checked: it "
                     "always repeats another choice, or the earlier distractors fill the 3 places"]


# --- drawing -------------------------------------------------------------------

def test_instantiate_draws_a_single_question_and_records_the_numbers(tmp_path):
    q = clip_question(tmp_path)
    drawn, params = instantiate(q, random.Random(7))
    assert isinstance(drawn, Question) and drawn.type == "single" and drawn.key == q.key
    assert dict(drawn.drawn) == params and set(params) == {"r", "A", "eps"}
    assert f"r_t(θ) = {show_param(params['r'])}" in drawn.prompt
    assert len(drawn.choices) == CHOICES and len({c.text for c in drawn.choices}) == CHOICES
    (right,) = drawn.correct_indices
    r, a, eps = params["r"], params["A"], params["eps"]
    assert drawn.choices[right].text == show_value(min(r * a, min(max(r, 1 - eps), 1 + eps) * a), "{:.2f}")
    assert drawn.explanation == f"The min gives {drawn.choices[right].text} for r = {r:.2f}."
    # A review builds the same question again from the recorded numbers.
    assert instantiate_with(q, params) == drawn
    # The same seed draws the same; others vary.
    assert instantiate(q, random.Random(7)) == (drawn, params)
    assert len({tuple(instantiate(q, random.Random(s))[1].values()) for s in range(40)}) > 5


def test_fillers_complete_four_choices_and_say_so(tmp_path):
    # One distractor only: every draw needs nearby numbers.
    body = CLIP.split("    distractors:")[0] + ("    distractors:\n      - {probe: ppo_clip, args: {ratio: r, "
                                                  "advantage: A, epsilon: eps}, field: clipped, why: \"Min.\"}\n"
                                                  "    explanation: E\n")
    (q,) = load_pack(write(tmp_path, body)).pack.questions
    for seed in range(30):
        drawn, _ = instantiate(q, random.Random(seed))
        texts = [c.text for c in drawn.choices]
        assert len(texts) == CHOICES == len(set(texts))
        assert sum(c.correct for c in drawn.choices) == 1
        assert sum(c.why == FILLER_WHY for c in drawn.choices) >= 2


def test_a_duplicate_draws_another_combination(tmp_path):
    q = clip_question(tmp_path)
    # r = 0.6 with A = 2: the "forgot the clip" value equals the answer, but the other
    # distractors still give four different choices: no filler needed, no redraw.
    drawn = instantiate_with(q, {"r": 0.6, "A": 2, "eps": 0.1})
    assert [c.why for c in drawn.choices].count(FILLER_WHY) == 0 and len(drawn.choices) == 4


def test_templates_reach_parameters_only(tmp_path):
    values = {"r": 1.5, "answer": 2}
    shown = {"r": "1.5", "answer": "2.00"}
    assert render("{r} {r:.3f} {{r}} {answer}", values, shown) == "1.5 1.500 {r} 2.00"
    assert render("{r.__class__} {0}", values, shown) == "{r.__class__} {0}"  # not fields: left as written
    with pytest.raises(CalculationError):
        render("{nope}", values, shown)


def test_numbers_show_with_a_typographic_minus_and_no_negative_zero():
    assert show_value(-1.3, "{:.2f}") == "−1.30"
    assert show_value(-0.001, "{:.2f}") == "0.00"
    assert show_value(0.5, "{:.1f} %") == "0.5 %"
    assert show_param(-2) == "−2" and show_param(2.0) == "2" and show_param(0.1) == "0.1"


def test_practice_sessions_ask_drawn_instances(tmp_path):
    q = clip_question(tmp_path)
    drawn = draw_questions([q], None, None, random.Random(3))
    assert len(drawn) == 1 and drawn[0].drawn and drawn[0].type == "single"
    session = PracticeSession.start([q], seed=5)
    item = session.current
    assert item.question.drawn and len(item.choices) == 4
    assert session.answer({next(iter(item.correct_positions))}).correct
    again = PracticeSession.start([q], seed=5)
    assert again.current.question == item.question and again.current.order == item.order


# --- the course pack -----------------------------------------------------------

def _course_calculated() -> list[CalculatedQuestion]:
    pack = load_pack(COURSE).pack
    return [q for q in pack.questions if isinstance(q, CalculatedQuestion)]


def _clip(r: float, eps: float) -> float:
    return min(max(r, 1 - eps), 1 + eps)


def _branch(r: float, a: float, eps: float) -> str:
    if 1 - eps <= r <= 1 + eps:
        return BRANCHES[3]
    if r * a < _clip(r, eps) * a:
        return BRANCHES[0]
    return BRANCHES[1] if r > 1 else BRANCHES[2]


def _softmax(xs: list[float]) -> list[float]:
    exps = [math.exp(x - max(xs)) for x in xs]
    return [e / sum(exps) for e in exps]


# The formula of each course question, written out independently of the engine.
FORMULAS = {
    "calc-clip-objective": lambda p: min(p["r"] * p["A"], _clip(p["r"], p["eps"]) * p["A"]),
    "calc-clip-branch": lambda p: _branch(p["r"], p["A"], p["eps"]),
    "calc-ratio-logprobs": lambda p: math.exp(p["logp_new"] - p["logp_old"]),
    "calc-kl-k3": lambda p: (math.exp(p["logp_new"] - p["logp_old"]) - 1) - (p["logp_new"] - p["logp_old"]),
    "calc-kl-k1": lambda p: p["logp_old"] - p["logp_new"],
    "calc-gae-delta": lambda p: p["reward"] + p["gamma"] * p["v_next"] - p["v"],
    "calc-gae-advantage": lambda p: (p["r0"] + p["gamma"] * p["v1"] - p["v0"])
    + p["gamma"] * p["lam"] * (p["r1"] - p["v1"]),
    "calc-attention-softmax": lambda p: _softmax([s / math.sqrt(p["d_k"]) for s in (p["s1"], p["s2"], p["s3"])])[0],
    "calc-sqrt-dk-scaling": lambda p: p["s"] / math.sqrt(p["d_k"]),
    "calc-pe-sine-entry": lambda p: math.sin(p["pos"] / 10000 ** (2 * p["i"] / p["d_model"])),
    "calc-pe-cosine-entry": lambda p: math.cos(p["pos"] / 10000 ** (2 * p["i"] / p["d_model"])),
}


def test_the_course_pack_has_at_least_ten_calculated_questions_with_a_formula_here():
    ids = [q.id for q in _course_calculated()]
    assert len(ids) >= 10
    assert sorted(ids) == sorted(FORMULAS)


@pytest.mark.parametrize("q", _course_calculated(), ids=lambda q: q.id)
def test_every_combination_agrees_with_the_formula_and_shows_four_different_choices(q):
    formula = FORMULAS[q.id]
    for params in combinations(q):
        drawn = instantiate_with(q, params)
        texts = [c.text for c in drawn.choices]
        assert len(texts) == CHOICES == len(set(texts)), (params, texts)
        assert all(c.why and c.why != FILLER_WHY for c in drawn.choices), (params, texts)
        (right,) = drawn.correct_indices
        assert texts[right] == show_value(formula(params), q.format), (params, texts)
        for name, value in params.items():
            assert show_param(value) in drawn.prompt, (name, drawn.prompt)
        assert texts[right] in drawn.explanation
        de = drawn.localized("de")
        assert de.prompt != drawn.prompt and [c.text for c in de.choices] == [german(x) for x in texts]
        for value in params.values():
            assert german(show_param(value)) in de.prompt, de.prompt
        for text in (de.prompt, de.explanation, *(c.text for c in de.choices), *(c.why for c in de.choices)):
            assert not re.search(r"\d\.\d", text), (params, text)


def _rounded(x: Fraction, places: int) -> str:
    """x to `places` decimals, half away from zero, in integer arithmetic (no float, no Decimal)."""
    scaled = abs(x) * 10 ** places
    units = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    digits = str(units).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}"
    return ("\u2212" + text) if x < 0 and units else text


def test_gae_advantage_shows_the_exact_value_rounded_half_up():
    (q,) = [q for q in _course_calculated() if q.id == "calc-gae-advantage"]
    ties = 0
    for params in combinations(q):
        p = {name: Fraction(str(value)) for name, value in params.items()}
        delta0 = p["r0"] + p["gamma"] * p["v1"] - p["v0"]
        exact = delta0 + p["gamma"] * p["lam"] * (p["r1"] - p["v1"])
        drawn = instantiate_with(q, params)
        (right,) = drawn.correct_indices
        assert drawn.choices[right].text == _rounded(exact, 3), (params, exact)
        ties += (exact * 10000) % 10 == 5
    assert ties >= 4, "the question should include ties such as 0.6875"
    case = {"r0": 0, "r1": 1, "v0": 0.5, "v1": 1.5, "gamma": 0.95, "lam": 0.5}  # Â_0 = 0.925 − 0.2375 = 0.6875
    drawn = instantiate_with(q, case)
    assert drawn.choices[next(iter(drawn.correct_indices))].text == "0.688"


def german(text: str) -> str:
    """The English choice text with a decimal comma: "0.25" → "0,25", "−1.30" → "−1,30"."""
    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def test_validate_runs_the_course_pack_clean():
    for q in _course_calculated():
        assert check(q) == [], q.id


def test_the_branch_question_offers_the_engines_labels():
    (q,) = [q for q in _course_calculated() if q.id == "calc-clip-branch"]
    assert {d.value for d in q.distractors} == set(BRANCHES[:4])


def test_the_schema_accepts_the_calculated_file_and_rejects_a_broken_one():
    validator = jsonschema.Draft202012Validator(json_schema())
    data = yaml.safe_load(CALCULATED_FILE.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []
    broken = yaml.safe_load(CALCULATED_FILE.read_text(encoding="utf-8"))
    broken["questions"][0]["choices"] = [{"text": "1", "correct": True}]
    assert not validator.is_valid(broken)
    broken = yaml.safe_load(CALCULATED_FILE.read_text(encoding="utf-8"))
    broken["questions"][0]["distractors"][0]["param"] = "r"  # probe and param at once
    assert not validator.is_valid(broken)
    broken = yaml.safe_load(CALCULATED_FILE.read_text(encoding="utf-8"))
    del broken["questions"][0]["answer"]["field"]
    assert not validator.is_valid(broken)
