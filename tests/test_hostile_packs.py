"""Hostile packs: one clear line per problem, bounded time and memory, never a traceback.

Three layers: hand-written cases for each class of input that once broke the
loader (each with the message an author should read), every input the fuzzer
(benchmarks/fuzz.py) ever found failing, kept in tests/data/hostile/, and
property-based runs that mutate the bundled and test packs with hypothesis.
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
from question_bank.loader import MAX_INTEGER, load_pack
from question_bank.validate import validate_main

DATA = Path(__file__).parent / "data" / "hostile"
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
LINE = re.compile(r"^.+:\d+:\d+: (error|warning): [^\n]+$")

CALCULATED = """format: 1
pack: {id: calc, title: Calc}
topics: [{id: t, title: T}]
questions:
  - id: q
    topic: t
    type: calculated
    params: {x: [1, 2]}
    prompt: "x is {x}"
    answer: {probe: ppo_clip, args: {ratio: x, advantage: 1}, field: objective}
    distractors:
      - {value: 7, why: "seven"}
    format: "{:.2f}"
    explanation: "{answer}"
"""


def mini_with(old: str, new: str) -> str:
    text = MINI.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def problems_of(tmp_path: Path, text: str, run: bool = True) -> list[str]:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return [f"{p.line}:{p.col}: {p.message}" for p in load_pack(path, run_calculations=run).errors]


@pytest.mark.parametrize("value, message", [
    ("!!bool maybe", "'correct': 'maybe' is not valid as true/false"),
    ("!!bool ''", "'correct': '' is not valid as true/false"),
    ("!!int 1", "'correct' must be true or false, found a whole number"),
])
def test_a_tag_whose_constructor_rejects_the_value_is_one_error(tmp_path, value, message):
    found = problems_of(tmp_path, mini_with("correct: true", f"correct: {value}"))
    assert any(message in p for p in found), found


DIFFICULTY = "topic: attention"


@pytest.mark.parametrize("field, value", [
    (DIFFICULTY, "topic: attention\n    difficulty: !!int abc"), (DIFFICULTY, 'topic: attention\n    difficulty: !!int ""'),
    (DIFFICULTY, "topic: attention\n    difficulty: 0b_"), (DIFFICULTY, "topic: attention\n    difficulty: 0x_"),
    ("format: 1", 'format: !!int ""'), ("format: 1", "format: 0x_"),
])
def test_a_malformed_whole_number_in_any_field_is_one_error(tmp_path, field, value):
    found = problems_of(tmp_path, mini_with(field, value))
    assert len(found) == 1 and "is not valid as a whole number" in found[0], found


@pytest.mark.parametrize("value", ['!!float ""', "!!timestamp foo", "!!timestamp 2001-99-99", "!!bool maybe",
                                   "!!int abc", "!!binary a", "!!python/object:os.system x"])
def test_free_form_values_with_bad_tags_are_one_error(tmp_path, value):
    text = mini_with("questions:", f"questions:\n  - {{id: extra, topic: ppo, prompt: p, x-note: {value},\n"
                                   "     choices: [{text: a, correct: true}, {text: b}]}")
    found = problems_of(tmp_path, text)
    assert len(found) == 1 and ("is not valid as" in found[0] or "unsupported YAML tag" in found[0]), found


@pytest.mark.parametrize("where", ["args", "params", "value"])
def test_an_integer_of_hundreds_of_digits_is_refused_without_parsing_it(tmp_path, where):
    huge = "9" * 400
    text = {"args": CALCULATED.replace("advantage: 1", f"advantage: {huge}"),
            "params": CALCULATED.replace("x: [1, 2]", f"x: [1, {huge}]"),
            "value": CALCULATED.replace("value: 7", f"value: {huge}")}[where]
    found = problems_of(tmp_path, text)
    assert found and all(f"whole numbers lie within ±{MAX_INTEGER:,}" in p for p in found), found


def test_a_whole_number_just_beyond_64_bits_is_refused_and_one_within_is_passed_on(tmp_path):
    found = problems_of(tmp_path, CALCULATED.replace("value: 7", f"value: {MAX_INTEGER + 1}"))
    assert len(found) == 1 and "is too large" in found[0]
    found = problems_of(tmp_path, CALCULATED.replace("advantage: 1", f"advantage: {MAX_INTEGER}"))
    assert len(found) == 1 and "advantage must be between -1000000.0 and 1000000.0" in found[0], found


@pytest.mark.parametrize("old, new, message", [
    ('format: "{:.2f}"', 'format: "{:>99999999999}"', "the width in the format spec '>99999999999' is over the limit of 100"),
    ('format: "{:.2f}"', 'format: "{:.999999999f}"', "the precision in the format spec '.999999999f' is over the limit of 20"),
    ('format: "{:.2f}"', 'format: "{:,.100000000f}"', "precision in the format spec ',.100000000f' is over the limit"),
    ('prompt: "x is {x}"', 'prompt: "x is {x:>99999999999}"', "the width in the format spec"),
    ('prompt: "x is {x}"', 'prompt: "x is {x:.999999999f}"', "the precision in the format spec"),
    ('explanation: "{answer}"', 'explanation: "{answer:.999999999f}"', "the precision in the format spec"),
    ('why: "seven"', 'why: "{value:,.100000000f}"', "the precision in the format spec"),
    ('prompt: "x is {x}"', 'prompt: "x is {x:c}"', None),  # a valid spec: formats 1 and 2
])
def test_format_specs_and_templates_are_bounded(tmp_path, old, new, message):
    found = problems_of(tmp_path, CALCULATED.replace(old, new))
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and message in found[0], found


def test_positions_count_lf_line_breaks_only(tmp_path):
    # A lone CR, NEL and U+2028 end lines for YAML, not for editors or grep -n.
    text = mini_with("correct: true", "correct: !!bool maybe").replace("title: \"Mini pack\"",
                                                                    "title: \"Mini\rpack\x85 y \u2028\"", 1)
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    (problem, *_) = load_pack(path).errors
    line = text.split("\n")[problem.line - 1]
    assert line[problem.col - 1:].startswith("!!bool maybe")


def test_a_syntax_error_after_a_lone_cr_is_placed_as_an_editor_shows_it(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_bytes(b"format: 1\rpack: {id: a\nx: [\n")  # YAML places the error on its line 3
    (problem,) = load_pack(path).errors
    assert (problem.line, problem.message.startswith("invalid YAML")) == (2, True)


def test_special_files_are_named_and_never_block(tmp_path):
    """In a subprocess, so a regression that blocks on a FIFO fails by timeout instead of hanging the suite."""
    os.mkfifo(tmp_path / "fifo.yaml")
    folder = tmp_path / "folder-pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(folder / "more.yaml")
    header = tmp_path / "fifo-header"
    header.mkdir()
    os.mkfifo(header / "pack.yaml")
    search = tmp_path / "search"
    search.mkdir()
    os.mkfifo(search / "stray.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    expected = {
        "/dev/null": (1, "/dev/null:1:1: error: a pack is a .yaml or .yml file, or a folder with a pack.yaml"),
        str(tmp_path / "fifo.yaml"): (1, "fifo.yaml:1:1: error: not a regular file but a FIFO (named pipe)"),
        str(folder): (1, "more.yaml:1:1: error: not a regular file but a FIFO (named pipe)"),
        str(header): (1, "pack.yaml:1:1: error: not a regular file but a FIFO (named pipe)"),
        str(search): (1, "stray.yaml:1:1: error: not a regular file but a FIFO (named pipe)"),
        str(tmp_path / "loop.yaml"): (2, "quizapp validate: no such file or folder"),
    }
    for path, (status, line) in expected.items():
        run = subprocess.run([sys.executable, "-m", "quizapp", "validate", path], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == status, (path, run.stderr)
        output = run.stdout + run.stderr
        assert line in output and "Traceback" not in output, output


def test_a_pack_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"format: 1\nx-pad: '" + b"a" * (9 * 1024 * 1024) + b"'\n")
    (problem,) = load_pack(path).errors
    assert "over the limit of 8,388,608 for one pack file" in problem.message


REGRESSIONS = sorted(DATA.glob("*.yaml"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_every_input_the_fuzzer_found_failing_now_gives_one_line_per_problem(path, capsys):
    status = validate_main([str(path)])
    out, err = capsys.readouterr()
    assert status in (0, 1)
    assert all(LINE.match(line) for line in out.splitlines()), out


def test_the_regression_folder_holds_the_fuzzers_findings():
    assert len(REGRESSIONS) >= 100


SEEDS = {name: path.read_text(encoding="utf-8") for name, path in {
    "mini": MINI,
    "tour": Path(__file__).parents[1] / "question_bank" / "packs" / "format-tour" / "pack.yaml"}.items()}
SEEDS["calculated"] = CALCULATED


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(sorted(SEEDS)), rng_seed=st.integers(0, 2**32 - 1))
def test_mutated_packs_load_or_fail_with_located_problems(tmp_path, seed, rng_seed):
    text, _ = hostile.mutate_yaml(SEEDS[seed], random.Random(rng_seed))
    path = tmp_path / "pack.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = load_pack(path, run_calculations=True)
    lines = text.count("\n") + 1
    for problem in result.problems:
        assert 1 <= problem.line <= lines and problem.col >= 1 and "\n" not in problem.message


scalars = st.one_of(st.sampled_from(hostile.SCALARS), st.integers().map(str), st.floats().map(repr),
                    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["correct: true", "topic: attention", "format: 1", "pin: true", "id: mini",
                              "topic: ppo", "language: en"]), value=scalars)
def test_any_scalar_in_any_field_is_accepted_or_one_located_error(tmp_path, field, value):
    path = tmp_path / "pack.yaml"
    path.write_text(mini_with(field, f"{field.split(':')[0]}: {value}"), encoding="utf-8")
    for problem in load_pack(path).problems:
        assert problem.line >= 1 and "\n" not in problem.message
