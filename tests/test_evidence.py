"""Evidence in live blocks: paths, format specs and captions parsed (never evaluated), claims checked
against the engine by `quizapp validate`, each problem at its line and column."""
from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path

import pytest

from engine.probes import Probe
from question_bank import evidence
from question_bank.evidence import Claim, EvidenceError
from question_bank.loader import load_pack
from question_bank.validate import validate_main


def softmax(xs):
    exps = [math.exp(x) for x in xs]
    return [e / sum(exps) for e in exps]


# --- paths ---

@pytest.mark.parametrize("text, path", [
    ("argmax", ("argmax",)),
    ("probabilities[0]", ("probabilities", 0)),
    ("stages[2].mean_reward_score", ("stages", 2, "mean_reward_score")),
    ("weights[-1][3]", ("weights", -1, 3)),
])
def test_paths_parse_into_keys_and_positions(text, path):
    assert evidence.parse_path(text) == path


@pytest.mark.parametrize("text", ["", "a.", ".a", "a[1", "a[x]", "a()", "a.b()", "a + 1", "a[0]b", "1a",
                                  "a" * 201])
def test_anything_else_is_not_a_path(text):
    with pytest.raises(EvidenceError, match="is not a path"):
        evidence.parse_path(text)


def test_resolve_walks_keys_and_indices_and_names_what_is_there():
    result = {"stages": [{"mean": 1.5}, {"mean": -2.0}], "weights": [0.25, 0.75]}
    assert evidence.resolve(result, evidence.parse_path("stages[-1].mean")) == -2.0
    with pytest.raises(EvidenceError, match=r"has no key 'median' \(it has: mean\)"):
        evidence.resolve(result, evidence.parse_path("stages[0].median"))
    with pytest.raises(EvidenceError, match="has 2 entries, so there is no \\[2\\]"):
        evidence.resolve(result, evidence.parse_path("weights[2]"))
    with pytest.raises(EvidenceError, match="is not a list"):
        evidence.resolve(result, evidence.parse_path("stages[0].mean[0]"))


# --- format specs and captions ---

@pytest.mark.parametrize("spec", ["", ".2f", "+.3f", ">8,d", "*^12.1%", "e", ".12g", "40"])
def test_specs_inside_the_limits_are_accepted(spec):
    evidence.check_spec(spec)


@pytest.mark.parametrize("spec, message", [
    ("41f", "width 41 is over the limit of 40"),
    (".13f", "precision 13 is over the limit of 12"),
    ("100000000000f", "is not allowed"),
    (".1000000000f", "is not allowed"),
    ("s", "is not allowed"),
    ("#x", "is not allowed"),
    ("{x}", "is not allowed"),
])
def test_specs_outside_the_limits_are_refused_before_formatting(spec, message):
    with pytest.raises(EvidenceError, match=message):
        evidence.check_spec(spec)


def test_caption_fills_fields_and_keeps_doubled_braces():
    result = {"probabilities": softmax([2, 1, 0]), "argmax": 0, "name": "softmax"}
    text = "{{p}} of {name}: {probabilities[0]:.2f}, {probabilities[1]:.1%}; argmax {argmax}"
    assert evidence.render_caption(text, result) == "{p} of softmax: 0.67, 24.5%; argmax 0"


def test_decimal_comma_swaps_separators_of_numbers_only():
    result = {"big": 50257, "p": 0.87, "word": "a.b"}
    assert evidence.render_caption("{big:,d} {p:.2f} {word}", result, lang="de") == "50.257 0,87 a.b"


@pytest.mark.parametrize("text, message", [
    ("{name:.2f}", "formats numbers, but the value is 'softmax'"),
    ("{probabilities:.2f}", "formats numbers, but the value is a list of 3"),
    ("{probabilities}", "must be a number or text"),
    ("{p_half:d}", "formats whole numbers"),
])
def test_caption_fields_that_do_not_fit_their_value(text, message):
    result = {"probabilities": [0.1, 0.2, 0.7], "name": "softmax", "p_half": 0.5}
    with pytest.raises(EvidenceError, match=message):
        evidence.render_caption(text, result)


@pytest.mark.parametrize("text", ["a } b", "{unclosed", "{a.b()}", "{a:>100f}"])
def test_bad_captions_are_refused_when_parsed(text):
    with pytest.raises(EvidenceError):
        evidence.parse_caption(text)


# --- claims ---

@pytest.mark.parametrize("claim, holds", [
    (Claim("p", "equals", 0.5), True),
    (Claim("p", "equals", 0.5000001), False),
    (Claim("flag", "equals", True), True),
    (Claim("one", "equals", True), False),  # 1 is not true: types must match for booleans
    (Claim("token", "equals", " animal"), True),
    (Claim("p", "close_to", 0.5004), True),
    (Claim("p", "close_to", 0.502), False),
    (Claim("p", "close_to", 0.502, 0.01), True),
    (Claim("p", "at_least", 0.5), True),
    (Claim("p", "at_most", 0.4), False),
    (Claim("p", "between", (0.4, 0.5)), True),
    (Claim("p", "between", (0.51, 0.6)), False),
    (Claim("token", "at_least", 1), False),
])
def test_claims(claim, holds):
    result = {"p": 0.5, "flag": True, "one": 1, "token": " animal"}
    assert (evidence.check_claim(claim, result) is None) is holds


# --- in a pack: the validator runs the probe and reports at line and column ---

PACK = """\
format: 1
pack: {id: ev, title: Evidence}
topics: [{id: t, title: T}]
questions:
  - id: q
    topic: t
    prompt: Which token is most likely?
    choices:
      - {text: "the first", correct: true, why: "It has the largest score."}
      - {text: "the second", why: "Its score is smaller."}
    explanation: Softmax keeps the order of the scores.
    live:
      - probe: softmax
        args: {scores: [2, 1, 0]}
        caption: "The scores 2, 1, 0 become {probabilities[0]:.2f}, {probabilities[1]:.2f} and {probabilities[2]:.2f}."
        expect:
          - {at: "probabilities[0]", between: [0.66, 0.67]}
          - {at: "argmax", equals: 0}
    translations:
      de:
        prompt: Welches Token ist am wahrscheinlichsten?
        choices: ["das erste", "das zweite"]
        whys: ["Es hat den größten Score.", null]
        captions: ["Die Scores 2, 1, 0 werden zu {probabilities[0]:.2f}."]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ev.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path, engine: bool = True) -> list[str]:
    return [f"{p.line}:{p.col}: {p.message}" for p in load_pack(path, check_evidence=engine).problems]


def test_a_true_claim_and_caption_load_into_the_live_link(tmp_path):
    result = load_pack(write(tmp_path, PACK), check_evidence=True)
    assert result.problems == ()
    link = result.pack.questions[0].live[0]
    assert link.caption.startswith("The scores 2, 1, 0 become {probabilities[0]:.2f}")
    assert link.expect == (Claim("probabilities[0]", "between", (0.66, 0.67)), Claim("argmax", "equals", 0))


def test_translation_brings_whys_and_captions_and_keeps_what_it_leaves_out(tmp_path):
    question = load_pack(write(tmp_path, PACK)).pack.questions[0]
    de = question.localized("de")
    assert [c.why for c in de.choices] == ["Es hat den größten Score.", "Its score is smaller."]
    assert de.live[0].caption == "Die Scores 2, 1, 0 werden zu {probabilities[0]:.2f}."
    assert de.live[0].expect == question.live[0].expect
    assert question.localized("fr") is question


def test_blocks_with_the_same_probe_and_args_run_it_once_per_pack(tmp_path, monkeypatch):
    calls = []
    real = Probe.run
    monkeypatch.setattr(Probe, "run", lambda self, args: calls.append((self.name, dict(args))) or real(self, args))
    block = PACK.split("    live:\n")[1].split("    translations:")[0]
    twice = PACK.replace(block, block + block).replace(
        'captions: ["Die Scores 2, 1, 0 werden zu {probabilities[0]:.2f}."]',
        'captions: ["{probabilities[0]:.2f}", "{probabilities[1]:.2f}"]')
    result = load_pack(write(tmp_path, twice), check_evidence=True)
    assert result.problems == () and len(result.pack.questions[0].live) == 2
    assert calls == [("softmax", {"scores": (2, 1, 0)})]


def test_a_claim_that_does_not_hold_is_reported_at_the_claim(tmp_path):
    path = write(tmp_path, PACK.replace("between: [0.66, 0.67]", "between: [0.7, 0.8]"))
    p0 = softmax([2, 1, 0])[0]
    assert problems(path) == [f"17:13: question 'q': live[0] expects probabilities[0] between 0.7 and 0.8, "
                              f"got {p0:.6g}"]


def test_no_engine_skips_the_claims_but_not_their_shape(tmp_path):
    path = write(tmp_path, PACK.replace("between: [0.66, 0.67]", "between: [0.7, 0.8]"))
    assert problems(path, engine=False) == []
    out, err = io.StringIO(), io.StringIO()
    assert validate_main([str(path)], out=out, err=err, engine=False) == 0
    assert validate_main([str(path)], out=out, err=err) == 1
    bad_shape = write(tmp_path, PACK.replace("between: [0.66, 0.67]", "between: [0.67, 0.66]"))
    assert problems(bad_shape, engine=False) == ["17:47: question 'q': live 1: expect 1: 'between' needs "
                                                 "low ≤ high, found [0.67, 0.66]"]


def test_a_path_that_is_not_in_the_result(tmp_path):
    path = write(tmp_path, PACK.replace('at: "argmax"', 'at: "arg_max"'))
    assert problems(path) == ["18:13: question 'q': live[0]: expect: 'arg_max': the result has no key 'arg_max' "
                              "(it has: argmax, probabilities, scaled, scores, temperature)"]


def test_a_bad_format_spec_is_reported_at_its_field(tmp_path):
    path = write(tmp_path, PACK.replace("{probabilities[1]:.2f}", "{probabilities[1]:.99f}"))
    assert problems(path, engine=False) == ["15:69: question 'q': live 1: caption: format spec '.99f': "
                                            "precision 99 is over the limit of 12"]


def test_a_caption_field_that_is_not_a_number_for_f(tmp_path):
    path = write(tmp_path, PACK.replace("{probabilities[2]:.2f}", "{probabilities:.2f}"))
    assert problems(path) == ["15:96: question 'q': live[0]: caption: '.2f' formats numbers, but the value is "
                              "a list of 3"]


def test_a_translated_caption_is_checked_too(tmp_path):
    path = write(tmp_path, PACK.replace("werden zu {probabilities[0]:.2f}", "werden zu {probability:.2f}"))
    messages = problems(path)
    assert len(messages) == 1 and messages[0].startswith("24:50: question 'q': translation 'de': captions item 1: ")
    assert "has no key 'probability'" in messages[0]


@pytest.mark.parametrize("claim, message", [
    ('{at: "argmax"}', "a claim needs exactly one of equals, close_to, at_least, at_most, between, found 0"),
    ('{at: "argmax", equals: 0, at_most: 1}', "found 2"),
    ('{at: "argmax", at_least: "zero"}', "'at_least' must be a number"),
    ('{at: "argmax", equals: 0, tolerance: 1}', "'tolerance' belongs to 'close_to' only"),
    ('{at: "arg max", equals: 0}', "is not a path"),
    ('{at: "argmax", equal: 0}', "unknown key 'equal'"),
])
def test_malformed_claims(tmp_path, claim, message):
    path = write(tmp_path, PACK.replace('{at: "argmax", equals: 0}', claim))
    found = problems(path, engine=False)
    assert len(found) >= 1 and any(message in m for m in found), found


def test_whys_and_captions_must_match_the_counts(tmp_path):
    path = write(tmp_path, PACK.replace('whys: ["Es hat den größten Score.", null]', 'whys: ["nur einer"]')
                 .replace('captions: ["Die', 'captions: [null, "Die'))
    found = problems(path, engine=False)
    assert "23:9: question 'q': translation 'de': 'whys' must list 2 entries, one per choice, found 1" in found
    assert "24:9: question 'q': translation 'de': 'captions' must list 1 entries, one per live block, found 2" in found


def test_the_example_pack_of_the_format_guide_validates_with_the_engine(tmp_path):
    guide = (Path(__file__).resolve().parents[1] / "docs" / "PACK_FORMAT.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    result = load_pack(path, check_evidence=True)
    assert result.problems == ()
    assert result.pack.questions[0].localized("de").live[0].caption.startswith("Mit r = 1,5")
