"""Exam readiness for `quizapp stats` and the statistics screen: per pack the forecast (overall and
per topic) and the study-next suggestion; for the learner, how honest the stored forecasts were."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fsrs.scheduler import DEFAULT_PARAMETERS

from question_bank.models import Pack
from quizapp import i18n
from quizapp.i18n import _, ngettext
from quizapp.progress.db import Store
from quizapp.study.forecast.calibration import Calibration
from quizapp.study.forecast.measure import CalibrationReport, calibration_report
from quizapp.study.forecast.model import LEVEL, Estimate, PackForecast, fit_calibration, forecast_pack, read_snapshot
from quizapp.study.forecast.suggest import Suggestion, study_next


@dataclass(frozen=True)
class PackReadiness:
    forecast: PackForecast
    suggestion: Suggestion | None


@dataclass(frozen=True)
class Readiness:
    packs: tuple[PackReadiness, ...]
    calibration: CalibrationReport | None  # None before the first forecast was paired with its answer
    model: Calibration                     # the calibration the forecasts above were made with

    def pack(self, pack_id: str) -> PackReadiness | None:
        return next((p for p in self.packs if p.forecast.pack_id == pack_id), None)


def collect_readiness(store: Store, packs: Iterable[Pack], now: float,
                      parameters: Sequence[float] = DEFAULT_PARAMETERS) -> Readiness:
    pairs = store.prediction_pairs()
    model = fit_calibration(pairs)
    result = []
    for pack in packs:
        if not pack.questions:
            continue
        snapshot = read_snapshot(store, pack, model, parameters)
        result.append(PackReadiness(forecast_pack(pack, snapshot, now), study_next(pack, snapshot, now)))
    return Readiness(tuple(result), calibration_report(pairs), model)


# -- JSON -------------------------------------------------------------------------------------

def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _estimate(e: Estimate, mean_name: str) -> dict[str, Any]:
    return {mean_name: _r(e.mean), "low": _r(e.low), "high": _r(e.high), "level": LEVEL}


def pack_forecast_json(p: PackReadiness) -> dict[str, Any]:
    f, s = p.forecast, p.suggestion
    return {
        "forecast": {"exam_questions": f.exam_questions, **_estimate(f.score, "score"),
                     "never_seen": sum(t.never_seen for t in f.topics),
                     "weakest": f.weakest.topic if f.weakest else None},
        "study_next": None if s is None else {"topic": s.topic, "title": s.title, "minutes": s.minutes,
                                              "questions": s.questions, "gain": _r(s.gain),
                                              "gain_per_minute": _r(s.gain_per_minute)},
    }


def topic_forecasts_json(p: PackReadiness) -> dict[str, dict[str, Any]]:
    """Topic id → its forecast: the expected share right of its questions, with the range."""
    return {t.topic: {**_estimate(t.expected, "expected"), "never_seen": t.never_seen, "started": t.started,
                      "exam_share": _r(t.exam_share)} for t in p.forecast.topics}


def calibration_json(r: Readiness) -> dict[str, Any]:
    c = r.calibration
    data: dict[str, Any] = {"pairs": 0 if c is None else c.pairs,
                            "model": {"weights": [_r(w) for w in r.model.weights], "fitted_on": r.model.pairs}}
    if c is None:
        return {**data, "base_rate": None, "brier": None, "calibration_error": None, "reliability": []}
    return {**data, "base_rate": _r(c.base_rate),
            "brier": {k: _r(v) for k, v in c.brier.items()},
            "calibration_error": {k: _r(v) for k, v in c.calibration_error.items()},
            "reliability": [{"low": b.low, "high": b.high, "count": b.count, "mean_forecast": _r(b.mean_forecast),
                             "observed": _r(b.observed)} for b in c.reliability]}


# -- text -------------------------------------------------------------------------------------

def percent(value: float) -> str:
    return i18n.percent(100 * value)


def range_text(e: Estimate) -> str:
    return f"{i18n.num(100 * e.low, '.0f')}–{i18n.percent(100 * e.high)}"


def score_line(f: PackForecast) -> str:
    """'Exam today: about 68 % (58–77 %), weakest: …' for the home screen and the statistics."""
    text = _("Exam today: about {score} ({range})").format(score=percent(f.score.mean), range=range_text(f.score))
    if not f.answers:
        return text + _(", a first guess: nothing answered yet")
    weakest = f.weakest
    return text + (_(", weakest: {topic}").format(topic=weakest.title) if weakest else "")


def suggestion_line(s: Suggestion | None, key: str = "") -> str:
    """'Study next: Embeddings, +2.7 points in 20 min (7 questions)'; `key` names the key that starts it."""
    head = _("Study next") + (f" ({key})" if key else "")
    if s is None:
        return head + _(": nothing would raise the forecast now.")
    return head + _(": {topic}, +{gain} points in {minutes} min ({questions} questions)").format(
        topic=s.title, gain=i18n.num(100 * s.gain, ".1f"), minutes=s.minutes, questions=s.questions)


def render_readiness(r: Readiness):
    """A rich renderable for `quizapp stats`: per pack the forecast table and the study-next
    suggestion, then the calibration."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = []
    for p in r.packs:
        parts.append(forecast_table(p.forecast))
        parts.append(Text(suggestion_line(p.suggestion)))
    parts.append(Text(calibration_text(r), style="dim"))
    return Group(*parts)


def forecast_table(f: PackForecast):
    """A rich renderable: the forecast per topic and for the mock exam, with the never-seen counts."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=_("Exam readiness · {pack}").format(pack=f.pack_id), title_justify="left",
                  caption_justify="left",
                  caption=_("80 % ranges. Exam: {n} questions drawn per topic like the mock exam.").format(
                      n=f.exam_questions))
    table.add_column(_("Topic"), ratio=1, min_width=18)  # German topic words ("Positionskodierung") fit whole
    for column in (_("Forecast"), _("80 % range"), _("Never seen"), _("In exam")):
        table.add_column(column, justify="right", no_wrap=True)
    for t in f.topics:
        shown = percent(t.expected.mean) if t.started else f"{percent(t.expected.mean)}*"
        table.add_row(t.title, shown, range_text(t.expected), f"{t.never_seen}/{t.questions}",
                      i18n.percent(100 * t.exam_share), end_section=t is f.topics[-1])
    table.add_row(_("Mock exam score"), percent(f.score.mean), range_text(f.score),
                  f"{sum(t.never_seen for t in f.topics)}/{sum(t.questions for t in f.topics)}", "", style="bold")
    if all(t.started for t in f.topics):
        return table
    return Group(table, Text(_("* not started: a guess from the questions' difficulty and your other topics."),
                             style="dim"))


def calibration_text(r: Readiness) -> str:
    c = r.calibration
    if c is None:
        return _("Forecasts so far: none has met its answer yet.")
    b = c.brier
    return ngettext("Forecasts so far ({pairs} answer): Brier {forecast} against {running} for your running "
                    "accuracy and {constant} for a constant {base} (lower is better); calibration error {error}.",
                    "Forecasts so far ({pairs} answers): Brier {forecast} against {running} for your running "
                    "accuracy and {constant} for a constant {base} (lower is better); calibration error {error}.",
                    c.pairs).format(
        pairs=c.pairs, forecast=i18n.num(b["forecast"], ".3f"), running=i18n.num(b["running"], ".3f"),
        constant=i18n.num(b["constant"], ".3f"), base=percent(c.base_rate),
        error=i18n.num(c.calibration_error["forecast"], ".3f"))
