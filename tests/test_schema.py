"""The JSON Schema editors use agrees with the format the loader reads."""
from __future__ import annotations

import jsonschema
import pytest
import yaml

from engine.probes import all_probes
from question_bank.loader import bundled_pack_paths
from question_bank.schema import json_schema

EXAMPLE = """\
format: 1
x-editor-note: kept and ignored
pack:
  id: llm-foundations
  title: "LLM Foundations"
  version: "1.0.0"
  language: en
  authors: ["Course team"]
  description: "Transformer architecture, training stages, PPO."
topics:
  - id: ppo
    title: "RL and PPO"
questions:
  - id: ppo-pi-theta
    topic: ppo
    type: single
    difficulty: 2
    tags: [policy, notation]
    prompt: |
      What is the role of π_θ in PPO?
    choices:
      - text: "The learning rate."
        why: "The learning rate is a hyper-parameter of the optimiser."
      - text: "The policy."
        correct: true
      - text: "All of the above."
        pin: true
    explanation: "The policy π_θ(a_t | s_t) gives the probability of a_t in s_t."
    live:
      - probe: next_token
        args: {text: "The model reads the "}
    source: "Lecture notes"
    translations:
      de:
        prompt: "Welche Rolle spielt π_θ in PPO?"
        choices: ["Die Lernrate.", "Die Policy.", "Alles davon."]
        explanation: "..."
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_valid_draft_2020_12(validator):
    assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_example_pack_validates(validator):
    assert list(validator.iter_errors(yaml.safe_load(EXAMPLE))) == []


def test_question_file_of_a_folder_pack_validates(validator):
    questions_only = {"questions": yaml.safe_load(EXAMPLE)["questions"]}
    assert list(validator.iter_errors(questions_only)) == []


def test_unknown_key_fails(validator):
    data = yaml.safe_load(EXAMPLE.replace("    explanation: \"The", "    explnation: \"The"))
    assert not validator.is_valid(data)


@pytest.mark.parametrize("change", [
    ("format: 1", "format: 2"),
    ("id: llm-foundations", "id: LLM_Foundations"),
    ("difficulty: 2", "difficulty: 9"),
    ("probe: next_token", "probe: no_such_probe"),
    ("      de:\n", "      de_DE:\n"),
])
def test_values_the_loader_rejects_fail_too(validator, change):
    assert not validator.is_valid(yaml.safe_load(EXAMPLE.replace(*change)))


def test_probe_names_come_from_the_registry(validator):
    live = validator.schema["$defs"]["live"]["properties"]["probe"]
    assert live["enum"] == sorted(all_probes())


BUNDLED = [path for folder in bundled_pack_paths() for path in
           ([folder] if folder.is_file() else sorted(folder.glob("*.y*ml")))]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_pack_files_validate_against_the_schema(validator, path):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert errors == []
