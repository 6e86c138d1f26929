"""The exam forecast: per question, per topic, and for a mock exam as the app would draw it.

Per question, at the moment `at`:
- the topic estimate `prior`: the pack's difficulty prior (memory.difficulty_prior) moved, in
  logit space, by how the learner did on their first attempts at questions: across the pack,
  shrunk toward the difficulty prior by PACK_WEIGHT pseudo-answers, then within the topic,
  shrunk toward that pack level by TOPIC_WEIGHT pseudo-answers;
- a question never answered is forecast from its prior; a seen one from its FSRS
  retrievability R at `at` together with its prior; the calibration turns them into a probability.

The exam: a mock exam draws min(20, questions) questions round-robin over the topics
(study.exam.draw_per_topic), so topic t brings c_t of the n questions (exam_allocation), each
of its questions equally likely. The forecast is the expected score Σ_t c_t · mean_t(p) / n,
and its 80 % range mean ± 1.28 sd (clipped to 0–1), the variance of the score being the sum of
- luck, the answers' Bernoulli variance: Σ_t c_t · mean_t(p(1 − p)) / n²;
- the draw, which of a topic's questions come up: Σ_t c_t · var_t(p) · (s_t − c_t)/(s_t − 1) / n²;
- what the model does not know yet: each topic's mean m_t is as uncertain as a rate seen on its
  N_t answers, m_t(1 − m_t)/(N_t + TOPIC_WEIGHT + 1), weighted (c_t/n)², plus the pack level,
  M(1 − M)/(N + PACK_WEIGHT + 1) on all N answers, shared by every topic.
The last term shrinks as answers come in, so the range narrows toward luck and the draw.
Per topic, the statistics screen shows m_t with the range of the last term alone.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from fsrs.scheduler import DEFAULT_PARAMETERS

from question_bank.models import AnyQuestion, Pack
from quizapp.i18n import shown_title
from quizapp.progress.db import Store
from quizapp.progress.records import AnswerRecord, PredictionPair
from quizapp.study.exam import DEFAULT_EXAM_QUESTIONS
from quizapp.study.forecast.calibration import Calibration, logit, sigmoid
from quizapp.study.forecast.memory import difficulty_prior, retrievability

PACK_WEIGHT = 4.0    # pseudo-answers holding the learner's pack-wide record at the difficulty prior
TOPIC_WEIGHT = 4.0   # pseudo-answers holding a topic's record at the learner's pack level
LEVEL = 0.8          # the forecast ranges are central 80 % ranges
Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)


@dataclass(frozen=True)
class Snapshot:
    """What the model reads from the progress store at one moment, for one pack."""
    answers: tuple[AnswerRecord, ...]            # the counting answers to the pack's questions, oldest first
    cards: Mapping[str, Mapping[str, Any]]       # question key → its FSRS card (fsrs.Card.to_dict())
    calibration: Calibration = field(default_factory=Calibration)
    parameters: Sequence[float] = DEFAULT_PARAMETERS


CALIBRATION_PAIRS = 2000  # the latest pairs the calibration is fitted on: recent habits, bounded time


def read_calibration(store: Store) -> Calibration:
    """The calibration fitted on this learner's latest stored (forecast, outcome) pairs."""
    return fit_calibration(store.prediction_pairs())


def fit_calibration(pairs: Sequence[PredictionPair]) -> Calibration:
    return Calibration.fit((p.retrievability, p.prior, p.correct) for p in pairs[-CALIBRATION_PAIRS:])


def read_snapshot(store: Store, pack: Pack, calibration: Calibration | None = None,
                  parameters: Sequence[float] = DEFAULT_PARAMETERS) -> Snapshot:
    keys = [q.key for q in pack.questions]
    answers = tuple(store.answers(keys))
    cards = {k: c.card for k, c in store.cards(keys).items()}
    return Snapshot(answers, cards, calibration if calibration is not None else read_calibration(store), parameters)


@dataclass(frozen=True)
class Prediction:
    question_key: str
    probability: float            # of a right answer at `at`
    retrievability: float | None  # FSRS R at `at`; None: never reviewed
    prior: float                  # the topic estimate for this question
    running: float                # baseline: the learner's running accuracy in the pack, (right + 1)/(answers + 2)

    @property
    def seen(self) -> bool:
        return self.retrievability is not None


@dataclass(frozen=True)
class Estimate:
    mean: float  # fractions of 1
    low: float
    high: float


@dataclass(frozen=True)
class TopicForecast:
    topic: str
    title: str
    questions: int
    never_seen: int     # questions never answered
    answers: int        # counting answers in the topic: the evidence
    expected: Estimate  # the expected share of the topic's questions answered right, with its range
    exam_share: float   # the share of a mock exam's questions this topic gets

    @property
    def started(self) -> bool:
        return self.answers > 0


@dataclass(frozen=True)
class PackForecast:
    pack_id: str
    at: float
    exam_questions: int
    score: Estimate                  # the mock exam score, with its 80 % range
    topics: tuple[TopicForecast, ...]
    answers: int                     # counting answers in the pack

    @property
    def weakest(self) -> TopicForecast | None:
        """The started topic with the lowest forecast (an unstarted topic is new, not weak)."""
        started = [t for t in self.topics if t.started]
        return min(started, key=lambda t: (t.expected.mean, t.topic)) if started else None


# -- per question -----------------------------------------------------------------------------

def topic_ids(pack: Pack) -> list[str]:
    """The pack's topics in order, then topics its questions name that it does not list."""
    listed = [t.id for t in pack.topics]
    return listed + sorted({q.topic for q in pack.questions} - set(listed))


def _first_attempts(answers: Iterable[AnswerRecord]) -> dict[str, bool]:
    first: dict[str, bool] = {}
    for a in answers:
        first.setdefault(a.question_key, a.correct)
    return first


def _shift(right: float, n: int, expected: float, weight: float) -> float:
    """How far, in logit, a record of `right` of `n` sits from `expected`, after `weight` pseudo-answers at it."""
    rate = (right + weight * expected) / (n + weight)
    return logit(rate) - logit(expected)


def topic_estimates(pack: Pack, answers: Sequence[AnswerRecord]) -> dict[str, float]:
    """Question key → its topic estimate: the difficulty prior shifted by the learner's first attempts,
    pack-wide and within the topic (see the module docstring)."""
    first = _first_attempts(answers)
    base = {q.key: logit(difficulty_prior(q)) for q in pack.questions}
    tried = [q for q in pack.questions if q.key in first]
    pool = tried or list(pack.questions)
    expected = sum(sigmoid(base[q.key]) for q in pool) / max(len(pool), 1)
    pack_shift = _shift(sum(first[q.key] for q in tried), len(tried), expected, PACK_WEIGHT)
    shifts: dict[str, float] = {}
    for topic in topic_ids(pack):
        topic_tried = [q for q in tried if q.topic == topic]
        if not topic_tried:
            shifts[topic] = pack_shift
            continue
        topic_expected = sum(sigmoid(base[q.key] + pack_shift) for q in topic_tried) / len(topic_tried)
        shifts[topic] = pack_shift + _shift(sum(first[q.key] for q in topic_tried), len(topic_tried),
                                            topic_expected, TOPIC_WEIGHT)
    return {q.key: sigmoid(base[q.key] + shifts[q.topic]) for q in pack.questions}


def running_accuracy(answers: Sequence[AnswerRecord]) -> float:
    return (sum(a.correct for a in answers) + 1) / (len(answers) + 2)


def predict_pack(pack: Pack, snapshot: Snapshot, at: float) -> dict[str, Prediction]:
    """Question key → its forecast at `at`, for every question of the pack."""
    priors = topic_estimates(pack, snapshot.answers)
    running = running_accuracy(snapshot.answers)
    result = {}
    for q in pack.questions:
        card = snapshot.cards.get(q.key)
        r = retrievability(card, at, snapshot.parameters) if card is not None else None
        result[q.key] = Prediction(q.key, snapshot.calibration.probability(r, priors[q.key]), r, priors[q.key],
                                   running)
    return result


def predict(question: AnyQuestion, pack: Pack, snapshot: Snapshot, at: float) -> Prediction:
    return predict_pack(pack, snapshot, at)[question.key]


# -- the exam ---------------------------------------------------------------------------------

def exam_allocation(sizes: Mapping[str, int], count: int) -> dict[str, float]:
    """The expected number of questions per topic in a mock exam of `count` questions drawn
    round-robin over topics of these sizes (study.exam.draw_per_topic): each topic gets
    min(size, L) with one level L for all, fractional where a last round reaches only some."""
    remaining = float(min(count, sum(sizes.values())))
    allocation: dict[str, float] = {}
    open_topics = sorted((t for t in sizes if sizes[t] > 0), key=lambda t: sizes[t])
    while open_topics:
        level = remaining / len(open_topics)
        topic = open_topics[0]
        if sizes[topic] <= level:
            allocation[topic] = float(sizes[topic])
            remaining -= sizes[topic]
            open_topics.pop(0)
        else:
            for t in open_topics:
                allocation[t] = level
            break
    return {t: allocation.get(t, 0.0) for t in sizes}


def _rate_variance(mean: float, evidence: int, weight: float) -> float:
    return mean * (1 - mean) / (evidence + weight + 1)


def _range(mean: float, variance: float) -> Estimate:
    sd = math.sqrt(max(variance, 0.0))
    return Estimate(mean, max(0.0, mean - Z * sd), min(1.0, mean + Z * sd))


def forecast_pack(pack: Pack, snapshot: Snapshot, at: float,
                  exam_questions: int = DEFAULT_EXAM_QUESTIONS) -> PackForecast:
    predictions = predict_pack(pack, snapshot, at)
    n = min(exam_questions, len(pack.questions))
    by_topic: dict[str, list[AnyQuestion]] = {}
    for q in pack.questions:
        by_topic.setdefault(q.topic, []).append(q)
    ids = [t for t in topic_ids(pack) if by_topic.get(t)]
    allocation = exam_allocation({t: len(by_topic[t]) for t in ids}, n)
    answered = {a.question_key for a in snapshot.answers}
    evidence: dict[str, int] = {}
    topic_of = {q.key: q.topic for q in pack.questions}
    for a in snapshot.answers:
        evidence[topic_of[a.question_key]] = evidence.get(topic_of[a.question_key], 0) + 1

    means = {t: sum(predictions[q.key].probability for q in by_topic[t]) / len(by_topic[t]) for t in ids}
    score = sum(allocation[t] * means[t] for t in ids) / n if n else 0.0
    pack_variance = _rate_variance(score, len(snapshot.answers), PACK_WEIGHT)
    luck = draw = unknown = 0.0
    topics = []
    for t in ids:
        ps = [predictions[q.key].probability for q in by_topic[t]]
        size, c, m = len(ps), allocation[t], means[t]
        luck += c * sum(p * (1 - p) for p in ps) / size
        if size > 1:
            draw += c * (sum((p - m) ** 2 for p in ps) / size) * (size - c) / (size - 1)
        topic_variance = _rate_variance(m, evidence.get(t, 0), TOPIC_WEIGHT)
        unknown += c * c * topic_variance
        topic = pack.topic(t)
        topics.append(TopicForecast(t, shown_title(topic) if topic else t, size,
                                    sum(1 for q in by_topic[t] if q.key not in answered), evidence.get(t, 0),
                                    _range(m, topic_variance + pack_variance), c / n if n else 0.0))
    variance = (luck + draw + unknown) / (n * n) + pack_variance if n else 0.0
    return PackForecast(pack.id, at, n, _range(score, variance), tuple(topics), len(snapshot.answers))
