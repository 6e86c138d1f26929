"""Calculated questions: draw numbers, let the engine compute the answer and the mistakes, ask.

A calculated question (models.CalculatedQuestion) lists values for its parameters,
the probe that computes the right answer and the probes (or parameters, or
literals) that compute typical wrong answers. Each attempt:

1. draws one value per parameter (with the session's seeded rng);
2. runs the probes with those values and formats the results as choice texts;
3. keeps the right answer and up to three distractors that show a text of their own
   (a mistake that happens to give the right number for this draw is left out);
4. when fewer than four different choices remain, draws another combination, up to
   MAX_DRAWS times; then it takes the first combination and fills in nearby wrong
   numbers whose `why` says they are fillers.

The result is an ordinary `type: single` Question with the same id, so progress,
shuffling and feedback work unchanged; `Question.drawn` records the parameter
values, and `instantiate_with` builds the same question again for a review.

Numbers show rounded half away from zero on the decimal value they stand for
(question_bank.numbers): 0.6875 shows as 0.688 even when the engine's float is
0.6874999999999998, as a learner computing by hand would write it.

Templates (prompt, explanation, whys, translations) are not Python format strings:
only `{name}` and `{name:spec}` with a parameter name (and `{answer}`, `{value}`
where documented) are replaced, `{{` and `}}` give literal braces, and nothing
else can be reached from a pack.
"""
from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Iterator

from engine.probes import ProbeError, get
from engine.texts import _, ngettext
from question_bank.models import (EMPTY, CalculatedQuestion, CalculatedTranslation, Choice, FrozenMap, Question,
                                  Translation, ValueSpec)
from question_bank.numbers import format_number, localize_number

CHOICES = 4
"""How many choices a drawn calculated question shows: the answer and three distractors."""

MAX_DRAWS = 20
"""Combinations tried for four different choices before nearby numbers fill in."""

MAX_CHECKED = 2000
"""Combinations `validate` runs per question; beyond that, a seeded sample of this size."""

FILLER_WHY = ("A nearby number, not a known mistake: it was added because the typical mistakes "
              "give fewer than four different values for these numbers.")

MAX_FORMAT_WIDTH = 100
MAX_FORMAT_PRECISION = 20
"""Bounds of a format spec's width and precision: a wider one would only cost memory (10⁹ digits is gigabytes)."""

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[0-9]+|[A-Za-z_][A-Za-z0-9_]*))*")
RESERVED = frozenset({"answer", "value"})  # template names that are not parameters
_TEMPLATE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
_FORMAT = re.compile(r"((?:[^{}]|\{\{|\}\})*)\{(?::([^{}]*))?\}((?:[^{}]|\{\{|\}\})*)")
# Python's format spec: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>[0-9]*)[,_]?(?:\.(?P<precision>[0-9]+))?"
                   r"[bcdeEfFgGnosxX%]?", re.DOTALL)


class CalculationError(Exception):
    """A value cannot be computed; `spec` is the index of the distractor at fault, -1 for the answer."""

    def __init__(self, message: str, spec: int | None = None) -> None:
        super().__init__(message)
        self.spec = spec


# --- templates and formats ---

def spec_problem(spec: str) -> str | None:
    """Why a format spec is refused before anything is formatted with it, or None.

    Only the size is judged here: a spec Python cannot read fails in `format()`
    with a message of its own, and that costs nothing.
    """
    m = _SPEC.fullmatch(spec)
    if m is None:
        return None
    for part, limit in (("width", MAX_FORMAT_WIDTH), ("precision", MAX_FORMAT_PRECISION)):
        digits = m.group(part)
        if digits and (len(digits) > 6 or int(digits) > limit):
            shown = spec if len(spec) <= 30 else spec[:30] + "..."
            message = (_("the width in the format spec '{spec}' is over the limit of {limit}") if part == "width"
                       else _("the precision in the format spec '{spec}' is over the limit of {limit}"))
            return message.format(spec=shown, limit=limit)
    return None


def format_value(value: Any, spec: str) -> str:
    """format(value, spec) with the spec's size bounded; ValueError says why it cannot be done."""
    problem = spec_problem(spec)
    if problem:
        raise ValueError(problem)
    try:
        return format_number(value, spec)  # half away from zero, as a learner rounds by hand
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(str(exc)) from None


def template_fields(template: str) -> list[tuple[str, str | None]]:
    """The (name, spec) pairs a template uses, in order."""
    return [(m.group(1), m.group(2)) for m in _TEMPLATE.finditer(template) if m.group(1)]


def render(template: str, values: Mapping[str, Any], shown: Mapping[str, str], lang: str | None = None) -> str:
    """Replace `{name}` by `shown[name]` and `{name:spec}` by `values[name]` formatted with spec
    (numbers in the style of `lang`: 0,87 in a German translation)."""
    def replace(m: re.Match[str]) -> str:
        token, name, spec = m.group(0), m.group(1), m.group(2)
        if name is None:
            return token[0]  # "{{" -> "{", "}}" -> "}"
        if name not in values:
            raise CalculationError(_("the template uses '{{{name}}}', which is not a parameter").format(name=name))
        if spec is None:
            return shown[name]
        try:
            text = format_value(values[name], spec)
            return _minus(localize_number(text, lang) if isinstance(values[name], (int, float)) else text)
        except ValueError as exc:
            raise CalculationError(_("'{{{name}:{spec}}}' cannot format {value}: {reason}").format(
                name=name, spec=spec, value=repr(values[name]), reason=exc)) from None
    return _TEMPLATE.sub(replace, template)


def parse_format(text: str) -> tuple[str, str, str] | None:
    """(prefix, spec, suffix) of a choice format such as "{:.2f}" or "{:.1f} %"; None when it is not one."""
    m = _FORMAT.fullmatch(text)
    if m is None:
        return None
    unescape = lambda s: s.replace("{{", "{").replace("}}", "}")  # noqa: E731
    return unescape(m.group(1)), m.group(2) or "", unescape(m.group(3))


def format_problem(text: str) -> str | None:
    """Why `text` is not a usable choice format, or None."""
    parts = parse_format(text)
    if parts is None:
        return _("'format' must hold one '{{}}' or '{{:spec}}', such as \"{{:.2f}}\", not {text}").format(
            text=repr(text))
    try:
        format_value(1.5, parts[1])
    except ValueError as exc:
        return _("'format' {text} cannot format a number: {reason}").format(text=repr(text), reason=exc)
    return None


def show_value(value: Any, fmt: str, lang: str | None = None) -> str:
    """A computed value as a choice shows it: numbers through the format (in the style of `lang`),
    texts as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        parts = parse_format(fmt) or ("", "", "")
        prefix, spec, suffix = parts
        try:
            text = format_value(value, spec)
        except ValueError as exc:
            raise CalculationError(_("format {format} cannot show {value}: {reason}").format(
                format=repr(fmt), value=repr(value), reason=exc)) from None
        return f"{prefix}{_minus(localize_number(text, lang))}{suffix}"
    return str(value)


def show_param(value: Any, lang: str | None = None) -> str:
    """A parameter value in a prompt: whole numbers as written, others in their shortest form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, (int, float)):
        return _minus(localize_number(repr(value), lang))
    return str(value)


def _minus(text: str) -> str:
    """A typographic minus, and no "-0.00"."""
    if text.startswith("-"):
        if not any(c in "123456789" for c in text):
            return text[1:]
        return "\u2212" + text[1:]
    return text


# --- evaluating one value ---

def resolve_args(args: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The probe arguments with parameter names replaced by their values (inside lists too)."""
    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value in params:
            return params[value]
        if isinstance(value, (list, tuple)):
            return tuple(resolve(v) for v in value)
        return value
    return {name: resolve(value) for name, value in args.items()}


def field_of(result: Any, path: str, probe: str) -> Any:
    """The value at a dotted path ("objective", "probabilities.0") of a probe's result."""
    value = result
    walked: list[str] = []
    for part in path.split("."):
        if isinstance(value, Mapping):
            if part not in value:
                where = f"'{'.'.join(walked)}'" if walked else _("the result")
                raise CalculationError(_("probe '{probe}': {where} has no field '{field}' (fields: {fields})").format(
                    probe=probe, where=where, field=part, fields=", ".join(sorted(value))))
            value = value[part]
        elif isinstance(value, (list, tuple)):
            if not part.isdigit() or int(part) >= len(value):
                raise CalculationError(_("probe '{probe}': '{path}' is a list of {n}; '{part}' is not a position in "
                                         "it (0 to {last})").format(probe=probe, path=".".join(walked), n=len(value),
                                                                    part=part, last=len(value) - 1))
            value = value[int(part)]
        else:
            raise CalculationError(_("probe '{probe}': '{path}' is a single value, it has no '{part}'").format(
                probe=probe, path=".".join(walked), part=part))
        walked.append(part)
    if isinstance(value, (list, tuple)):
        raise CalculationError(_("probe '{probe}': field '{path}' is a list of {n}; add a position, such as "
                                 "'{path}.0'").format(probe=probe, path=path, n=len(value)))
    if isinstance(value, Mapping):
        raise CalculationError(_("probe '{probe}': field '{path}' holds several fields; name one, such as "
                                 "'{path}.{first}'").format(probe=probe, path=path, first=next(iter(value), "x")))
    if value is None or (isinstance(value, float) and (not math.isfinite(value) or abs(value) >= 1e308)):
        raise CalculationError(_("probe '{probe}': field '{path}' is not a finite number here").format(
            probe=probe, path=path))
    return value


class _Runner:
    """Runs probes, remembering results: validation asks for the same arguments many times."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, tuple], Any] = {}

    def value(self, spec: ValueSpec, params: Mapping[str, Any], index: int) -> Any:
        if spec.param is not None:
            if spec.param not in params:
                raise CalculationError(_("no parameter '{name}'").format(name=spec.param), index)
            return params[spec.param]
        if spec.probe is None:
            return spec.value
        args = resolve_args(spec.args, params)
        key = (spec.probe, tuple(sorted((k, _hashable(v)) for k, v in args.items())))
        result = self.cache.get(key)
        if result is None:
            try:
                result = get(spec.probe).run(args)
            except ProbeError as exc:
                raise CalculationError(_("probe '{probe}' with {args}: {reason}").format(
                    probe=spec.probe, args=_show_args(args), reason=exc), index) from None
            self.cache[key] = result
        try:
            return field_of(result, spec.field or "", spec.probe)
        except CalculationError as exc:
            raise CalculationError(str(exc), index) from None


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, (list, tuple)) else value


def _show_args(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={list(v) if isinstance(v, tuple) else v!r}" for k, v in args.items())


def show_params(params: Mapping[str, Any]) -> str:
    """"r=1.3, A=-1, eps=0.2", for messages."""
    return ", ".join(f"{name}={value!r}" for name, value in params.items())


# --- building one drawn question ---

@dataclass(frozen=True)
class _Built:
    question: Question
    filled: int  # nearby numbers added
    dropped: tuple[tuple[int, str], ...]  # (distractor index, why it was left out)
    shown: tuple[int, ...]  # indices of the distractors that became choices


def _build(question: CalculatedQuestion, params: Mapping[str, Any], runner: _Runner | None = None) -> _Built:
    runner = runner or _Runner()
    params = dict(params)
    missing = [name for name in question.params if name not in params]
    if missing:
        raise CalculationError(ngettext("no value for parameter {names}", "no value for parameters {names}",
                                        len(missing)).format(names=", ".join(missing)))
    fmt = question.format
    answer = runner.value(question.answer, params, -1)
    answer_text = show_value(answer, fmt)
    shown = {name: show_param(value) for name, value in params.items()}
    texts = {answer_text: _("the correct answer")}
    choices: list[Choice] = []
    dropped: list[tuple[int, str]] = []
    kept: list[tuple[ValueSpec, Any, str]] = []
    shown_specs: list[int] = []
    for index, spec in enumerate(question.distractors):
        value = runner.value(spec, params, index)
        text = show_value(value, fmt)
        if text in texts:
            dropped.append((index, _("it shows {text}, the same as {other}").format(text=text, other=texts[text])))
            continue
        if len(kept) == CHOICES - 1:
            continue  # enough: the first distractors written are kept
        texts[text] = _("distractor {number}").format(number=index + 1)
        kept.append((spec, value, text))
        shown_specs.append(index)

    values_for = lambda extra: {**params, "answer": answer, **extra}  # noqa: E731
    shown_for = lambda extra: {**shown, "answer": answer_text, **extra}  # noqa: E731

    def why(spec: ValueSpec, value: Any, text: str) -> str | None:
        if spec.why is None:
            return None
        return render(spec.why, values_for({"value": value}), shown_for({"value": text}))

    choices.append(Choice(answer_text, True, why(question.answer, answer, answer_text)))
    choices += [Choice(text, False, why(spec, value, text)) for spec, value, text in kept]
    values = [answer] + [value for _, value, _ in kept]  # what each choice shows, for translations
    filled = 0
    if len(choices) < CHOICES and isinstance(answer, (int, float)) and not isinstance(answer, bool):
        for value, text in _nearby(answer, fmt, set(texts), CHOICES - len(choices)):
            choices.append(Choice(text, False, FILLER_WHY))
            values.append(value)
            filled += 1
    if len(choices) < 2:
        raise CalculationError(_("with {params} every distractor shows the correct answer {answer}, and a text "
                                 "answer has no nearby values").format(params=show_params(params),
                                                                       answer=answer_text))

    prompt = render(question.prompt, values_for({}), shown_for({}))
    explanation = (None if question.explanation is None
                   else render(question.explanation, values_for({}), shown_for({})))
    # Where each choice's why sits in a translation's `whys`: 0 for the answer, i + 1 for
    # distractor i, None for a nearby filler (its why stays the original).
    slots = [0] + [index + 1 for index in shown_specs] + [None] * filled

    def translated(lang: str, t: CalculatedTranslation) -> Translation:
        """A translation with the numbers in its language's style (0,87 in German) and its own whys."""
        shown_in = {**{name: show_param(value, lang) for name, value in params.items()},
                    "answer": show_value(answer, fmt, lang)}
        texts_in = tuple(show_value(value, fmt, lang) for value in values)

        def why_in(slot: int | None, value: Any, text: str) -> str | None:
            template = t.whys[slot] if t.whys is not None and slot is not None else None
            if template is None:
                return None  # the original why is kept
            return render(template, values_for({"value": value}), {**shown_in, "value": text}, lang)

        return Translation(render(t.prompt, values_for({}), shown_in, lang), texts_in,
                           None if t.explanation is None else render(t.explanation, values_for({}), shown_in, lang),
                           tuple(why_in(slot, value, text) for slot, value, text in zip(slots, values, texts_in)),
                           captions=t.captions)

    translations = {lang: translated(lang, t) for lang, t in question.translations.items()}
    live = tuple(replace(link, args=FrozenMap(resolve_args(link.args, params))) for link in question.live)
    concrete = Question(question.pack_id, question.id, question.topic, "single", prompt, tuple(choices),
                        explanation, question.difficulty, question.tags, question.source, live,
                        FrozenMap(translations) if translations else EMPTY, question.extras,
                        drawn=FrozenMap(params))
    return _Built(concrete, filled, tuple(dropped), tuple(shown_specs))


def _nearby(value: float, fmt: str, taken: set[str], wanted: int) -> Iterator[tuple[float, str]]:
    """Wrong numbers close to `value` that show differently from every text in `taken`, with their texts."""
    step = abs(value) * 0.1 or 1.0
    for _step in range(30):  # make one step visible in the format
        if show_value(value + step, fmt) != show_value(value, fmt):
            break
        step *= 10
    found = 0
    for k in range(1, 60):
        for sign in (1, -1):
            text = show_value(value + sign * k * step, fmt)
            if text not in taken:
                taken.add(text)
                yield value + sign * k * step, text
                found += 1
                if found == wanted:
                    return


# --- drawing ---

def draw(question: CalculatedQuestion, rng: random.Random) -> dict[str, Any]:
    """One value per parameter, in the order the parameters are written."""
    return {name: rng.choice(values) for name, values in question.params.items()}


def instantiate(question: CalculatedQuestion, rng: random.Random) -> tuple[Question, dict[str, Any]]:
    """A drawn `type: single` Question and the parameter values it was drawn with.

    Tries up to MAX_DRAWS combinations for one with four different choices; failing
    that, the first combination that computes, with nearby numbers filled in.
    CalculationError when no combination tried can be computed at all.
    """
    first: tuple[Question, dict[str, Any]] | None = None
    failure: CalculationError | None = None
    runner = _Runner()
    for _draw in range(MAX_DRAWS):
        params = draw(question, rng)
        try:
            built = _build(question, params, runner)
        except CalculationError as exc:
            failure = failure or exc
            continue
        if built.filled == 0 and len(built.question.choices) >= CHOICES:
            return built.question, params
        if first is None:
            first = (built.question, params)
    if first is None:
        raise CalculationError(_("question '{id}': no drawn combination can be computed: {reason}").format(
            id=question.id, reason=failure))
    return first


def instantiate_with(question: CalculatedQuestion, params: Mapping[str, Any]) -> Question:
    """The same drawn question again, from the recorded parameter values (for reviews)."""
    return _build(question, params).question


# --- checking every combination (quizapp validate) ---

@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    spec: int | None  # distractor index, -1 for the answer, None for the question
    message: str


def combinations(question: CalculatedQuestion, limit: int = MAX_CHECKED) -> Iterator[dict[str, Any]]:
    """Every combination, or a seeded sample of `limit` of them when there are more."""
    names = list(question.params)
    values = [question.params[n] for n in names]
    if question.combinations <= limit:
        for combo in itertools.product(*values):
            yield dict(zip(names, combo))
        return
    rng = random.Random(0)
    seen: set[tuple[int, ...]] = set()
    while len(seen) < limit:
        picks = tuple(rng.randrange(len(v)) for v in values)
        if picks not in seen:
            seen.add(picks)
            yield {n: v[i] for n, v, i in zip(names, values, picks)}


def check(question: CalculatedQuestion, limit: int = MAX_CHECKED) -> list[Finding]:
    """Run the combinations through the probes: what fails, and which never give four choices."""
    runner = _Runner()
    errors: dict[tuple[int | None, str], tuple[str, int]] = {}  # (spec, message) -> (first params, count)
    short: list[tuple[dict[str, Any], _Built]] = []
    shown: set[int] = set()
    checked = 0
    for params in combinations(question, limit):
        checked += 1
        try:
            built = _build(question, params, runner)
        except CalculationError as exc:
            key = (exc.spec, str(exc))
            first, count = errors.get(key, (show_params(params), 0))
            errors[key] = (first, count + 1)
            continue
        shown.update(built.shown)
        if built.filled or len(built.question.choices) < CHOICES:
            short.append((params, built))
    findings: list[Finding] = []
    for (spec, message), (first, count) in errors.items():
        times = "" if count == 1 else ngettext(" (and {n} more of the {checked} combinations)",
                                               " (and {n} more of the {checked} combinations)",
                                               count - 1).format(n=count - 1, checked=checked)
        findings.append(Finding("error", spec, _("with {params}: {problem}").format(params=first, problem=message)
                                + times))
    if short:
        params, built = short[0]
        reasons = "; ".join(_("distractor {number} is left out: {reason}").format(number=i + 1, reason=reason)
                            for i, reason in built.dropped)
        why = reasons or ngettext("only {n} distractor", "only {n} distractors", len(question.distractors)).format(
            n=len(question.distractors))
        findings.append(Finding(
            "warning", None,
            _("{n} of the {checked} combinations give fewer than {choices} different choices, so nearby numbers "
              "fill in; e.g. {params} ({why})").format(n=len(short), checked=checked, choices=CHOICES,
                                                       params=show_params(params), why=why)))
    if not errors:
        for index in range(len(question.distractors)):
            if index not in shown:
                findings.append(Finding("warning", index, _(
                    "never shown in the {checked} combinations checked: it always repeats another choice, or the "
                    "earlier distractors fill the {places} places").format(checked=checked, places=CHOICES - 1)))
    return findings
