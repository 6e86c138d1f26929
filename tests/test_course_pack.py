"""Quality checks of the bundled course pack `llm-foundations` and the `format-tour` pack.

The packs are loaded with question_bank.loader.load_pack, so they are checked
exactly as the app sees them. Syllabus coverage is declared in
tests/data/syllabus_coverage.yaml.

test_live_block_runs runs every `live:` block through the engine; it needs the
trained checkpoints (pretrain/sft/rlhf) and fails until they are bundled.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from question_bank.calculated import combinations, instantiate_with
from question_bank.loader import load_pack
from question_bank.models import CalculatedQuestion

ROOT = Path(__file__).resolve().parents[1]
PACKS = ROOT / "question_bank" / "packs"
COURSE = PACKS / "llm-foundations"
TOUR = PACKS / "format-tour"
COVERAGE = Path(__file__).resolve().parent / "data" / "syllabus_coverage.yaml"

LETTERS = "ABCDEFGH"
ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "vs.", "cf.", "z. B.", "d. h.", "bzw.", "usw.", "ca.")


def _load(path: Path):
    result = load_pack(path)
    assert result.pack is not None, "\n".join(map(str, result.problems))
    return result


@pytest.fixture(scope="module")
def course():
    return _load(COURSE).pack


@pytest.fixture(scope="module")
def tour():
    return _load(TOUR).pack


@pytest.fixture(scope="module")
def coverage():
    return yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))["items"]


def sentences(text: str) -> list[str]:
    """Split prose into sentences; decimal points and common abbreviations do not end one."""
    flat = " ".join(text.split())
    for abbr in ABBREVIATIONS:
        flat = flat.replace(abbr, abbr.replace(".", ""))
    return [s for s in re.split(r"(?<=[.!?])\s+", flat) if s.strip()]


def asked(pack):
    """Every question as a learner sees it: a calculated one drawn with its first combination."""
    return [instantiate_with(q, next(combinations(q))) if isinstance(q, CalculatedQuestion) else q
            for q in pack.questions]


def single(pack):
    return [q for q in pack.questions if q.type == "single"]


# --- loading ---------------------------------------------------------------

@pytest.mark.parametrize("path", [COURSE, TOUR], ids=lambda p: p.name)
def test_pack_loads_without_errors_or_warnings(path):
    result = load_pack(path)
    assert result.pack is not None
    assert not result.problems, "\n".join(map(str, result.problems))


@pytest.mark.parametrize("path", [COURSE, TOUR], ids=lambda p: p.name)
def test_pack_folder_holds_only_pack_yaml(path):
    files = sorted(p.name for p in path.iterdir())
    assert "pack.yaml" in files
    assert all(name.endswith((".yaml", ".yml")) for name in files), files
    for name in files:
        assert isinstance(yaml.safe_load((path / name).read_text(encoding="utf-8")), dict), name


def test_course_header(course):
    assert course.id == "llm-foundations"
    assert course.title == "LLM Foundations"
    assert course.language == "en"
    assert len(course.questions) >= 90
    used = {q.topic for q in course.questions}
    assert used == {t.id for t in course.topics}, "every topic should hold questions"


# --- syllabus coverage -------------------------------------------------------

def test_syllabus_coverage(course, coverage):
    ids = {q.id for q in course.questions}
    problems = []
    seen_items = set()
    for item in coverage:
        assert item["id"] not in seen_items, f"item {item['id']} listed twice"
        seen_items.add(item["id"])
        listed = item["questions"]
        unknown = [qid for qid in listed if qid not in ids]
        if unknown:
            problems.append(f"{item['id']}: names questions not in the pack: {unknown}")
        if len(set(listed)) != len(listed):
            problems.append(f"{item['id']}: lists a question twice")
        known = set(listed) & ids
        if len(known) < item["min"]:
            problems.append(f"{item['id']}: {len(known)} questions, needs {item['min']}")
    assert not problems, "\n".join(problems)


def test_coverage_minimums_follow_the_rule(coverage):
    for item in coverage:
        expected = 2 if item["id"].startswith("5.") else 3
        assert item["min"] >= expected, item["id"]
    sections = Counter(item["id"].split(".")[0] for item in coverage)
    assert set(sections) == {"1", "2", "3", "4", "5", "6"}


def test_every_question_is_mapped_to_a_syllabus_item(course, coverage):
    mapped = {qid for item in coverage for qid in item["questions"]}
    unmapped = [q.id for q in course.questions if q.id not in mapped]
    assert not unmapped, unmapped


def test_live_items_have_live_questions(course, coverage):
    by_id = {q.id: q for q in course.questions}
    problems = []
    for item in coverage:
        wanted = set(item.get("live", ()))
        if not wanted:
            continue
        probes = {link.probe for qid in item["questions"] if qid in by_id for link in by_id[qid].live}
        if not wanted & probes:
            problems.append(f"{item['id']}: no question opens {sorted(wanted)} (found {sorted(probes)})")
    assert not problems, "\n".join(problems)


# --- exam style --------------------------------------------------------------

def test_answer_positions_are_balanced(course):
    questions = single(course)
    positions = Counter(LETTERS[next(iter(q.correct_indices))] for q in questions)
    shares = {letter: positions[letter] / len(questions) for letter in "ABCD"}
    for letter, share in shares.items():
        assert 0.15 <= share <= 0.35, f"{letter} holds {share:.0%} of the correct answers: {shares}"


def test_single_questions_have_four_options(course):
    wrong = [q.id for q in single(course) if len(q.choices) != 4]
    assert not wrong, wrong


def test_correct_choice_is_not_systematically_the_longest(course):
    longest = []
    for q in single(course):
        (i,) = q.correct_indices
        lengths = [len(c.text) for c in q.choices]
        if all(lengths[i] > n for j, n in enumerate(lengths) if j != i):
            longest.append(q.id)
    share = len(longest) / len(course.questions)
    assert share < 0.40, f"correct choice strictly longest in {share:.0%}: {longest}"


def test_every_choice_has_a_why(course):
    missing = [(q.id, c.text) for q in asked(course) for c in q.choices if not (c.why or "").strip()]
    assert not missing, missing


def test_explanations_have_two_to_five_sentences(course):
    bad = {}
    for q in course.questions:
        n = len(sentences(q.explanation or ""))
        if not 2 <= n <= 5:
            bad[q.id] = n
    assert not bad, bad


def test_multiple_questions_are_marked(course):
    multiple = [q for q in course.questions if q.type == "multiple"]
    assert multiple, "the pack should contain some multiple-answer questions"
    unmarked = [q.id for q in multiple if "select all that apply" not in q.prompt.lower()]
    assert not unmarked, unmarked


def test_no_all_of_the_above(course, tour):
    for pack in (course, tour):
        for q in asked(pack):
            for c in q.choices:
                assert "all of the above" not in c.text.lower(), q.id


def test_difficulty_spread(course):
    levels = Counter(q.difficulty for q in course.questions)
    assert set(levels) == {1, 2, 3, 4, 5}, levels
    assert levels[4] + levels[5] >= 15, levels


def test_every_question_names_its_source(course):
    missing = [q.id for q in course.questions if not (q.source or "").startswith("Lecture notes:")]
    assert not missing, missing


def test_ids_are_lowercase_hyphenated(course):
    bad = [q.id for q in course.questions if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", q.id)]
    assert not bad, bad


# --- translations ------------------------------------------------------------

@pytest.mark.parametrize("pack_path", [COURSE, TOUR], ids=lambda p: p.name)
def test_every_question_has_a_german_translation(pack_path):
    pack = _load(pack_path).pack
    problems = []
    for q in asked(pack):
        de = q.translations.get("de")
        if de is None:
            problems.append(f"{q.id}: no German translation")
            continue
        if len(de.choices) != len(q.choices):
            problems.append(f"{q.id}: {len(de.choices)} German choices for {len(q.choices)}")
        if len(set(de.choices)) != len(de.choices):
            problems.append(f"{q.id}: German choices not distinct")
        if not de.prompt.strip() or not (de.explanation or "").strip():
            problems.append(f"{q.id}: German prompt or explanation empty")
    assert not problems, "\n".join(problems)


def every_drawn(pack):
    """Every question as it can be asked: each calculated one in every combination validate checks."""
    for q in pack.questions:
        if isinstance(q, CalculatedQuestion):
            yield from (instantiate_with(q, params) for params in combinations(q))
        else:
            yield q


def test_every_choice_has_a_german_why(course):
    missing = []
    for q in every_drawn(course):
        de = q.translations["de"]
        if de.whys is None or len(de.whys) != len(q.choices):
            missing.append((q.id, "no whys list"))
            continue
        missing += [(q.id, n) for n, why in enumerate(de.whys) if not (why or "").strip()]
    assert not missing, sorted(set(missing))


ENGLISH_GROUPED = re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])")
DOTTED = re.compile(r"\d+(?:\.\d+)+")


def decimal_points(german: str, english: str) -> list[str]:
    """Numbers with a dot between digits in German text, other than the German form of a grouped
    English number (50,257 → 50.257) and a section or version number the English text has too (3.2.1)."""
    grouped = {m.group().replace(",", ".") for m in ENGLISH_GROUPED.finditer(english)}
    return [m.group() for m in DOTTED.finditer(german)
            if m.group() not in grouped and not (m.group().count(".") >= 2 and m.group() in english)]


def test_decimal_points_are_found_and_thousands_pass():
    assert decimal_points("0.87 und 50.257 und 1.386", "0.87 and 50,257 and 1.386") == ["0.87", "1.386"]
    assert decimal_points("Abschnitt 3.2.1", "section 3.2.1") == []
    assert decimal_points("0,87; 50.257", "0.87; 50,257") == []


@pytest.mark.parametrize("pack_path", [COURSE, TOUR], ids=lambda p: p.name)
def test_german_texts_use_the_decimal_comma(pack_path):
    pack = _load(pack_path).pack
    problems = []
    for q in every_drawn(pack):
        de = q.translations["de"]  # the German text itself; what it leaves out shows in English
        english = " ".join([q.prompt, q.explanation or "", *(c.text for c in q.choices),
                            *(c.why or "" for c in q.choices), *(link.caption or "" for link in q.live)])
        texts = [de.prompt, de.explanation or "", *de.choices, *(w or "" for w in de.whys or ()),
                 *(c or "" for c in de.captions or ())]
        problems += [(q.id, bad) for text in texts for bad in decimal_points(text, english)]
    assert not problems, sorted(set(problems))


# --- the example questions of the notes --------------------------------------

def test_example_questions_are_present(course):
    by_id = {q.id: q for q in course.questions}
    pi = by_id["ppo-pi-theta-role"]
    assert "π_θ" in pi.prompt and len(pi.choices) == 4
    (i,) = pi.correct_indices
    assert "policy" in pi.choices[i].text and "forward function" in pi.choices[i].text
    dot = by_id["attention-dot-product-analogy"]
    assert "softmax(QKᵀ/√d_k)V" in dot.prompt and len(dot.choices) == 4
    (j,) = dot.correct_indices
    assert "attention score" in dot.choices[j].text and "affinity" in dot.choices[j].text


# --- the format tour -----------------------------------------------------------

def test_format_tour_shows_every_feature(tour):
    assert 5 <= len(tour.questions) <= 8
    assert len([p for p in TOUR.iterdir() if p.suffix in (".yaml", ".yml")]) >= 2
    qs = tour.questions
    assert any(q.type == "multiple" for q in qs)
    assert any(c.pin for q in qs for c in q.choices)
    assert any(q.live for q in qs)
    assert any(q.extras for q in qs), "an x- key should be shown"
    assert all("de" in q.translations for q in qs)
    assert all(q.tags and q.source for q in qs)
    assert len({q.difficulty for q in qs}) >= 3
    assert "#" in (TOUR / "pack.yaml").read_text(encoding="utf-8"), "the tour explains itself in comments"


# --- evidence: live blocks run in the engine and their claims hold ------------------

@pytest.fixture(scope="module")
def validated():
    """Both bundled packs read as `quizapp validate` reads them: every calculated combination and
    every live block's probe run, every caption filled and every claim checked."""
    return {path.name: load_pack(path, run_calculations=True, check_evidence=True) for path in (COURSE, TOUR)}


@pytest.mark.parametrize("name", [COURSE.name, TOUR.name])
def test_bundled_pack_validates_with_the_engine_and_every_claim_holds(validated, name):
    result = validated[name]
    assert result.pack is not None
    assert not result.problems, "\n".join(map(str, result.problems))
    assert sum(len(link.expect) for q in result.pack.questions for link in q.live) > 0


def test_every_live_block_has_captions_in_both_languages_and_a_claim(course):
    problems = []
    for q in course.questions:
        de = q.translations["de"].captions or ()
        if q.live and len(de) != len(q.live):
            problems.append(f"{q.id}: {len(de)} German captions for {len(q.live)} live blocks")
        for n, link in enumerate(q.live):
            if not (link.caption or "").strip() or "{" not in link.caption:
                problems.append(f"{q.id} live[{n}]: no caption with a field from the result")
            if not link.expect:
                problems.append(f"{q.id} live[{n}]: no expect claim")
            if n < len(de) and not (de[n] or "").strip():
                problems.append(f"{q.id} live[{n}]: no German caption")
    assert not problems, "\n".join(problems)


def test_most_questions_carry_evidence(course):
    ordinary = [q for q in course.questions if not isinstance(q, CalculatedQuestion)]
    with_live = [q for q in ordinary if q.live]
    assert len(with_live) / len(ordinary) >= 0.80, f"{len(with_live)} of {len(ordinary)}"


# --- review fixes (issue 13) ------------------------------------------------------

def _sign(text: str) -> int:
    value = float(text.replace("\u2212", "-"))
    return (value > 0) - (value < 0)


def test_calc_clip_objective_has_no_distractor_of_the_wrong_sign(course):
    (q,) = [q for q in course.questions if q.id == "calc-clip-objective"]
    for params in combinations(q):
        drawn = instantiate_with(q, params)
        signs = {_sign(c.text) for c in drawn.choices}
        assert signs == {_sign(str(params["A"]))}, (params, [c.text for c in drawn.choices])



def _q(course, qid):
    (q,) = [q for q in course.questions if q.id == qid]
    return q


def _correct(q):
    return [c for c in q.choices if c.correct]


def _claims(link):
    return {(c.at, c.op, c.value if not isinstance(c.value, tuple) else tuple(c.value)) for c in link.expect}


def test_tok_out_of_vocabulary_only_a_byte_base_covers_every_string(course):
    q = _q(course, "tok-out-of-vocabulary")
    (right,) = _correct(q)
    assert "byte" in right.text and "character" not in right.text
    (char,) = [link for link in q.live if link.args.get("tokenizer") == "char"]
    assert "ü" in char.args["text"] and ("tokens[1]", "equals", "<unk>") in _claims(char)
    (byte,) = [link for link in q.live if link.args.get("model") == "word"]  # byte-level BPE: "ü" as two bytes
    assert byte.args["text"] == char.args["text"] and ("tokens[1]", "equals", "⟨c3⟩") in _claims(byte)


def test_tok_char_vs_bpe_names_the_demonstration_bpe_and_its_size(course):
    q = _q(course, "tok-char-vs-bpe")
    assert "358" in q.explanation and "course model's small BPE" not in q.explanation
    bpe = [link for link in q.live if link.args.get("tokenizer") == "bpe"]
    assert bpe and ("vocab_size", "equals", 358) in _claims(bpe[0])
    assert ("tokens[3]", "equals", " the") in _claims(bpe[0])  # the example " the" is one BPE token there


def test_ppo_clip_gradient_at_old_says_the_gradients_part_once_r_moves(course):
    q = _q(course, "ppo-clip-gradient-at-old")
    assert "Only in later steps" not in q.explanation
    assert "r_t ∇_θ log π_θ" in q.explanation and "r_t ≠ 1" in q.explanation


def test_ppo_epsilon_value_does_not_say_the_ratio_is_kept_inside(course):
    q = _q(course, "ppo-epsilon-value")
    texts = [q.explanation, *(c.why for c in q.choices)]
    assert not any("kept within" in t for t in texts)
    assert "does not keep the ratio inside" in q.explanation
    (link,) = q.live
    assert ("stats.ratio_max", "at_least", 1.2) in _claims(link)  # the real update pushes ratios past 1 + ε


def test_calc_clip_branch_draws_only_ratios_outside_the_band(course):
    q = _q(course, "calc-clip-branch")
    for params in combinations(q):
        assert not 1 - params["eps"] <= params["r"] <= 1 + params["eps"], params
        drawn = instantiate_with(q, params)
        right = drawn.choices[next(iter(drawn.correct_indices))].text
        assert not right.startswith("both terms are equal"), params


def test_arch_decoder_only_lets_a_position_see_itself(course):
    (right,) = _correct(_q(course, "arch-decoder-only"))
    assert "itself and earlier" in right.text


def test_attention_heads_same_layer_is_scoped_to_the_original_transformer(course):
    q = _q(course, "attention-heads-same-layer")
    assert "original Transformer" in q.prompt
    assert "grouped-query" in q.explanation


@pytest.mark.parametrize("qid", ["attention-multi-head-purpose", "attention-heads-same-layer"])
def test_heads_shown_as_different_have_different_roles(course, qid):
    roles = {c.value for link in _q(course, qid).live for c in link.expect if c.at == "role"}
    assert roles == {"previous token", "broad/averaging"}


def test_rl_llm_mapping_is_scoped_to_the_token_level_view(course):
    q = _q(course, "rl-llm-mapping")
    assert "token-level" in q.prompt and "bandit" in q.explanation


def test_stages_cross_entropy_stem_matches_the_models_probability(course):
    q = _q(course, "stages-cross-entropy")
    (link,) = q.live
    assert link.args["text"] in q.prompt and "0.25" in q.prompt
    (low, high) = next(c.value for c in link.expect if c.at == "top[0].probability")
    assert low <= 0.25 <= high and high - low <= 0.02


def test_kl_penalty_blocks_measure_kl_of_the_rl_policy_to_sft(course):
    for qid in ("stages-kl-penalty-purpose", "ppo-beta-role"):
        (link,) = _q(course, qid).live
        assert (link.args["checkpoint_a"], link.args["checkpoint_b"]) == ("rlhf", "sft"), qid


@pytest.mark.parametrize("qid", ["attention-weight-meaning", "attention-dot-product-analogy"])
def test_word_level_attention_blocks_use_the_word_model_and_its_query(course, qid):
    (link,) = _q(course, qid).live
    assert link.args["model"] == "word" and link.args["query"] == "it"
    assert ("tokens[2]", "equals", " animal") in _claims(link)


@pytest.mark.parametrize("qid", ["emb-purpose", "emb-cosine-similarity"])
def test_word_level_embedding_blocks_use_the_word_model(course, qid):
    (link,) = _q(course, qid).live
    assert link.probe == "embedding" and link.args["model"] == "word"

