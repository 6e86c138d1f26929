"""The pack loader and validator: every kind of problem, at its exact line and column.

Each pack below is written out in full (after a shared 7-line header) so the
expected positions can be read off the test: the header ends at line 7, so
`questions:` is line 8 and the first question starts at line 9, column 5.
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from question_bank import source
from question_bank.loader import bundled_pack_paths, load_pack, load_packs
from question_bank.models import Choice, FrozenMap, LiveLink, Pack, Question, Topic, Translation
from question_bank.validate import validate_main

ROOT = Path(__file__).resolve().parents[1]

HEADER = """\
format: 1
pack:
  id: demo
  title: Demo
topics:
  - id: t1
    title: Topic one
"""

GOOD_QUESTION = """
    questions:
      - id: q1
        topic: t1
        prompt: Pick one
        choices:
          - text: a
            correct: true
          - text: b
        explanation: E
"""


def write(folder: Path, body: str, name: str = "demo.yaml", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text(header + textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def found(path: Path) -> list[str]:
    """The problems of the pack at `path`, without the file name."""
    return [f"{p.line}:{p.col}: {p.severity}: {p.message}" for p in load_pack(path).problems]


# --- a valid pack ---

def test_valid_pack_loads_into_immutable_objects(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            type: multiple
            difficulty: 2
            tags: [policy, notation]
            prompt: |
              What is π_θ?
            choices:
              - text: "The policy"
                correct: true
                why: "It maps s_t to a distribution over a_t."
              - text: "A model"
                correct: true
              - text: "None of the above"
                pin: true
            explanation: "The policy π_θ(a_t | s_t)."
            source: "Lecture notes"
            live:
              - probe: softmax
                args: {scores: [1, 2, 3], temperature: 0.5}
            translations:
              de:
                prompt: "Was ist π_θ?"
                choices: ["Die Policy", "Ein Modell", "Nichts davon"]
    """)
    result = load_pack(path)
    assert result.ok and result.problems == () and result.errors == () and result.warnings == ()
    pack = result.pack
    assert (pack.id, pack.title, pack.language, pack.path) == ("demo", "Demo", "en", str(path))
    assert pack.topics == (Topic("t1", "Topic one"),)
    q = pack.questions[0]
    assert q == Question(
        pack_id="demo", id="q1", topic="t1", type="multiple", prompt="What is π_θ?\n",
        choices=(Choice("The policy", correct=True, why="It maps s_t to a distribution over a_t."),
                 Choice("A model", correct=True), Choice("None of the above", pin=True)),
        explanation="The policy π_θ(a_t | s_t).", difficulty=2, tags=("policy", "notation"),
        source="Lecture notes", live=(LiveLink("softmax", FrozenMap({"scores": (1, 2, 3), "temperature": 0.5})),),
        translations=FrozenMap({"de": Translation("Was ist π_θ?", ("Die Policy", "Ein Modell", "Nichts davon"))}))
    assert q.key == "demo/q1"
    assert q.correct_indices == frozenset({0, 1})
    german = q.localized("de")
    assert german.prompt == "Was ist π_θ?" and [c.text for c in german.choices] == ["Die Policy", "Ein Modell",
                                                                                  "Nichts davon"]
    assert german.explanation == q.explanation and german.choices[0].correct
    assert q.localized("fr") is q
    assert pack.count_by_topic() == {"t1": 1} and pack.questions_in(["t1"]) == (q,) and pack.topic("t1").title
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.prompt = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        q.translations["fr"] = q.translations["de"]  # type: ignore[index]
    assert isinstance(pack.questions, tuple) and isinstance(q.tags, tuple)
    assert hash(pack) == hash(dataclasses.replace(pack))  # hashable all the way down


def test_x_keys_are_accepted_everywhere_and_kept_on_questions(tmp_path):
    path = write(tmp_path, """
        x-editor: vim
        questions:
          - id: q1
            topic: t1
            x-page: 12
            prompt: Pick one
            choices:
              - text: a
                correct: true
                x-note: {seen: [1, 2]}
              - text: b
            explanation: E
            translations:
              x-todo: fr
    """, header=HEADER.replace("  title: Demo\n", "  title: Demo\n  x-owner: me\n"))
    result = load_pack(path)
    assert result.problems == ()
    assert result.pack.questions[0].extras == {"x-page": 12}


# --- one test per kind of problem ---

def test_missing_required_fields(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            choices:
              - text: a
                correct: true
              - text: b
            explanation: E
    """)
    assert found(path) == ["9:5: error: question 'q1': missing required field 'prompt'"]
    no_format = write(tmp_path, GOOD_QUESTION, "no-format.yaml", header=HEADER.replace("format: 1\n", ""))
    assert found(no_format) == ["1:1: error: missing required field 'format'"]


def test_wrong_types_are_reported_at_the_value(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            difficulty: hard
            tags: {a: 1}
            prompt: 42
            choices:
              - text: a
                correct: "yes"
              - text: b
                correct: true
            explanation: E
            translations: [de]
    """)
    assert found(path) == [
        "11:17: error: question 'q1': 'difficulty' must be a whole number, found text",
        "12:11: error: question 'q1': 'tags' must be a list, found a mapping",
        "13:13: error: question 'q1': 'prompt' must be text, found a whole number (put it in quotes)",
        "16:18: error: question 'q1': choice 1: 'correct' must be true or false, found text",
        "20:19: error: question 'q1': 'translations' must be a mapping, found a list",
    ]


def test_format_must_be_the_number_one(tmp_path):
    two = write(tmp_path, GOOD_QUESTION, "two.yaml", header=HEADER.replace("format: 1", "format: 2"))
    assert found(two) == ["1:9: error: format 2 is not supported; this version of quizapp reads format 1"]
    text = write(tmp_path, GOOD_QUESTION, "text.yaml", header=HEADER.replace("format: 1", 'format: "1"'))
    assert found(text) == ["1:9: error: 'format' must be the number 1, found text"]


def test_unknown_keys_are_reported_at_the_key(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            prompt: P
            choices:
              - text: a
                correct: true
              - text: b
                corect: false
            explnation: E
    """)
    assert found(path) == [
        "9:5: warning: question 'q1': no explanation",
        "16:9: error: question 'q1': choice 2: unknown key 'corect' (did you mean 'correct'?)",
        "17:5: error: question 'q1': unknown key 'explnation' (did you mean 'explanation'?)",
    ]


def test_question_topic_must_exist(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("topic: t1", "topic: t2"))
    assert found(path) == ["10:12: error: question 'q1': unknown topic 't2'"]


def test_topic_ids_are_unique_and_pack_id_has_a_pattern(tmp_path):
    header = HEADER.replace("id: demo", "id: Demo_Pack") + "  - id: t1\n    title: Again\n"
    path = write(tmp_path, GOOD_QUESTION, header=header)
    assert found(path) == [
        "3:7: error: pack: id 'Demo_Pack' must be lowercase letters, digits and '-', starting with a letter or digit",
        "8:9: error: topic 2: topic id 't1' is used twice",
    ]


def test_duplicate_question_id_in_one_file(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            prompt: P
            choices:
              - text: a
                correct: true
              - text: b
            explanation: E
          - id: q1
            topic: t1
            prompt: P2
            choices:
              - text: a
                correct: true
              - text: b
            explanation: E
    """)
    assert found(path) == ["17:9: error: question 'q1': id already used by the question at line 9"]


def test_duplicate_question_id_across_folder_files(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    write(folder, GOOD_QUESTION, "pack.yaml")
    more = write(folder, """
        questions:
          - id: q1
            topic: t1
            prompt: Again
            choices:
              - text: a
                correct: true
              - text: b
            explanation: E
    """, "more.yaml", header="")
    assert [str(p) for p in load_pack(folder).problems] == [
        f"{more}:2:9: error: question 'q1': id already used by the question at pack.yaml line 9"]


def test_single_needs_exactly_one_correct_choice(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("- text: b", "- text: b\n            correct: true"))
    assert found(path) == ["12:5: error: question 'q1': type 'single' needs exactly one correct choice, found 2"]


def test_multiple_needs_at_least_one_correct_choice(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            type: multiple
            prompt: P
            choices:
              - text: a
              - text: b
            explanation: E
    """)
    assert found(path) == ["13:5: error: question 'q1': type 'multiple' needs at least one correct choice, found 0"]


def test_choice_texts_must_be_distinct(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("- text: b", "- text: a"))
    assert found(path) == ["15:15: error: question 'q1': choice 2: same text as choice 1"]


def test_too_few_choices(tmp_path):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: t1
            prompt: P
            choices: [{text: a, correct: true}]
            explanation: E
    """)
    assert found(path) == ["12:5: error: question 'q1': needs 2 to 8 choices, found 1"]


def test_too_many_choices(tmp_path):
    nine = ", ".join(["{text: a, correct: true}"] + [f"{{text: c{i}}}" for i in range(8)])
    path = write(tmp_path, f"""
        questions:
          - id: q1
            topic: t1
            prompt: P
            choices: [{nine}]
            explanation: E
    """)
    assert found(path) == ["12:5: error: question 'q1': needs 2 to 8 choices, found 9"]


def test_difficulty_range(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("topic: t1", "topic: t1\n        difficulty: 6"))
    assert found(path) == ["11:17: error: question 'q1': difficulty must be 1 to 5, found 6"]


def test_bad_utf8_is_located_at_the_first_bad_byte(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_bytes(b"format: 1\npack:\n  id: demo\n  title: D" + "π".encode() + b"\xffmo\n")
    assert found(path) == ["4:12: error: not valid UTF-8 (byte 0xff: invalid start byte); save the file as UTF-8"]


def test_yaml_syntax_errors_carry_their_position(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text("format: 1\npack: [a, b\ntopics: []\n", encoding="utf-8")
    assert found(path) == ["3:7: error: invalid YAML: did not find expected ',' or ']' "
                           "(while parsing a flow sequence)"]


def test_top_level_must_be_a_mapping(tmp_path):
    expected = "'format: 1', 'pack', 'topics' and 'questions'"
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    assert found(listed) == [f"1:1: error: the top level must be a mapping with {expected}, found a list"]
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    assert found(empty) == [f"1:1: error: the file is empty; expected {expected}"]


def test_alias_bomb_is_rejected_fast(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh"):
        lines.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 10)}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    problems = found(path)
    assert time.perf_counter() - start < 1.0
    # d is the first anchor that stands for more than 10,000 nodes on its own.
    assert problems == ["4:4: error: YAML aliases expand to 1,234,567,880 nodes beyond those written, "
                        "over the limit of 10,000 (a 'billion laughs' file?)"]


def test_recursive_alias_is_rejected(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("explanation: E", "x-loop: &loop [*loop]\n        explanation: E"))
    assert found(path) == ["16:13: error: a YAML alias refers to a node that contains it"]


def test_oversize_file_is_rejected_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 64)
    path = write(tmp_path, GOOD_QUESTION)
    size = path.stat().st_size
    assert found(path) == [f"1:1: error: file is {size:,} bytes, over the limit of 64 for one pack file; "
                           "split it into a folder pack"]


LIVE = GOOD_QUESTION + """\
        live:
          - probe: sofmax
          - probe: softmax
            args: {temperature: 0}
"""


def test_live_probe_must_exist(tmp_path):
    path = write(tmp_path, LIVE.replace("args: {temperature: 0}", "args: {scores: [1, 2]}"))
    assert found(path) == ["18:9: error: question 'q1': live 1: unknown probe 'sofmax' (did you mean 'softmax'?)"]


def test_live_args_must_fit_the_probe(tmp_path):
    path = write(tmp_path, LIVE.replace("probe: sofmax", "probe: softmax\n            args: {scores: [1]}"))
    problems = found(path)
    assert problems[0] == "20:9: error: question 'q1': live 2: probe 'softmax' needs argument 'scores'"
    assert problems[1].startswith("20:9: error: question 'q1': live 2: probe 'softmax': temperature must be")
    assert len(problems) == 2


def test_translation_needs_one_text_per_choice(tmp_path):
    path = write(tmp_path, GOOD_QUESTION + """\
        translations:
          de:
            prompt: Wähle eins
            choices: [a]
          de_DE:
            prompt: Wähle eins
            choices: [a, b]
""")
    assert found(path) == [
        "20:9: error: question 'q1': translation 'de': 'choices' must list 2 texts, one per choice, found 1",
        "21:7: error: question 'q1': 'de_DE' is not a language tag like 'de' or 'pt-BR'",
    ]


def test_missing_explanation_is_a_warning(tmp_path):
    path = write(tmp_path, GOOD_QUESTION.replace("        explanation: E\n", ""))
    result = load_pack(path)
    assert result.ok and result.pack is not None
    assert [str(p) for p in result.problems] == [f"{path}:9:5: warning: question 'q1': no explanation"]


def test_every_problem_is_reported(tmp_path, capsys):
    path = write(tmp_path, """
        questions:
          - id: q1
            topic: nope
            prompt: P
            choices:
              - text: a
              - text: a
            explanation: E
    """)
    assert validate_main([str(path)], strict=False) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:10:12: error: question 'q1': unknown topic 'nope'",
        f"{path}:12:5: error: question 'q1': type 'single' needs exactly one correct choice, found 0",
        f"{path}:14:15: error: question 'q1': choice 2: same text as choice 1",
    ]


# --- folders and several packs ---

def test_folder_pack_reads_pack_yaml_then_the_other_files_sorted(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    write(folder, GOOD_QUESTION, "pack.yaml")
    for name, qid in (("b.yaml", "q-b"), ("a.yml", "q-a")):
        write(folder, GOOD_QUESTION.replace("id: q1", f"id: {qid}"), name, header="")
    (folder / "README.md").write_text("notes for authors\n", encoding="utf-8")
    result = load_pack(folder)
    assert result.problems == ()
    assert [q.id for q in result.pack.questions] == ["q1", "q-a", "q-b"]
    assert result.pack.path == str(folder)


def test_question_files_hold_only_questions(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    write(folder, GOOD_QUESTION, "pack.yaml")
    extra = write(folder, "topics: []\n", "more.yaml", header="")
    assert [str(p) for p in load_pack(folder).problems] == [
        f"{extra}:1:1: error: unknown key 'topics'",
        f"{extra}:1:1: error: missing required field 'questions'",
    ]


def test_folder_without_pack_yaml(tmp_path):
    assert found(tmp_path) == ["1:1: error: a pack folder needs a pack.yaml"]


def test_pack_ids_are_unique_across_packs(tmp_path):
    first = write(tmp_path, GOOD_QUESTION, "first.yaml")
    second = write(tmp_path, GOOD_QUESTION, "second.yaml")
    results = load_packs([first, second])
    assert results[0].ok
    assert results[1].pack is None
    assert [str(p) for p in results[1].problems] == [
        f"{second}:3:7: error: pack id 'demo' is already used by the pack at {first}"]


# --- the validate command ---

def test_validate_exit_codes_and_summary(tmp_path, capsys):
    clean = write(tmp_path, GOOD_QUESTION, "clean.yaml")
    assert validate_main([str(clean)], strict=True) == 0
    assert capsys.readouterr().err == "1 pack, 1 question: 0 errors, 0 warnings\n"

    broken = write(tmp_path, GOOD_QUESTION.replace("topic: t1", "topic: t9"), "broken.yaml")
    assert validate_main([str(broken)], strict=False) == 1
    assert capsys.readouterr().err == "1 pack, 0 questions: 1 error, 0 warnings\n"

    assert validate_main([str(tmp_path / "missing.yaml")], strict=False) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_strict_turns_a_warning_into_failure(tmp_path, capsys):
    path = write(tmp_path, GOOD_QUESTION.replace("        explanation: E\n", ""))
    assert validate_main([str(path)], strict=False) == 0
    assert capsys.readouterr().out == f"{path}:9:5: warning: question 'q1': no explanation\n"
    assert validate_main([str(path)], strict=True) == 1
    assert capsys.readouterr().err == "1 pack, 1 question: 0 errors, 1 warning\n"


def test_validate_searches_a_folder_of_packs(tmp_path, capsys):
    packs = tmp_path / "packs"
    (packs / "folder-pack").mkdir(parents=True)
    write(packs, GOOD_QUESTION, "one.yaml")
    write(packs / "folder-pack", GOOD_QUESTION.replace("demo", "other"), "pack.yaml",
          header=HEADER.replace("id: demo", "id: other"))
    (tmp_path / "settings.yaml").write_text("theme: dark\n", encoding="utf-8")  # not a pack: skipped
    assert validate_main([str(tmp_path)], strict=True) == 0
    assert capsys.readouterr().err == "2 packs, 2 questions: 0 errors, 0 warnings\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert validate_main([str(empty)], strict=False) == 2
    assert "no packs found" in capsys.readouterr().err


def test_validate_runs_as_a_module(tmp_path):
    broken = write(tmp_path, GOOD_QUESTION.replace("topic: t1", "topic: t9"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "question_bank.validate", "--strict", str(broken)],
                         capture_output=True, text=True, cwd=ROOT, env=env)
    assert run.returncode == 1
    assert run.stdout == f"{broken}:10:12: error: question 'q1': unknown topic 't9'\n"
    assert "Traceback" not in run.stderr


def test_importing_the_package_is_free_and_loading_needs_no_torch():
    code = ("import sys, question_bank; assert 'yaml' not in sys.modules and 'engine' not in sys.modules; "
            "question_bank.load_pack; assert 'torch' not in sys.modules and 'textual' not in sys.modules")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr


# --- the bundled packs ---

BUNDLED = bundled_pack_paths()


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_pack_loads_without_problems(path):
    result = load_pack(path)
    assert [str(p) for p in result.problems] == []
    assert isinstance(result.pack, Pack) and result.pack.questions
