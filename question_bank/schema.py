"""A JSON Schema of the pack format, for editors (`quizapp schema`).

It mirrors the loader's checks that a schema can express; the loader still
checks the rest (topic references, unique ids, correct-choice counts, probe args,
the templates and probe runs of calculated questions).
"""
from __future__ import annotations

from typing import Any

from engine.probes import all_probes
from question_bank.calculated import CHOICES, FIELD_PATH, NAME, RESERVED
from question_bank.loader import LANGUAGE_TAG, MAX_CHOICES, MAX_PARAM_VALUES, MIN_CHOICES, PACK_ID

_X_KEYS = {"^x-": {"description": "Extension key: kept and ignored by quizapp."}}


def _text(description: str, nonempty: bool = False) -> dict[str, Any]:
    return {"type": "string", "description": description} | ({"minLength": 1} if nonempty else {})


def _object(description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "description": description, "properties": properties, "required": required,
            "patternProperties": _X_KEYS, "additionalProperties": False}


def json_schema() -> dict[str, Any]:
    """The schema (draft 2020-12) of a single-file pack, a folder's pack.yaml, or a folder's question file."""
    probes = all_probes()
    language = {"type": "string", "pattern": f"^{LANGUAGE_TAG.pattern}$", "description": "A BCP-47 language tag."}
    titles = {"type": "object", "description": "The title (and description) by language tag, shown when the "
                                               "interface is in that language.",
              "propertyNames": {"anyOf": [{"pattern": "^x-"}, language]}, "patternProperties": _X_KEYS,
              "additionalProperties": {"$ref": "#/$defs/titleTranslation"}}
    defs = {
        "pack": _object("Identity and metadata of the pack.", {
            "id": {"type": "string", "pattern": f"^{PACK_ID.pattern}$",
                   "description": "Unique among loaded packs; lowercase letters, digits and '-'."},
            "title": _text("Display name.", nonempty=True),
            "version": _text("Version shown in the pack picker, e.g. \"1.0.0\"."),
            "language": language | {"description": "Language of the main text (default en)."},
            "authors": {"type": "array", "items": {"type": "string"}, "description": "Author names."},
            "description": _text("One or two sentences shown in the pack picker."),
            "translations": titles,
        }, ["id", "title"]),
        "topic": _object("A group of questions for statistics and drills.", {
            "id": _text("Referred to by questions' `topic`.", nonempty=True),
            "title": _text("Display name.", nonempty=True),
            "description": _text("What the topic covers (optional; an import keeps a Moodle category's info here)."),
            "translations": titles,
        }, ["id", "title"]),
        "titleTranslation": _object("A title (and description) in another language.", {
            "title": _text("Translated display name.", nonempty=True),
            "description": _text("Translated description (optional; the original is kept without one)."),
        }, ["title"]),
        "choice": _object("One answer option.", {
            "text": _text("Markdown text of the choice; distinct within the question.", nonempty=True),
            "correct": {"type": "boolean", "default": False, "description": "Whether this choice is correct."},
            "why": _text("Feedback shown for this choice after answering."),
            "pin": {"type": "boolean", "default": False,
                    "description": "Keep this choice in place when shuffling (\"all of the above\")."},
        }, ["text"]),
        "live": _object("An engine computation backing the explanation, shown with it as evidence.", {
            "probe": {"enum": sorted(probes), "description": "Name of an engine probe."},
            "args": {"type": "object", "description": "Arguments of the probe (`quizapp engine PROBE --help`)."},
            "caption": _text("A sentence shown with the result; {path} or {path:spec} fields are filled from "
                             "the probe's JSON result (spec: fill/align, sign, ',', width ≤ 40, precision ≤ 12, "
                             "types d f e g %)."),
            "expect": {"type": "array", "items": {"$ref": "#/$defs/claim"},
                       "description": "Claims `quizapp validate` checks against the bundled engine."},
        }, ["probe"]),
        "claim": {
            "type": "object",
            "description": "What must hold at a path of the probe's result: exactly one operator.",
            "properties": {
                "at": _text("A path into the result: keys joined by dots, list positions in brackets "
                            "(negative from the end), e.g. stages[2].mean_reward_score.", nonempty=True),
                "equals": {"type": ["string", "number", "boolean"], "description": "Exactly this value."},
                "close_to": {"type": "number", "description": "Within `tolerance` of this number."},
                "tolerance": {"type": "number", "minimum": 0, "default": 0.001,
                              "description": "Absolute tolerance of close_to."},
                "at_least": {"type": "number", "description": "At least this number."},
                "at_most": {"type": "number", "description": "At most this number."},
                "between": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
                            "description": "[low, high], inclusive."},
            },
            "required": ["at"],
            "oneOf": [{"required": [op]} for op in ("equals", "close_to", "at_least", "at_most", "between")],
            "patternProperties": _X_KEYS,
            "additionalProperties": False,
        },
        "translation": _object("The question in another language.", {
            "prompt": _text("Translated prompt.", nonempty=True),
            "choices": {"type": "array", "items": {"type": "string"},
                        "description": "Translated choice texts, in the original order and count."},
            "explanation": _text("Translated explanation."),
            "whys": {"type": "array", "items": {"type": ["string", "null"]},
                     "description": "Translated whys, one per choice in the original order (null keeps the original)."},
            "captions": {"type": "array", "items": {"type": ["string", "null"]},
                         "description": "Translated captions, one per live block in order (null keeps the original)."},
        }, ["prompt", "choices"]),
        "question": _object("One multiple-choice question.", {
            "id": _text("Stable key for progress, unique in the pack; never reuse one.", nonempty=True),
            "topic": _text("One of the pack's topic ids."),
            "type": {"enum": ["single", "multiple"], "default": "single",
                     "description": "single: exactly one correct choice; multiple: one or more; "
                                    "calculated: see $defs/calculated."},
            "difficulty": {"type": "integer", "minimum": 1, "maximum": 5, "default": 3,
                           "description": "1 (recall) to 5 (transfer)."},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Free-form tags."},
            "prompt": _text("Markdown question text.", nonempty=True),
            "choices": {"type": "array", "items": {"$ref": "#/$defs/choice"},
                        "minItems": MIN_CHOICES, "maxItems": MAX_CHOICES, "description": "The answer options."},
            "explanation": _text("Markdown shown after answering; the validator warns when missing."),
            "live": {"type": "array", "items": {"$ref": "#/$defs/live"},
                     "description": "Engine computations the learner can open as a lab."},
            "source": _text("Where the question comes from."),
            "translations": {"type": "object", "description": "Translations by language tag.",
                             "propertyNames": {"anyOf": [{"pattern": "^x-"}, language]},
                             "patternProperties": _X_KEYS,
                             "additionalProperties": {"$ref": "#/$defs/translation"}},
        }, ["id", "topic", "prompt", "choices"]),
        "calculatedTranslation": _object("A calculated question in another language (templates as in the original).", {
            "prompt": _text("Translated prompt template.", nonempty=True),
            "explanation": _text("Translated explanation template."),
            "whys": {"type": "array", "items": {"type": ["string", "null"]},
                     "description": "Translated why templates: the answer's first, then one per distractor "
                                    "in the order written (null keeps the original)."},
            "captions": {"type": "array", "items": {"type": ["string", "null"]},
                         "description": "Translated captions, one per live block in order (null keeps the original)."},
        }, ["prompt"]),
        "answer": _object("The correct value: a field of an engine probe's result.", {
            "probe": {"enum": sorted(probes), "description": "Name of an engine probe."},
            "args": {"type": "object", "description": "Probe arguments; a text naming a parameter stands "
                                                      "for its drawn value (also inside lists)."},
            "field": {"type": "string", "pattern": f"^{FIELD_PATH.pattern}$",
                      "description": "Dotted path into the result, list positions from 0: "
                                     "\"objective\", \"probabilities.0\"."},
            "why": _text("Feedback when the learner picks the answer; may use {answer} and parameters."),
        }, ["probe", "field"]),
        "distractor": _object("A typical wrong value: a probe's field, a parameter's value, or a literal.", {
            "probe": {"enum": sorted(probes), "description": "Name of an engine probe."},
            "args": {"type": "object", "description": "As in `answer`."},
            "field": {"type": "string", "pattern": f"^{FIELD_PATH.pattern}$",
                      "description": "Dotted path into the result."},
            "param": {"type": "string", "description": "Show the drawn value of this parameter."},
            "value": {"type": ["number", "string"], "description": "A literal number or text."},
            "why": _text("The mistake this value stands for; may use {value}, {answer} and parameters."),
        }, []) | {"oneOf": [{"required": ["probe", "field"]}, {"required": ["param"]}, {"required": ["value"]}]},
        "calculated": _object("A calculated question: numbers drawn per attempt, choices computed by the engine.", {
            "id": _text("Stable key for progress, unique in the pack; never reuse one.", nonempty=True),
            "topic": _text("One of the pack's topic ids."),
            "type": {"const": "calculated", "description": "A calculated question."},
            "difficulty": {"type": "integer", "minimum": 1, "maximum": 5, "default": 3,
                           "description": "1 (recall) to 5 (transfer)."},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Free-form tags."},
            "prompt": _text("Markdown template: {name} or {name:.2f} inserts a parameter; {{ and }} are braces.",
                            nonempty=True),
            "params": {"type": "object", "minProperties": 1,
                       "description": "Parameter name -> the values one is drawn from per attempt.",
                       "propertyNames": {"pattern": f"^{NAME.pattern}$",
                                         "not": {"enum": sorted(RESERVED)}},
                       "additionalProperties": {"type": "array", "minItems": 1, "maxItems": MAX_PARAM_VALUES,
                                                "items": {"type": ["number", "string"]}}},
            "answer": {"$ref": "#/$defs/answer"},
            "distractors": {"type": "array", "items": {"$ref": "#/$defs/distractor"}, "maxItems": MAX_CHOICES - 1,
                            "description": f"Typical wrong values; the first {CHOICES - 1} that show a "
                                           "different text become choices."},
            "format": {"type": "string", "default": "{:.2f}", "pattern": "^[^{}]*\\{(:[^{}]*)?\\}[^{}]*$",
                       "description": "How numbers show as choices, e.g. \"{:.2f}\" or \"{:.1f} %\"."},
            "explanation": _text("Markdown template; may also use {answer}."),
            "live": {"type": "array", "items": {"$ref": "#/$defs/live"},
                     "description": "Engine computations; args may name parameters."},
            "source": _text("Where the question comes from."),
            "translations": {"type": "object", "description": "Translations by language tag.",
                             "propertyNames": {"anyOf": [{"pattern": "^x-"}, language]},
                             "patternProperties": _X_KEYS,
                             "additionalProperties": {"$ref": "#/$defs/calculatedTranslation"}},
        }, ["id", "topic", "type", "prompt", "params", "answer"]),
        "anyQuestion": {
            "if": {"type": "object", "properties": {"type": {"const": "calculated"}}, "required": ["type"]},
            "then": {"$ref": "#/$defs/calculated"},
            "else": {"$ref": "#/$defs/question"},
        },
        "questions": {"type": "array", "items": {"$ref": "#/$defs/anyQuestion"}, "description": "The questions."},
    }
    pack_file = _object("A single-file pack, or the pack.yaml of a folder pack.", {
        "format": {"const": 1, "description": "Version of the pack format."},
        "pack": {"$ref": "#/$defs/pack"},
        "topics": {"type": "array", "items": {"$ref": "#/$defs/topic"}, "minItems": 1,
                   "description": "The pack's topics."},
        "questions": {"$ref": "#/$defs/questions"},
    }, ["format", "pack", "topics"])
    question_file = _object("A further question file in a folder pack.",
                            {"questions": {"$ref": "#/$defs/questions"}}, ["questions"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quizapp question pack, format 1",
        "oneOf": [pack_file, question_file],
        "$defs": defs,
    }
