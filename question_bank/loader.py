"""Load packs (a YAML file or a folder) into models, reporting every problem with its place.

The YAML is composed into nodes, not constructed into Python objects, and the
walk below reads the nodes itself: that keeps each value's line and column
for the messages, and no YAML tag can make the loader build anything.
"""
from __future__ import annotations

import difflib
import itertools
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.probes import Probe, ProbeError, all_probes
from engine.texts import N_, _, ngettext
from question_bank import calculated as calc
from question_bank import evidence
from question_bank.evidence import Claim, EvidenceError
from question_bank.models import (EMPTY, CalculatedQuestion, CalculatedTranslation, Choice, FrozenMap, LiveLink,
                                  Pack, Question, TitleTranslation, Topic, Translation, ValueSpec)
from question_bank.files import PACK_FILE as PACK_FILE, YAML_SUFFIXES as YAML_SUFFIXES, folder_files
from question_bank.files import bundled_pack_paths as bundled_pack_paths  # re-exported: older callers import it here
from question_bank.problems import Problem
from question_bank.results import IdPlace, LoadResult, unique_ids
from question_bank.source import BadSource, Source, compose_file

PACK_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")  # BCP-47 shapes such as de, pt-BR, zh-Hant
MIN_CHOICES, MAX_CHOICES = 2, 8
QUESTION_TYPES = ("single", "multiple", "calculated")
MAX_PARAM_VALUES = 1000  # values of one parameter of a calculated question
MAX_NESTING = 32  # for free-form values (x- keys, probe args): deeper is a mistake, and unbounded recursion is not safe
MAX_INTEGER = 2**63 - 1  # whole numbers beyond 64 bits serve no question, and no float holds them exactly
_MAX_INTEGER_TEXT = 40  # longer integer texts are refused before Python parses them (that is quadratic)

ROOT_KEYS = frozenset({"format", "pack", "topics", "questions"})
QUESTION_FILE_KEYS = frozenset({"questions"})
PACK_KEYS = frozenset({"id", "title", "version", "language", "authors", "description", "translations"})
TOPIC_KEYS = frozenset({"id", "title", "description", "translations"})
TITLE_TRANSLATION_KEYS = frozenset({"title", "description"})
QUESTION_KEYS = frozenset({"id", "topic", "type", "difficulty", "tags", "prompt", "choices", "explanation",
                           "live", "source", "translations"})
CHOICE_KEYS = frozenset({"text", "correct", "why", "pin"})
LIVE_KEYS = frozenset({"probe", "args", "caption", "expect"})
TRANSLATION_KEYS = frozenset({"prompt", "choices", "explanation", "whys", "captions"})
CALCULATED_KEYS = frozenset({"id", "topic", "type", "difficulty", "tags", "prompt", "params", "answer",
                             "distractors", "format", "explanation", "live", "source", "translations"})
CALCULATED_ONLY = CALCULATED_KEYS - QUESTION_KEYS
SPEC_KEYS = frozenset({"probe", "args", "field", "param", "value", "why"})
CALCULATED_TRANSLATION_KEYS = frozenset({"prompt", "explanation", "whys", "captions"})
CLAIM_KEYS = frozenset({"at", "tolerance", *evidence.OPERATORS})
MAX_EVIDENCE_RUNS = 200  # probe runs per live block of a calculated question (one per drawn variant)

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _BOOL, _FLOAT, _NULL = _TAG + "str", _TAG + "int", _TAG + "bool", _TAG + "float", _TAG + "null"
_SCALAR_NAMES = {_STR: N_("text"), _INT: N_("a whole number"), _FLOAT: N_("a number"), _BOOL: N_("true/false"),
                 _NULL: N_("nothing"), _TAG + "timestamp": N_("a date"), _TAG + "binary": N_("binary data")}
# Only the constructors of plain scalars: they build strings, numbers, dates, never objects.
_CONSTRUCTOR = SafeConstructor()
_SCALAR_VALUES = {tag: SafeConstructor.yaml_constructors[tag] for tag in _SCALAR_NAMES}
# What PyYAML's constructors raise for a value their tag cannot take (`!!int abc`, `!!bool maybe`,
# `!!float ""`, `!!timestamp foo`, `0x_`): not one exception type, so all of them.
_CONSTRUCTOR_ERRORS = (ConstructorError, ValueError, KeyError, IndexError, AttributeError, TypeError,
                       OverflowError)
_UNREADABLE = object()  # a scalar whose tag cannot take its text; the problem is reported

Fields = dict[str, tuple[Node, Node]]  # key text -> (key node, value node), as the YAML pairs hold them


def load_pack(path: str | Path, run_calculations: bool = False, check_evidence: bool = False) -> LoadResult:
    """Load one pack: a .yaml/.yml file, or a folder with pack.yaml and more question files.

    `run_calculations` also runs every parameter combination of calculated questions
    through the engine, and `check_evidence` runs the probe of every live block with a
    caption or claims and checks them (as `quizapp validate` does); loading checks
    both without running anything.
    """
    return load_one(Path(path), run_calculations, check_evidence)[0]


def load_packs(paths: Iterable[str | Path], run_calculations: bool = False,
               check_evidence: bool = False) -> list[LoadResult]:
    """Load several packs; a pack whose id an earlier pack already uses fails with an error."""
    return unique_ids(load_one(Path(path), run_calculations, check_evidence) for path in paths)


def load_one(path: Path, run_calculations: bool = False,
             check_evidence: bool = False) -> tuple[LoadResult, IdPlace]:
    """The result, and where the pack id is written (for the check across packs)."""
    shown = str(path)
    if path.is_dir():
        try:
            files = folder_files(path)
        except OSError as exc:
            return _failed(shown, _("cannot read the folder: {reason}").format(reason=exc.strerror or exc)), \
                (shown, 1, 1)
        header = files[0]
        if not os.path.lexists(header):
            return _failed(shown, _("a pack folder needs a {file}").format(file=PACK_FILE)), (shown, 1, 1)
    elif not path.exists():
        return _failed(shown, _("no such file or folder")), (shown, 1, 1)
    elif path.suffix not in YAML_SUFFIXES:
        return _failed(shown, _("a pack is a .yaml or .yml file, or a folder with a {file}").format(file=PACK_FILE)), \
            (shown, 1, 1)
    else:
        files = [path]
    walker = _PackWalker(all_probes(), run_calculations, check_evidence)
    for number, file in enumerate(files):
        walker.path = str(file)
        try:
            walker.source = compose_file(file, walker.path)
        except BadSource as exc:
            walker.report(exc.problem)
            continue
        if number == 0:
            walker.header_file(walker.source.root)
        else:
            walker.question_file(walker.source.root)
    if walker.errors == 0 and not walker.questions:
        walker.report(Problem(str(files[0]), 1, 1, "warning", _("the pack has no questions")))
    problems = tuple(walker.sorted_problems(str(f) for f in files))
    if any(p.severity == "error" for p in problems):
        return LoadResult(None, problems), walker.pack_id_at
    pack = Pack(path=shown, topics=tuple(walker.topics.values()), questions=tuple(walker.questions),
                **walker.header)
    return LoadResult(pack, problems), walker.pack_id_at


def _failed(shown: str, message: str) -> LoadResult:
    return LoadResult(None, (Problem(shown, 1, 1, "error", message),))


def _say(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


def _found(node: Node) -> str:
    """What a value is, in the words an author uses."""
    if node.__class__ is MappingNode:
        return _("a mapping")
    if node.__class__ is SequenceNode:
        return _("a list")
    name = _SCALAR_NAMES.get(node.tag)
    return _(name) if name else _("a value tagged {tag}").format(tag=node.tag)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return _(" (did you mean '{name}'?)").format(name=close[0]) if close else ""


class _PackWalker:
    """Reads the nodes of a pack's files into model fields, collecting problems as it goes.

    Each reader returns None when its value is missing or wrong; the problem is
    recorded then and there, so one pass finds every problem.
    """

    def __init__(self, probes: dict[str, Probe], run_calculations: bool = False,
                 check_evidence: bool = False) -> None:
        self.probes = probes
        self.run_calculations = run_calculations
        self.check_evidence = check_evidence
        self.live_results: list[list[dict] | None] = []  # per live block of the current question: probe results
        self.live_count = 0  # live blocks of the current question
        # Probe results by (probe, arguments): blocks that show the same computation (one slow PPO
        # update, say) run it once per pack.
        self.probe_results: dict[tuple[str, str], dict] = {}
        self.broken_params: set[str] = set()  # of the calculated question being read
        self.probe_messages: set[str] = set()
        self.path = ""  # the file being read, as problems show it
        self.source = Source(None)  # the file being read, for positions
        self.problems: list[Problem] = []
        self.errors = 0
        self.header: dict[str, Any] = {}  # Pack fields read from the `pack:` mapping
        self.pack_id_at = ("", 1, 1)
        self.topics: dict[str, Topic] = {}
        self.questions: list[Question | CalculatedQuestion] = []
        self.question_ids: dict[str, tuple[str, int]] = {}  # id -> (file, line) where first used

    # --- reporting ---

    def report(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.errors += problem.severity == "error"

    def error(self, node: Node, message: str) -> None:
        self.report(Problem(self.path, *self.source.position(node.start_mark), "error", message))

    def warning(self, node: Node, message: str) -> None:
        self.report(Problem(self.path, *self.source.position(node.start_mark), "warning", message))

    def sorted_problems(self, files: Iterable[str]) -> list[Problem]:
        order = {f: i for i, f in enumerate(files)}
        return sorted(self.problems, key=lambda p: (order.get(p.path, -1), p.line, p.col))

    # --- files ---

    def header_file(self, root: Node | None) -> None:
        fields = self.top_level(root, ROOT_KEYS, _("'format: 1', 'pack', 'topics' and 'questions'"))
        if fields is None:
            return
        self.require(root, fields, ("format", "pack", "topics"), "")
        if "format" in fields:
            self.format(fields["format"][1])
        if "pack" in fields:
            self.pack(fields["pack"][1])
        if "topics" in fields:
            self.topic_list(fields["topics"])
        if "questions" in fields:
            self.question_list(fields["questions"])

    def question_file(self, root: Node | None) -> None:
        fields = self.top_level(root, QUESTION_FILE_KEYS, "'questions'")
        if fields is None:
            return
        self.require(root, fields, ("questions",), "")
        if "questions" in fields:
            self.question_list(fields["questions"])

    def top_level(self, root: Node | None, allowed: frozenset[str], expected: str) -> Fields | None:
        if root is None:
            self.report(Problem(self.path, 1, 1, "error", _("the file is empty; expected {expected}").format(
                expected=expected)))
            return None
        if root.__class__ is not MappingNode:
            self.error(root, _("the top level must be a mapping with {expected}, found {found}").format(
                expected=expected, found=_found(root)))
            return None
        fields = self.mapping(root, "")
        self.keys(fields, allowed, "")
        return fields

    # --- generic readers ---

    def mapping(self, node: Node, where: str, subject: str = "") -> Fields | None:
        """The mapping's pairs by key text; duplicate and non-text keys are errors."""
        if node.__class__ is not MappingNode:
            self.wrong_type(node, where, subject, _("a mapping"))
            return None
        fields: Fields = {}
        for pair in node.value:
            key = pair[0]
            if key.__class__ is not ScalarNode:
                self.error(key, _say(where, _("a key must be text, found {found}").format(found=_found(key))))
            elif key.value in fields:
                self.error(key, _say(where, _("key '{key}' appears twice").format(key=key.value)))
            else:
                fields[key.value] = pair
        return fields

    def keys(self, fields: Fields, allowed: frozenset[str], where: str,
             hints: dict[str, str] | None = None) -> None:
        """Unknown keys are errors (usually typos); `x-` keys are left for the caller.

        `hints` replaces the did-you-mean for keys that are known elsewhere.
        """
        if fields.keys() <= allowed:
            return
        for name, (key, _value) in fields.items():
            if name not in allowed and not name.startswith("x-"):
                hint = (hints or {}).get(name) or _did_you_mean(name, allowed)
                self.error(key, _say(where, _("unknown key '{name}'{hint}").format(name=name, hint=hint)))

    def require(self, node: Node, fields: Fields, names: Iterable[str], where: str) -> None:
        for name in names:
            if name not in fields:
                self.error(node, _say(where, _("missing required field '{name}'").format(name=name)))

    def wrong_type(self, node: Node, where: str, subject: str, expected: str) -> None:
        """`subject` names the value, e.g. "'difficulty'" or "'tags' item 2"; empty for `where` itself."""
        quote = expected == _("text") and node.__class__ is ScalarNode and node.tag != _NULL
        hint = _(" (put it in quotes)") if quote else ""
        if subject:
            message = _("{subject} must be {expected}, found {found}{hint}")
        else:
            message = _("must be {expected}, found {found}{hint}")
        self.error(node, _say(where, message.format(subject=subject, expected=expected, found=_found(node),
                                                    hint=hint)))

    def text(self, fields: Fields, name: str, where: str, nonempty: bool = False) -> str | None:
        pair = fields.get(name)
        if pair is None:
            return None
        node = pair[1]
        if node.tag != _STR or node.__class__ is not ScalarNode:
            self.wrong_type(node, where, f"'{name}'", _("text"))
            return None
        if nonempty and not node.value:
            self.error(node, _say(where, _("'{name}' is empty").format(name=name)))
            return None
        return node.value

    def integer(self, fields: Fields, name: str, where: str) -> int | None:
        pair = fields.get(name)
        if pair is None:
            return None
        node = pair[1]
        if node.tag != _INT or node.__class__ is not ScalarNode:
            self.wrong_type(node, where, f"'{name}'", _("a whole number"))
            return None
        value = self.scalar(node, _say(where, f"'{name}'"))
        return None if value is _UNREADABLE else value

    def boolean(self, fields: Fields, name: str, where: str) -> bool | None:
        pair = fields.get(name)
        if pair is None:
            return None
        node = pair[1]
        if node.tag != _BOOL or node.__class__ is not ScalarNode:
            self.wrong_type(node, where, f"'{name}'", _("true or false"))
            return None
        value = self.scalar(node, _say(where, f"'{name}'"))
        return None if value is _UNREADABLE else value

    def scalar(self, node: ScalarNode, where: str) -> Any:
        """The value of a plain scalar as its tag says, or _UNREADABLE with the problem reported."""
        construct = _SCALAR_VALUES.get(node.tag)
        if construct is None:
            self.error(node, _say(where, _("unsupported YAML tag '{tag}'").format(tag=node.tag)))
            return _UNREADABLE
        if node.tag == _INT and len(node.value) > _MAX_INTEGER_TEXT:
            self.error(node, _say(where, _("the whole number '{start}...' has {length} characters; whole numbers "
                                           "lie within ±{limit}").format(start=node.value[:20], length=len(node.value),
                                                                         limit=f"{MAX_INTEGER:,}")))
            return _UNREADABLE
        try:
            value = construct(_CONSTRUCTOR, node)
        except _CONSTRUCTOR_ERRORS:
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
            self.error(node, _say(where, _("'{text}' is not valid as {found}").format(text=shown,
                                                                                      found=_found(node))))
            return _UNREADABLE
        if node.tag == _INT and abs(value) > MAX_INTEGER:
            self.error(node, _say(where, _("the whole number {value} is too large; whole numbers lie within "
                                           "±{limit}").format(value=node.value, limit=f"{MAX_INTEGER:,}")))
            return _UNREADABLE
        return value

    def items(self, pair: tuple[Node, Node] | None, where: str, name: str) -> list[Node] | None:
        if pair is None:
            return None
        node = pair[1]
        if node.__class__ is not SequenceNode:
            self.wrong_type(node, where, f"'{name}'", _("a list"))
            return None
        return node.value

    def texts(self, fields: Fields, name: str, where: str) -> tuple[str, ...] | None:
        items = self.items(fields.get(name), where, name)
        if items is None:
            return None
        wrong = [(number, item) for number, item in enumerate(items, 1)
                 if item.tag != _STR or item.__class__ is not ScalarNode]
        for number, item in wrong:
            self.wrong_type(item, where, _("'{name}' item {number}").format(name=name, number=number), _("text"))
        return None if wrong else tuple(item.value for item in items)

    def plain(self, node: Node, where: str, depth: int = 0) -> Any:
        """A free-form value (x- keys, probe args) as immutable Python data."""
        if node.__class__ is ScalarNode:
            value = self.scalar(node, where)
            return None if value is _UNREADABLE else value
        if depth >= MAX_NESTING:
            self.error(node, _say(where, _("values nest deeper than {n} levels").format(n=MAX_NESTING)))
            return None
        if node.__class__ is SequenceNode:
            return tuple(self.plain(item, where, depth + 1) for item in node.value)
        fields = self.mapping(node, where)
        return FrozenMap((name, self.plain(value, where, depth + 1)) for name, (_, value) in fields.items())

    def extras(self, fields: Fields, where: str) -> FrozenMap[str, Any]:
        found = [(name, self.plain(value, where)) for name, (_, value) in fields.items() if name.startswith("x-")]
        return FrozenMap(found) if found else EMPTY

    # --- the header ---

    def format(self, node: Node) -> None:
        if node.tag != _INT or node.__class__ is not ScalarNode:
            self.error(node, _("'format' must be the number 1, found {found}").format(found=_found(node)))
        elif (version := self.scalar(node, "'format'")) is not _UNREADABLE and version != 1:
            self.error(node, _("format {version} is not supported; this version of quizapp reads format 1").format(
                version=version))

    def pack(self, node: Node) -> None:
        fields = self.mapping(node, "", "'pack'")
        if fields is None:
            return
        self.keys(fields, PACK_KEYS, "pack")
        self.require(node, fields, ("id", "title"), "pack")
        pack_id = self.text(fields, "id", "pack")
        if pack_id is not None:
            id_node = fields["id"][1]
            self.pack_id_at = (self.path, *self.source.position(id_node.start_mark))
            if not PACK_ID.fullmatch(pack_id):
                self.error(id_node, _("pack: id '{id}' must be lowercase letters, digits and '-', starting with a "
                                      "letter or digit").format(id=pack_id))
        language = self.text(fields, "language", "pack")
        if language is not None and not LANGUAGE_TAG.fullmatch(language):
            self.error(fields["language"][1], _("pack: '{tag}' is not a language tag like 'en' or 'pt-BR'").format(
                tag=language))
        header = {"id": pack_id, "title": self.text(fields, "title", "pack", nonempty=True),
                  "version": self.text(fields, "version", "pack"), "language": language,
                  "authors": self.texts(fields, "authors", "pack"),
                  "description": self.text(fields, "description", "pack"),
                  "translations": self.title_translations(fields.get("translations"), "pack") or None}
        self.header = {name: value for name, value in header.items() if value is not None}

    def topic_list(self, pair: tuple[Node, Node]) -> None:
        items = self.items(pair, "", "topics")
        if items is None:
            return
        if not items:
            self.error(pair[1], _("'topics' needs at least one topic"))
        for number, node in enumerate(items, 1):
            where = _("topic {number}").format(number=number)
            fields = self.mapping(node, where)
            if fields is None:
                continue
            self.keys(fields, TOPIC_KEYS, where)
            self.require(node, fields, ("id", "title"), where)
            topic_id = self.text(fields, "id", where, nonempty=True)
            title = self.text(fields, "title", where, nonempty=True)
            description = self.text(fields, "description", where)
            translations = self.title_translations(fields.get("translations"), where)
            if topic_id is not None and topic_id in self.topics:
                self.error(fields["id"][1], _say(where, _("topic id '{id}' is used twice").format(id=topic_id)))
            elif topic_id is not None and title is not None:
                self.topics[topic_id] = Topic(topic_id, title, description, translations)

    def title_translations(self, pair: tuple[Node, Node] | None, where: str) -> FrozenMap[str, TitleTranslation]:
        """A pack's or a topic's `translations`: a title (and a description) per language tag."""
        found: dict[str, TitleTranslation] = {}
        for lang, node, tfields, twhere in self.translation_entries(pair, where):
            self.keys(tfields, TITLE_TRANSLATION_KEYS, twhere)
            self.require(node, tfields, ("title",), twhere)
            title = self.text(tfields, "title", twhere, nonempty=True)
            description = self.text(tfields, "description", twhere)
            if title is not None:
                found[lang] = TitleTranslation(title, description)
        return FrozenMap(found) if found else EMPTY

    # --- questions ---

    def question_list(self, pair: tuple[Node, Node]) -> None:
        items = self.items(pair, "", "questions")
        for number, node in enumerate(items or (), 1):
            question = self.question(node, number)
            if question is not None:
                self.questions.append(question)

    def question(self, node: Node, number: int) -> Question | CalculatedQuestion | None:
        numbered = _("question {number}").format(number=number)
        fields = self.mapping(node, numbered)
        if fields is None:
            return None
        errors_before = self.errors
        qid = self.text(fields, "id", numbered, nonempty=True)
        where = _("question '{id}'").format(id=qid) if qid is not None else numbered
        # The type decides which keys belong; an unreadable type reads as the default.
        type_node = fields["type"][1] if "type" in fields else None
        computed = (type_node is not None and type_node.__class__ is ScalarNode
                    and type_node.tag == _STR and type_node.value == "calculated")
        if computed:
            self.keys(fields, CALCULATED_KEYS, where, {
                "choices": _(" (a calculated question computes its choices from 'answer' and 'distractors')")})
            self.require(node, fields, ("id", "topic", "prompt", "params", "answer"), where)
        else:
            self.keys(fields, QUESTION_KEYS, where,
                      dict.fromkeys(CALCULATED_ONLY, _(" (only a question of 'type: calculated' has it)")))
            self.require(node, fields, ("id", "topic", "prompt", "choices"), where)
        if qid is not None:
            self.unique_question_id(qid, fields["id"][1], where)
        topic = self.text(fields, "topic", where)
        if topic is not None and topic not in self.topics:
            self.error(fields["topic"][1], _say(where, _("unknown topic '{topic}'{hint}").format(
                topic=topic, hint=_did_you_mean(topic, self.topics))))
        qtype = self.text(fields, "type", where) if "type" in fields else "single"
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.error(fields["type"][1], _say(where, _("type must be 'single', 'multiple' or 'calculated', not "
                                                        "'{type}'").format(type=qtype)))
            qtype = None
        if computed:
            return self.calculated(node, fields, where, topic, errors_before)
        difficulty = self.difficulty(fields, where)
        prompt = self.text(fields, "prompt", where, nonempty=True)
        explanation = self.explanation(node, fields, where)
        tags = self.texts(fields, "tags", where)
        source = self.text(fields, "source", where)
        choices = self.choices(fields.get("choices"), where, qtype)
        live = self.live(fields.get("live"), where)
        translations = self.translations(fields.get("translations"), where,
                                         None if choices is None else len(choices))
        extras = self.extras(fields, where)
        # A question with an error is never used: the pack as a whole fails to load.
        if self.errors != errors_before:
            return None
        return Question(self.header.get("id", ""), qid, topic, qtype, prompt, choices, explanation,
                        3 if difficulty is None else difficulty, tags or (), source, live, translations, extras)

    def difficulty(self, fields: Fields, where: str) -> int | None:
        difficulty = self.integer(fields, "difficulty", where)
        if difficulty is not None and not 1 <= difficulty <= 5:
            self.error(fields["difficulty"][1], _say(where, _("difficulty must be 1 to 5, found {n}").format(
                n=difficulty)))
        return difficulty

    def explanation(self, node: Node, fields: Fields, where: str) -> str | None:
        if "explanation" not in fields:
            self.warning(node, _say(where, _("no explanation")))
        return self.text(fields, "explanation", where)

    def unique_question_id(self, qid: str, node: Node, where: str) -> None:
        first = self.question_ids.get(qid)
        if first is None:
            self.question_ids[qid] = (self.path, self.source.position(node.start_mark)[0])
            return
        file, line = first
        place = (_("line {line}").format(line=line) if file == self.path else
                 _("{file} line {line}").format(file=Path(file).name, line=line))
        self.error(node, _say(where, _("id already used by the question at {place}").format(place=place)))

    def choices(self, pair: tuple[Node, Node] | None, where: str,
                qtype: str | None) -> tuple[Choice, ...] | None:
        """The choices, or None when any is broken; `qtype` None skips the correct-count check."""
        items = self.items(pair, where, "choices")
        if items is None:
            return None
        choices_key = pair[0]
        if not MIN_CHOICES <= len(items) <= MAX_CHOICES:
            self.error(choices_key, _say(where, _("needs {low} to {high} choices, found {n}").format(
                low=MIN_CHOICES, high=MAX_CHOICES, n=len(items))))
        choices: list[Choice] = []
        seen: dict[str, int] = {}  # text -> choice number
        broken = False  # counting correct choices means little while some are broken
        for number, node in enumerate(items, 1):
            cwhere = _say(where, _("choice {number}").format(number=number))
            fields = self.mapping(node, cwhere)
            if fields is None:
                broken = True
                continue
            self.keys(fields, CHOICE_KEYS, cwhere)
            self.require(node, fields, ("text",), cwhere)
            text = self.text(fields, "text", cwhere, nonempty=True)
            correct = self.boolean(fields, "correct", cwhere)
            if text is None or (correct is None and "correct" in fields):
                broken = True
                continue
            if text in seen:
                self.error(fields["text"][1], _say(cwhere, _("same text as choice {number}").format(
                    number=seen[text])))
            seen[text] = number
            choices.append(Choice(text, bool(correct), self.text(fields, "why", cwhere),
                                  bool(self.boolean(fields, "pin", cwhere)), self.extras(fields, cwhere)))
        if broken:
            return None
        correct = sum(c.correct for c in choices)
        if qtype == "single" and correct != 1:
            self.error(choices_key, _say(where, _("type 'single' needs exactly one correct choice, found {n}").format(
                n=correct)))
        elif qtype == "multiple" and correct < 1:
            self.error(choices_key, _say(where, _("type 'multiple' needs at least one correct choice, found 0")))
        return tuple(choices)

    def live(self, pair: tuple[Node, Node] | None, where: str,
             params: dict[str, tuple[Any, ...]] | None = None) -> tuple[LiveLink, ...]:
        """`params`: a calculated question's parameters, which args may name."""
        links: list[LiveLink] = []
        items = self.items(pair, where, "live") or ()
        self.live_results = []
        self.live_count = len(items)
        for number, node in enumerate(items, 1):
            lwhere = _say(where, _("live {number}").format(number=number))
            fields = self.mapping(node, lwhere)
            self.live_results.append(None)  # filled in below when the block's evidence is checked
            if fields is None:
                continue
            self.keys(fields, LIVE_KEYS, lwhere)
            self.require(node, fields, ("probe",), lwhere)
            name = self.text(fields, "probe", lwhere)
            args_node = fields["args"][1] if "args" in fields else None
            if args_node is not None and args_node.__class__ is not MappingNode:
                self.wrong_type(args_node, lwhere, "'args'", _("a mapping"))
                continue
            before_args = self.errors
            args = self.plain(args_node, lwhere) if args_node is not None else EMPTY
            if name is None or self.errors != before_args:  # an unreadable value is reported already
                continue
            probe = self.probes.get(name)
            if probe is None:
                known = _did_you_mean(name, self.probes) or _(" (known: {names})").format(
                    names=", ".join(sorted(self.probes)))
                self.error(node, _say(lwhere, _("unknown probe '{name}'{hint}").format(name=name, hint=known)))
                continue
            self.probe_args(node, lwhere, probe, args, params or {})
            caption = self.caption(fields, lwhere)
            claims = self.claims(fields.get("expect"), lwhere)
            links.append(LiveLink(name, args, caption, tuple(claim for claim, _ in claims)))
            if self.check_evidence and (caption is not None or claims):
                self.live_results[-1] = self.evidence(node, f"{where}: live[{number - 1}]", probe, args,
                                                      fields, claims, params or {})
        return tuple(links)

    # --- evidence: captions and claims ---

    def caption(self, fields: Fields, where: str) -> str | None:
        text = self.text(fields, "caption", where)
        if text is not None:
            try:
                evidence.parse_caption(text)
            except EvidenceError as exc:
                self.caption_error(fields["caption"][1], _say(where, _("caption: {problem}").format(problem=exc)),
                                   exc.source)
                return None
        return text

    def claims(self, pair: tuple[Node, Node] | None, where: str) -> list[tuple[Claim, Node]]:
        found: list[tuple[Claim, Node]] = []
        for number, node in enumerate(self.items(pair, where, "expect") or (), 1):
            cwhere = _say(where, _("expect {number}").format(number=number))
            fields = self.mapping(node, cwhere)
            if fields is None:
                continue
            self.keys(fields, CLAIM_KEYS, cwhere)
            self.require(node, fields, ("at",), cwhere)
            at = self.text(fields, "at", cwhere)
            if at is not None:
                try:
                    evidence.parse_path(at)
                except EvidenceError as exc:
                    self.error(fields["at"][1], _say(cwhere, str(exc)))
                    at = None
            ops = [op for op in evidence.OPERATORS if op in fields]
            if len(ops) != 1:
                self.error(node, _say(cwhere, _("a claim needs exactly one of {operators}, found {n}").format(
                    operators=", ".join(evidence.OPERATORS), n=len(ops))))
                continue
            op = ops[0]
            value = self.claim_value(fields[op][1], cwhere, op)
            tolerance = evidence.DEFAULT_TOLERANCE
            if "tolerance" in fields:
                if op != "close_to":
                    self.error(fields["tolerance"][0], _say(cwhere, _("'tolerance' belongs to 'close_to' only")))
                else:
                    tolerance = self.claim_value(fields["tolerance"][1], cwhere, "tolerance")
                    if tolerance is not None and tolerance < 0:
                        self.error(fields["tolerance"][1], _say(cwhere, _("'tolerance' must not be negative")))
                        tolerance = None
            if at is not None and value is not None and tolerance is not None:
                found.append((Claim(at, op, value, float(tolerance)), node))
        return found

    def claim_value(self, node: Node, where: str, op: str) -> Any:
        """The operand: any scalar for equals, a finite number otherwise, [low, high] for between."""
        if op == "between":
            if node.__class__ is not SequenceNode or len(node.value) != 2:
                self.wrong_type(node, where, "'between'", _("a list of two numbers [low, high]"))
                return None
            low, high = (self.claim_value(item, where, "bound") for item in node.value)
            if low is None or high is None:
                return None
            if low > high:
                self.error(node, _say(where, _("'between' needs low ≤ high, found [{low}, {high}]").format(
                    low=low, high=high)))
                return None
            return (low, high)
        value = self.plain(node, where) if node.__class__ is ScalarNode else None
        if op == "equals":
            if node.__class__ is not ScalarNode or value is None or not isinstance(value, (str, bool, int, float)):
                self.wrong_type(node, where, "'equals'", _("text, a number or true/false"))
                return None
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.wrong_type(node, where, f"'{op}'", _("a number"))
            return None
        return value

    def evidence(self, node: Node, where: str, probe: Probe, args: Any, fields: Fields,
                 claims: list[tuple[Claim, Node]], params: dict[str, tuple[Any, ...]]) -> list[dict] | None:
        """Run the probe (once per drawn variant of the parameters it names) and check the block."""
        if self.errors and probe.problems(calc.resolve_args(args, {n: v[0] for n, v in params.items()})):
            return None  # its arguments are wrong, and reported already
        results: list[dict] = []
        for values in _variants(args, params)[:MAX_EVIDENCE_RUNS]:
            with_ = _with(values)
            try:
                result = self.run_probe(probe, calc.resolve_args(args, {**{n: v[0] for n, v in params.items()},
                                                                        **values}))
            except ProbeError as exc:
                self.error(node, _say(where, _("the probe '{probe}' failed{with_}: {reason}").format(
                    probe=probe.name, with_=with_, reason=exc)))
                return None
            results.append(result)
            for claim, claim_node in claims:
                try:
                    got = evidence.check_claim(claim, result)
                except EvidenceError as exc:
                    self.error(claim_node, _say(where, _("expect: {problem}{with_}").format(problem=exc, with_=with_)))
                    continue
                if got is not None:
                    self.error(claim_node, _("{where} expects {claim}, {got}{with_}").format(
                        where=where, claim=evidence.describe_claim(claim), got=got, with_=with_))
            if "caption" in fields:
                self.check_caption(fields["caption"][1], where, _("caption"), result, with_)
        return results

    def run_probe(self, probe: Probe, args: dict[str, Any]) -> dict:
        """The probe's result for these arguments, computed once per pack (ProbeError is not kept)."""
        key = (probe.name, json.dumps(args, sort_keys=True, default=list))
        if key not in self.probe_results:
            self.probe_results[key] = probe.run(args)
        return self.probe_results[key]

    def check_caption(self, node: Node, where: str, what: str, result: dict, with_: str = "") -> None:
        text = node.value
        try:
            fields = evidence.caption_paths(text)
        except EvidenceError:
            return  # reported when the caption was read
        for field in fields:
            try:
                evidence.format_value(evidence.resolve(result, field.path, field.text), field.spec)
            except EvidenceError as exc:
                self.caption_error(node, _say(where, f"{what}: {exc}{with_}"), field.source)

    def caption_error(self, node: Node, message: str, source: str | None) -> None:
        """An error at the caption field it is about (the caption's start when it cannot be found)."""
        line, col = _position_in(node, source, self.path) if source else (node.start_mark.line + 1,
                                                                          node.start_mark.column + 1)
        self.report(Problem(self.path, line, col, "error", message))

    def translation_entries(self, pair: tuple[Node, Node] | None, where: str):
        """(language, node, fields, where) per well-formed translation; bad tags are reported."""
        if pair is None:
            return
        fields = self.mapping(pair[1], where, "'translations'")
        for lang, (key, node) in (fields or {}).items():
            if lang.startswith("x-"):
                continue
            if not LANGUAGE_TAG.fullmatch(lang):
                self.error(key, _say(where, _("'{tag}' is not a language tag like 'de' or 'pt-BR'").format(tag=lang)))
            twhere = _say(where, _("translation '{tag}'").format(tag=lang))
            tfields = self.mapping(node, twhere)
            if tfields is not None:
                yield lang, node, tfields, twhere

    def translations(self, pair: tuple[Node, Node] | None, where: str,
                     choice_count: int | None) -> FrozenMap[str, Translation]:
        """`choice_count` is None when the question's own choices are broken: nothing to compare."""
        found: dict[str, Translation] = {}
        for lang, node, tfields, twhere in self.translation_entries(pair, where):
            self.keys(tfields, TRANSLATION_KEYS, twhere)
            self.require(node, tfields, ("prompt", "choices"), twhere)
            prompt = self.text(tfields, "prompt", twhere, nonempty=True)
            choices = self.texts(tfields, "choices", twhere)
            if choices is not None and choice_count is not None and len(choices) != choice_count:
                self.error(tfields["choices"][0], _say(twhere, _("'choices' must list {n} texts, one per choice, "
                                                                 "found {found}").format(n=choice_count,
                                                                                         found=len(choices))))
            whys = self.optional_texts(tfields, "whys", twhere, choice_count, _("one per choice"))
            captions = self.translated_captions(tfields, twhere)
            if prompt is not None and choices is not None:
                found[lang] = Translation(prompt, choices, self.text(tfields, "explanation", twhere), whys, captions)
        return FrozenMap(found) if found else EMPTY

    def optional_texts(self, fields: Fields, name: str, where: str, count: int | None,
                       per: str) -> tuple[str | None, ...] | None:
        """A list of texts (or null for "keep the original"), one per choice or live block."""
        items = self.items(fields.get(name), where, name)
        if items is None:
            return None
        values: list[str | None] = []
        for number, item in enumerate(items, 1):
            if item.__class__ is ScalarNode and item.tag == _NULL:
                values.append(None)
            elif item.__class__ is ScalarNode and item.tag == _STR:
                values.append(item.value)
            else:
                self.wrong_type(item, where, _("'{name}' item {number}").format(name=name, number=number),
                                _("text (or null to keep the original)"))
                return None
        if count is not None and len(values) != count:
            self.error(fields[name][0], _say(where, _("'{name}' must list {n} entries, {per}, found {found}").format(
                name=name, n=count, per=per, found=len(values))))
            return None
        return tuple(values)

    def translated_captions(self, fields: Fields, where: str) -> tuple[str | None, ...] | None:
        """Captions in the translation's language: one per live block, checked like the originals."""
        captions = self.optional_texts(fields, "captions", where, self.live_count, _("one per live block"))
        if captions is None:
            return None
        for number, (caption, node) in enumerate(zip(captions, fields["captions"][1].value)):
            if caption is None:
                continue
            try:
                evidence.parse_caption(caption)
            except EvidenceError as exc:
                self.caption_error(node, _say(where, _("captions item {number}: {problem}").format(
                    number=number + 1, problem=exc)), exc.source)
                continue
            for result in self.live_results[number] or ():
                self.check_caption(node, where, _("captions item {number}").format(number=number + 1), result)
                break
        return captions

    # --- calculated questions ---

    def calculated(self, node: Node, fields: Fields, where: str, topic: str | None,
                   errors_before: int) -> CalculatedQuestion | None:
        """The rest of a `type: calculated` question (id, topic and type are read)."""
        difficulty = self.difficulty(fields, where)
        prompt = self.text(fields, "prompt", where, nonempty=True)
        explanation = self.explanation(node, fields, where)
        tags = self.texts(fields, "tags", where)
        source = self.text(fields, "source", where)
        self.broken_params: set[str] = set()  # named but unreadable: not checked further
        self.probe_messages: set[str] = set()  # one report per argument problem in this question
        params = self.params(fields.get("params"), where)
        known = params or {}
        fmt = self.text(fields, "format", where)
        if fmt is not None and (problem := calc.format_problem(fmt)):
            self.error(fields["format"][1], _say(where, problem))
        answer = (self.value_spec(fields["answer"][1], where, _("answer"), known, is_answer=True)
                  if "answer" in fields else None)
        distractors = self.distractors(fields.get("distractors"), where, known)
        if prompt is not None:
            self.template(fields["prompt"][1], prompt, where, "'prompt'", known)
        if explanation is not None:
            self.template(fields["explanation"][1], explanation, where, "'explanation'", known, ("answer",))
        live = self.live(fields.get("live"), where, known)
        spec_count = None if distractors is None else 1 + len(distractors)  # the answer, then each distractor
        translations = self.calculated_translations(fields.get("translations"), where, known, spec_count)
        extras = self.extras(fields, where)
        if self.errors != errors_before or params is None or answer is None or distractors is None:
            return None
        question = CalculatedQuestion(
            self.header.get("id", ""), fields["id"][1].value, topic, prompt, FrozenMap(params), answer,
            distractors, fmt if fmt is not None else CalculatedQuestion.format, explanation,
            3 if difficulty is None else difficulty, tags or (), source, live, translations, extras)
        if self.run_calculations:
            spec_nodes = {-1: fields["answer"][1]}
            spec_nodes.update(enumerate(fields["distractors"][1].value if "distractors" in fields else ()))
            for finding in calc.check(question):
                at = spec_nodes.get(finding.spec, node) if finding.spec is not None else node
                what = ("" if finding.spec is None else _("answer") if finding.spec == -1 else
                        _("distractor {number}").format(number=finding.spec + 1))
                message = _say(where, _say(what, finding.message))
                self.error(at, message) if finding.severity == "error" else self.warning(at, message)
            if self.errors != errors_before:
                return None
        return question

    def params(self, pair: tuple[Node, Node] | None, where: str) -> dict[str, tuple[Any, ...]] | None:
        if pair is None:
            return None
        fields = self.mapping(pair[1], where, "'params'")
        if fields is None:
            return None
        if not fields:
            self.error(pair[1], _say(where, _("'params' needs at least one parameter")))
            return None
        found: dict[str, tuple[Any, ...]] = {}
        broken = False
        for name, (key, node) in fields.items():
            pwhere = _say(where, _("parameter '{name}'").format(name=name))
            self.broken_params.add(name)  # until its values are read
            if not calc.NAME.fullmatch(name):
                self.error(key, _say(pwhere, _("a parameter name is letters, digits and '_', not starting with a "
                                               "digit")))
                broken = True
                continue
            if name in calc.RESERVED:
                self.error(key, _say(pwhere, _("'{name}' is reserved for templates; choose another name").format(
                    name=name)))
                broken = True
                continue
            if node.__class__ is not SequenceNode:
                self.wrong_type(node, pwhere, "", _("a list of values, such as [0.1, 0.2]"))
                broken = True
                continue
            if not node.value or len(node.value) > MAX_PARAM_VALUES:
                self.error(node, _say(pwhere, _("needs 1 to {high} values, found {n}").format(
                    high=MAX_PARAM_VALUES, n=len(node.value))))
                broken = True
                continue
            values = []
            for item in node.value:
                if item.__class__ is not ScalarNode or item.tag not in (_INT, _FLOAT, _STR):
                    self.error(item, _say(pwhere, _("a value must be a number or text, found {found}").format(
                        found=_found(item))))
                    broken = True
                else:
                    before = self.errors
                    value = self.plain(item, pwhere)
                    if self.errors == before:
                        values.append(value)
            if len(values) == len(node.value):
                found[name] = tuple(values)
                self.broken_params.discard(name)
            else:
                broken = True
        return None if broken and not found else found

    def value_spec(self, node: Node, where: str, what: str, params: dict[str, tuple[Any, ...]],
                   is_answer: bool = False) -> ValueSpec | None:
        """`answer` or one distractor: a probe's field, a parameter, or a literal value."""
        swhere = _say(where, what)
        fields = self.mapping(node, swhere)
        if fields is None:
            return None
        errors_before = self.errors
        if is_answer:
            self.keys(fields, SPEC_KEYS - {"param", "value"}, swhere,
                      dict.fromkeys(("param", "value"), _(" (the answer is always computed by a probe)")))
            self.require(node, fields, ("probe", "field"), swhere)
        else:
            sources = [name for name in ("probe", "param", "value") if name in fields]
            self.keys(fields, SPEC_KEYS, swhere)
            if len(sources) != 1:
                self.error(node, _say(swhere, _("give exactly one of 'probe', 'param' or 'value', not {keys}").format(
                    keys=_(" and ").join(map(repr, sources))) if sources else
                    _("give exactly one of 'probe', 'param' or 'value'")))
            elif sources == ["probe"]:
                self.require(node, fields, ("field",), swhere)
            else:
                for name in ("args", "field"):
                    if name in fields:
                        self.error(fields[name][0], _say(swhere, _("'{name}' belongs with 'probe', not '{other}'").format(
                            name=name, other=sources[0])))
        why = self.text(fields, "why", swhere)
        if why is not None:
            self.template(fields["why"][1], why, swhere, "'why'", params, ("answer", "value"))
        spec: dict[str, Any] = {"why": why}
        if "probe" in fields:
            name = self.text(fields, "probe", swhere)
            field = self.text(fields, "field", swhere, nonempty=True)
            if field is not None and not calc.FIELD_PATH.fullmatch(field):
                self.error(fields["field"][1], _say(swhere, _("field '{field}' must be a name or a dotted path such as "
                                                              "'probabilities.0'").format(field=field)))
            args_node = fields["args"][1] if "args" in fields else None
            args: Any = EMPTY
            if args_node is not None and args_node.__class__ is not MappingNode:
                self.wrong_type(args_node, swhere, "'args'", _("a mapping"))
            elif args_node is not None:
                before_args = self.errors
                args = self.plain(args_node, swhere)
                args = args if self.errors == before_args else None  # unreadable: reported, not checked further
            probe = self.probes.get(name) if name is not None else None
            if name is not None and probe is None:
                known = _did_you_mean(name, self.probes) or _(" (known: {names})").format(
                    names=", ".join(sorted(self.probes)))
                self.error(fields["probe"][1], _say(swhere, _("unknown probe '{name}'{hint}").format(name=name,
                                                                                                  hint=known)))
            elif probe is not None and isinstance(args, FrozenMap):
                self.probe_args(node, swhere, probe, args, params)
            spec.update(probe=name, args=args, field=field)
        if "param" in fields:
            name = self.text(fields, "param", swhere)
            if name is not None and name not in params and name not in self.broken_params:
                self.error(fields["param"][1], _say(swhere, _("no parameter '{name}'{hint}").format(
                    name=name, hint=_did_you_mean(name, params))))
            spec["param"] = name
        if "value" in fields:
            value_node = fields["value"][1]
            if value_node.__class__ is not ScalarNode or value_node.tag not in (_INT, _FLOAT, _STR):
                self.error(value_node, _say(swhere, _("'value' must be a number or text, found {found}").format(
                    found=_found(value_node))))
            else:
                spec["value"] = self.plain(value_node, swhere)
        if self.errors != errors_before:
            return None
        return ValueSpec(**spec)

    def distractors(self, pair: tuple[Node, Node] | None, where: str,
                    params: dict[str, tuple[Any, ...]]) -> tuple[ValueSpec, ...] | None:
        if pair is None:
            return ()
        items = self.items(pair, where, "distractors")
        if items is None:
            return None
        if len(items) > MAX_CHOICES - 1:
            self.error(pair[0], _say(where, _("at most {high} distractors, found {n}").format(
                high=MAX_CHOICES - 1, n=len(items))))
        if len(items) < calc.CHOICES - 1:
            self.warning(pair[0], _say(where, ngettext(
                "{n} distractor; nearby numbers fill in up to {choices} choices",
                "{n} distractors; nearby numbers fill in up to {choices} choices", len(items)).format(
                n=len(items), choices=calc.CHOICES)))
        specs = [self.value_spec(item, where, _("distractor {number}").format(number=number), params)
                 for number, item in enumerate(items, 1)]
        for number, (item, spec) in enumerate(zip(items, specs), 1):
            if spec is not None and spec.why is None:
                self.warning(item, _say(where, _("distractor {number}: no 'why': say which mistake it stands "
                                                 "for").format(number=number)))
        return None if any(s is None for s in specs) else tuple(specs)

    def probe_args(self, node: Node, where: str, probe: Probe, args: Any,
                   params: dict[str, tuple[Any, ...]]) -> None:
        """Check args without running the probe, for the values of the parameters they name."""
        if any(_mentions(args, name) for name in self.broken_params):
            return  # a parameter it names is broken, and reported already
        named = [name for name in params if _mentions(args, name)]
        first = {name: values[0] for name, values in params.items()}
        if math.prod(len(params[n]) for n in named) <= 200:
            variants = [dict(zip(named, combo)) for combo in itertools.product(*(params[n] for n in named))]
        else:  # too many: each value of each parameter once, the others at their first value
            variants = [{name: value} for name in named for value in params[name]]
        seen: set[str] = self.probe_messages if params else set()
        plain = set(probe.problems(calc.resolve_args(args, first))) if named else set()
        for variant in variants:
            values = {**first, **variant}
            for message in probe.problems(calc.resolve_args(args, values)):
                if message in seen:
                    continue
                seen.add(message)
                # Name the combination only when the problem depends on the drawn values.
                depends = named and message not in plain
                with_ = _with({n: values[n] for n in named}) if depends else ""
                self.error(node, _say(where, f"{message}{with_}"))

    def template(self, node: Node, text: str, where: str, what: str, params: dict[str, tuple[Any, ...]],
                 extra: tuple[str, ...] = ()) -> None:
        """Every `{name}` of a template must be a parameter (or one of `extra`), and its spec must fit."""
        for name, spec in dict.fromkeys(calc.template_fields(text)):  # each field once, however often used
            if spec is not None and (problem := calc.spec_problem(spec)):
                self.error(node, _say(where, f"{what}: {problem}"))
                continue
            if name in extra or name in self.broken_params:
                continue
            if name not in params:
                allowed = sorted(params) + list(extra)
                self.error(node, _say(where, _("{what} uses '{{{name}}}', which is not a parameter{hint} (write {open} "
                                               "and {close} for literal braces)").format(
                    what=what, name=name, hint=_did_you_mean(name, allowed), open="'{{'", close="'}}'")))
                continue
            if spec is not None:
                for value in params[name]:
                    try:
                        calc.format_value(value, spec)
                    except ValueError:
                        self.error(node, _say(where, _("{what}: '{{{name}:{spec}}}' cannot format the value "
                                                       "{value}").format(what=what, name=name, spec=spec,
                                                                         value=repr(value))))
                        break

    def calculated_translations(self, pair: tuple[Node, Node] | None, where: str, params: dict[str, tuple[Any, ...]],
                                spec_count: int | None) -> FrozenMap[str, CalculatedTranslation]:
        """`spec_count`: the answer and the distractors, one translated why each (None: they are broken)."""
        found: dict[str, CalculatedTranslation] = {}
        for lang, node, tfields, twhere in self.translation_entries(pair, where):
            self.keys(tfields, CALCULATED_TRANSLATION_KEYS, twhere,
                      {"choices": _(" (the choices of a calculated question are computed; they need no "
                                    "translation)")})
            self.require(node, tfields, ("prompt",), twhere)
            prompt = self.text(tfields, "prompt", twhere, nonempty=True)
            explanation = self.text(tfields, "explanation", twhere)
            if prompt is not None:
                self.template(tfields["prompt"][1], prompt, twhere, "'prompt'", params)
            if explanation is not None:
                self.template(tfields["explanation"][1], explanation, twhere, "'explanation'", params, ("answer",))
            whys = self.optional_texts(tfields, "whys", twhere, spec_count,
                                       _("one per value (the answer first, then each distractor)"))
            for number, (why, why_node) in enumerate(zip(whys or (), tfields["whys"][1].value if whys else ()), 1):
                if why is not None:
                    self.template(why_node, why, twhere, _("'{name}' item {number}").format(name="whys", number=number),
                                  params, ("answer", "value"))
            captions = self.translated_captions(tfields, twhere)
            if prompt is not None:
                found[lang] = CalculatedTranslation(prompt, explanation, captions, whys)
        return FrozenMap(found) if found else EMPTY


def _with(values: Mapping[str, Any]) -> str:
    """" (with x=1, y=2)": the drawn parameter values a problem depends on; empty for none."""
    return _(" (with {values})").format(values=calc.show_params(values)) if values else ""


def _mentions(value: Any, name: str) -> bool:
    """Whether a free-form value (probe args) names this parameter somewhere."""
    if isinstance(value, str):
        return value == name
    if isinstance(value, (tuple, list)):
        return any(_mentions(v, name) for v in value)
    if isinstance(value, Mapping):
        return any(_mentions(v, name) for v in value.values())
    return False


def _variants(args: Any, params: dict[str, tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The parameter values a live block's probe must be run with: every combination of the
    parameters its args name (or each value once when there are too many); [{}] for none."""
    named = [name for name in params if _mentions(args, name)]
    if math.prod(len(params[n]) for n in named) <= MAX_EVIDENCE_RUNS:
        return [dict(zip(named, combo)) for combo in itertools.product(*(params[n] for n in named))]
    return [{name: value} for name in named for value in params[name]]


_BREAKS = "\n\x85\u2028\u2029"


def _position_in(node: Node, needle: str, path: str) -> tuple[int, int]:
    """Line and column (1-based) of `needle` inside a scalar's source text, counted as YAML
    counts them; the scalar's own start when the text cannot be found there."""
    start, end = node.start_mark, node.end_mark
    line, col = start.line + 1, start.column + 1
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return line, col
    offset = source.find(needle, start.index, end.index)
    if offset < 0:
        return line, col
    i = start.index
    while i < offset:
        ch = source[i]
        if ch in _BREAKS or (ch == "\r" and source[i + 1:i + 2] != "\n"):
            line, col = line + 1, 1
        else:
            col += 1
        i += 1
    return line, col
