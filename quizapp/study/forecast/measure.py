"""How honest the stored forecasts were: Brier score and reliability against two baselines.

Every pair is a forecast stored before an answer and that answer's outcome. The baselines
are measured on the same pairs:
- running: the learner's running accuracy in the pack when the question came up,
  (right + 1)/(answers + 2), stored with the forecast;
- constant: the share of right answers over all the pairs, one number for every pair
  (the best constant there is, known only in hindsight, so a hard baseline to beat).

Brier score: the mean of (forecast − outcome)², outcome 1 for right, 0 for wrong; lower is
better. Calibration error: the reliability table's |mean forecast − share right| averaged
over its bins, weighted by their pairs.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from quizapp.progress.records import PredictionPair

BINS = 10  # reliability bins of width 0.1


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_forecast: float | None  # None for an empty bin
    observed: float | None       # share right among its pairs


@dataclass(frozen=True)
class CalibrationReport:
    pairs: int
    base_rate: float                          # share right over the pairs: the constant baseline
    brier: dict[str, float]                   # forecast, running, constant
    calibration_error: dict[str, float]       # forecast, running, constant
    reliability: tuple[ReliabilityBin, ...]   # the forecast's


def brier(forecasts: Sequence[float], outcomes: Sequence[bool]) -> float:
    return sum((p - y) ** 2 for p, y in zip(forecasts, outcomes)) / len(outcomes)


def reliability(forecasts: Sequence[float], outcomes: Sequence[bool], bins: int = BINS) -> tuple[ReliabilityBin, ...]:
    """Pairs grouped by forecast into `bins` equal bins of [0, 1] (1.0 falls in the last)."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for p, y in zip(forecasts, outcomes):
        groups[min(int(p * bins), bins - 1)].append((p, y))
    return tuple(ReliabilityBin(i / bins, (i + 1) / bins, len(g),
                                sum(p for p, _ in g) / len(g) if g else None,
                                sum(y for _, y in g) / len(g) if g else None) for i, g in enumerate(groups))


def calibration_error(forecasts: Sequence[float], outcomes: Sequence[bool], bins: int = BINS) -> float:
    table = reliability(forecasts, outcomes, bins)
    return sum(b.count * abs(b.mean_forecast - b.observed) for b in table if b.count) / len(outcomes)


def calibration_report(pairs: Sequence[PredictionPair]) -> CalibrationReport | None:
    """None when there is no pair yet."""
    if not pairs:
        return None
    outcomes = [p.correct for p in pairs]
    base_rate = sum(outcomes) / len(outcomes)
    series = {"forecast": [p.probability for p in pairs], "running": [p.running for p in pairs],
              "constant": [base_rate] * len(pairs)}
    return CalibrationReport(len(pairs), base_rate, {k: brier(v, outcomes) for k, v in series.items()},
                             {k: calibration_error(v, outcomes) for k, v in series.items()},
                             reliability(series["forecast"], outcomes))
