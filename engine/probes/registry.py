"""The probe registry: one named, typed entry per engine computation.

A probe is a function that takes plain arguments and returns plain,
JSON-serialisable data. Packs name probes in `live:` blocks, the labs render
their results and `quizapp engine NAME` prints them. Listing the registry and
checking arguments import nothing heavy: a probe's module is imported only
when the probe runs.

The registry knows no probe by name: the catalogue registers them when the
`engine.probes` package is imported, and importing this module always imports
that package first.
"""
from __future__ import annotations

import dataclasses
import importlib
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from engine.errors import ProbeError
from engine.texts import _, num


REQUIRED: Any = object()

# Argument kinds and the Python values they accept.
KINDS = ("str", "int", "float", "bool", "floats", "ints")

# Every argument has a range, the same rules for every probe: an Arg's own min/max, else its kind's.
INT_RANGE = (-(2**31), 2**31 - 1)
FLOAT_RANGE = (-1e6, 1e6)
SEED_RANGE = (0, 2**32 - 1)  # what numpy and torch both take as a seed
MAX_TEXT = 10_000  # characters of a text argument
MAX_ITEMS = 1_000  # numbers in a list argument
_MAX_NUMBER_TEXT = 50  # characters of a number written as text (longer is not a number anyone means)


@dataclass(frozen=True)
class Arg:
    """One argument of a probe. `min`/`max` bound numbers (each item of a list); None takes the kind's range."""

    name: str
    kind: str
    help: str
    default: Any = REQUIRED
    choices: tuple = ()
    min: float | None = None
    max: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The range every number of this argument must lie in; None for texts and true/false."""
        if self.kind in ("int", "ints"):
            low, high = INT_RANGE
        elif self.kind in ("float", "floats"):
            low, high = FLOAT_RANGE
        else:
            return None
        return (low if self.min is None else self.min, high if self.max is None else self.max)

    @property
    def range_text(self) -> str:
        """The range as `quizapp engine PROBE --help` and `quizapp engine list` show it."""
        if self.choices:
            return _("one of {choices}").format(choices=", ".join(map(str, self.choices)))
        if self.kind == "str":
            return _("up to {n} characters").format(n=num(MAX_TEXT, ","))
        if self.bounds is None:
            return _("true or false")
        low, high = self.bounds
        if self.kind in ("ints", "floats"):
            return _("{low} to {high}; up to {n} numbers").format(low=_show(low), high=_show(high),
                                                                   n=num(MAX_ITEMS, ","))
        return _("{low} to {high}").format(low=_show(low), high=_show(high))

    def coerce(self, value: Any) -> Any:
        """Return the value as this argument's kind, or raise ProbeError saying why not."""
        v = _coerce(self.kind, value, self.name)
        bounds = self.bounds
        for item in v if isinstance(v, list) else [v]:
            if self.choices and item not in self.choices:
                raise ProbeError(_("{name} must be one of {choices}, not {value}").format(
                    name=self.name, choices=", ".join(map(str, self.choices)), value=_show(item)))
            if bounds is not None and not bounds[0] <= item <= bounds[1]:
                raise ProbeError(_("{name} must be between {low} and {high}, not {value}").format(
                    name=self.name, low=_show(bounds[0]), high=_show(bounds[1]), value=_show(item)))
        return v


def _show(value: Any) -> str:
    """A value in a message, cut to a readable length."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    text = num(value) if number else repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else _("{start}...({n} characters)").format(start=text[:20], n=len(text))


def _coerce(kind: str, value: Any, name: str) -> Any:
    if kind == "str":
        if not isinstance(value, str):
            raise ProbeError(_("{name} must be text, not {type}").format(name=name, type=type(value).__name__))
        if len(value) > MAX_TEXT:
            raise ProbeError(_("{name} must be at most {max} characters, not {n}").format(
                name=name, max=num(MAX_TEXT, ","), n=num(len(value), ",")))
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ProbeError(_("{name} must be true or false, not {value}").format(name=name, value=_show(value)))
    if kind in ("int", "float"):
        return _number(kind, value, name)
    if kind in ("floats", "ints"):
        if isinstance(value, str):
            separator = ";" if ";" in value else ","  # "2; 0,5" where the comma is the decimal mark
            value = [part for part in value.replace(" ", "").split(separator) if part != ""]
        if not isinstance(value, (list, tuple)):
            raise ProbeError(_("{name} must be a list of numbers").format(name=name))
        if len(value) > MAX_ITEMS:
            raise ProbeError(_("{name} must hold at most {max} numbers, not {n}").format(
                name=name, max=num(MAX_ITEMS, ","), n=num(len(value), ",")))
        return [_number(kind[:-1], item, name) for item in value]
    raise ValueError(f"unknown argument kind {kind!r}")


def _number(kind: str, value: Any, name: str) -> int | float:
    what = _("{name} must be a whole number, not {value}") if kind == "int" else \
        _("{name} must be a finite number, not {value}")
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > _MAX_NUMBER_TEXT):
        raise ProbeError(what.format(name=name, value=_show(value)))
    if kind == "int" and isinstance(value, int):
        return value  # exact, however large: the range check says if it is too large
    if kind == "int" and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    if kind == "float" and isinstance(value, str) and value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")  # a decimal comma, as German fields show numbers: "0,5"
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ProbeError(what.format(name=name, value=_show(value))) from None
    if not math.isfinite(number) or (kind == "int" and not number.is_integer()):
        raise ProbeError(what.format(name=name, value=_show(value)))
    return int(number) if kind == "int" else number


@dataclass(frozen=True)
class Probe:
    name: str
    summary: str
    function: str  # "module:function", imported on first run
    args: tuple[Arg, ...] = ()

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)

    def problems(self, args: Mapping[str, Any]) -> list[str]:
        """Every problem with these arguments, without running anything."""
        found = [_("probe '{probe}' has no argument '{arg}'").format(probe=self.name, arg=k)
                 for k in args if self.arg(k) is None]
        for a in self.args:
            if a.name not in args:
                if a.required:
                    found.append(_("probe '{probe}' needs argument '{arg}'").format(probe=self.name, arg=a.name))
                continue
            try:
                a.coerce(args[a.name])
            except ProbeError as exc:
                found.append(_("probe '{probe}': {error}").format(probe=self.name, error=exc))
        return found

    def bind(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments with defaults filled in and values coerced; ProbeError on the first problem."""
        problems = self.problems(args)
        if problems:
            raise ProbeError(problems[0])
        return {a.name: a.coerce(args[a.name]) if a.name in args else a.default
                for a in self.args if a.name in args or not a.required}

    def load(self) -> Callable[..., Any]:
        module, _, attr = self.function.partition(":")
        return getattr(importlib.import_module(module), attr)

    def run(self, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
        result = self.load()(**self.bind(args or {}))
        return to_plain(result)


def to_plain(value: Any) -> Any:
    """Dataclasses, numpy arrays and scalars → dicts, lists and Python numbers."""
    # Plain values first: a PPO step's result has some 4,400 of them, and the general checks below cost
    # about 8 ms for it, on the way to the screen.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        return value if math.isfinite(value) else _finite(value)
    if kind is dict:
        return {str(k): to_plain(v) for k, v in value.items()}
    if kind is list:
        return [to_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind in ("b", "i", "u") or (kind == "f" and (value.size == 0 or bool(abs(value).max() < math.inf))):
        return value.tolist()  # a finite numeric array: tolist is exact and fast, no walk needed
    if hasattr(value, "tolist"):  # other numpy arrays and scalars, torch tensors
        return to_plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return _finite(value)
    return value


_PLAIN = frozenset({int, str, bool, type(None)})


def _finite(value: float) -> float | None:
    """JSON has no NaN or infinity: NaN → None, ±inf → ±1e308."""
    return None if math.isnan(value) else (1e308 if value > 0 else -1e308)


PROBES: dict[str, Probe] = {}


def register(probe: Probe) -> Probe:
    if probe.name in PROBES:
        raise ValueError(f"probe {probe.name!r} registered twice")
    for a in probe.args:
        if a.kind not in KINDS:
            raise ValueError(f"probe {probe.name!r}: argument {a.name!r} has unknown kind {a.kind!r}")
    PROBES[probe.name] = probe
    return probe


def get(name: str) -> Probe:
    try:
        return PROBES[name]
    except KeyError:
        raise ProbeError(_("unknown probe '{name}' (known: {known})").format(
            name=name, known=", ".join(sorted(PROBES)))) from None


def all_probes() -> dict[str, Probe]:
    return dict(PROBES)


def run_probe(name: str, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return get(name).run(args)

