"""How honest the exam forecast is, on simulated learners whose memory we know.

Each learner has an ability, a strength per topic, and answers a pack of questions whose
difficulties are known to the simulation (the pack's difficulty field is a noisy rounding of
them). Before studying, a learner knows a question with probability σ(ability + topic − difficulty);
every answer shows the right one, after which it is remembered with an exponential forgetting
curve exp(−days / strength): strength starts at a day or so (longer for abler learners, shorter
for harder questions), grows after each right answer and shrinks after a wrong one. A right
answer comes from knowing or remembering, or else from a guess among the choices.

Learners study on about five days a week for several weeks, through the real study logic and a
fake clock: review sessions of the questions FSRS says are due, practice sessions, drills of
weak topics, each tracked by study.persist with the forecast stored before every answer. At the
end each learner sits a mock exam drawn like the app's.

Printed: Brier score and calibration error of the stored forecasts against the two baselines of
`quizapp stats --json` (running accuracy; the learners' own share right as a constant), pooled
over all learners' pairs; how close the forecast of the final mock exam came to the simulated
score, and how often the score fell in the forecast's 80 % range. The last line reads
`brier forecast=F running=R constant=C`.

    python benchmarks/bench_forecast.py [--learners 16] [--days 35] [--seed 1]
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from fsrs import Scheduler  # noqa: E402

from question_bank.models import Choice, Pack, Question, Topic  # noqa: E402
from quizapp.progress.db import Store, open_store  # noqa: E402
from quizapp.study.clock import FakeClock  # noqa: E402
from quizapp.study.drill import draw_drill  # noqa: E402
from quizapp.study.exam import DEFAULT_EXAM_QUESTIONS, ExamSession  # noqa: E402
from quizapp.study.forecast.measure import brier, calibration_error  # noqa: E402
from quizapp.study.forecast.model import forecast_pack, read_snapshot  # noqa: E402
from quizapp.study.forecast.predictor import Predictor  # noqa: E402
from quizapp.study.persist import track_exam, track_practice  # noqa: E402
from quizapp.study.practice import Item, PracticeSession  # noqa: E402
from quizapp.study.review import ReviewScheduler  # noqa: E402

DAY = 86400.0
TOPICS = ("tokens", "embeddings", "attention", "training", "rl", "ppo")
PER_TOPIC = 12
SESSION_QUESTIONS = 12


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass
class World:
    """The pack and the true difficulty of each question (hidden from the app)."""
    pack: Pack
    difficulty: dict[str, float]


def make_world(rng: random.Random) -> World:
    questions, difficulty = [], {}
    topic_bias = {t: rng.gauss(0, 0.4) for t in TOPICS}
    for t in TOPICS:
        for i in range(PER_TOPIC):
            qid = f"{t}-{i}"
            beta = topic_bias[t] + rng.gauss(0, 0.9)
            multiple = i % 6 == 5
            correct = {0, 1} if multiple else {0}
            choices = tuple(Choice(f"{qid} choice {c}", correct=c in correct) for c in range(4))
            field_value = min(5, max(1, round(3 + 1.2 * beta + rng.gauss(0, 0.6))))  # an author's rough guess
            questions.append(Question("sim", qid, t, "multiple" if multiple else "single", f"{qid}?", choices,
                                      difficulty=field_value))
            difficulty[f"sim/{qid}"] = beta
    pack = Pack("sim", "Simulated pack", topics=tuple(Topic(t, t.capitalize()) for t in TOPICS),
                questions=tuple(questions))
    return World(pack, difficulty)


@dataclass
class Learner:
    """Known memory: what the app tries to forecast."""
    world: World
    rng: random.Random
    ability: float = 0.0
    topic_skill: dict[str, float] = field(default_factory=dict)
    strength: dict[str, float] = field(default_factory=dict)      # days
    last_seen: dict[str, float] = field(default_factory=dict)     # Unix seconds

    @classmethod
    def draw(cls, world: World, rng: random.Random) -> Learner:
        return cls(world, rng, rng.gauss(0, 0.8), {t: rng.gauss(0, 0.5) for t in TOPICS})

    def p_right(self, question: Question, now: float) -> float:
        key = question.key
        knows = sigmoid(self.ability + self.topic_skill[question.topic] - self.world.difficulty[key] - 0.3)
        if key in self.last_seen:
            recall = math.exp(-(now - self.last_seen[key]) / DAY / self.strength[key])
            knows = 1 - (1 - knows) * (1 - recall)
        guess = 1 / 15 if question.type == "multiple" else 1 / 4
        return guess + (1 - guess) * knows

    def seconds(self, question: Question) -> float:
        return max(5.0, self.rng.gauss(25 + 8 * self.world.difficulty[question.key] - 5 * self.ability, 8))

    def learn(self, question: Question, correct: bool, now: float) -> None:
        """Seeing the answer and its explanation: remembered from now on, better after a right answer."""
        key = question.key
        if key not in self.strength:
            self.strength[key] = math.exp(0.4 * self.ability - 0.4 * self.world.difficulty[key])
        elif correct:
            self.strength[key] *= 2.5 * math.exp(0.2 * self.ability)
        else:
            self.strength[key] = max(0.3, self.strength[key] * 0.5)
        self.last_seen[key] = now

    def pick(self, item: Item, correct: bool) -> frozenset[int]:
        right = item.correct_positions
        if correct:
            return right
        wrong = [p for p in range(len(item.order)) if p not in right]
        return frozenset({self.rng.choice(wrong)}) if item.question.type == "single" else \
            frozenset({self.rng.choice(wrong), *list(right)[:1]})


def run_session(store: Store, scheduler: ReviewScheduler, learner: Learner, session: PracticeSession,
                mode: str, clock: FakeClock) -> None:
    predictor = Predictor(store, [learner.world.pack], scheduler.fsrs.parameters)
    tracker = track_practice(store, session, mode, {}, scheduler, predictor=predictor)
    while not session.finished:
        item = session.show()  # the tracker stores the forecast now, before the answer
        correct = learner.rng.random() < learner.p_right(item.question, clock.time())
        clock.advance(learner.seconds(item.question))
        session.answer(learner.pick(item, correct))
        learner.learn(item.question, correct, clock.time())
        clock.advance(learner.rng.uniform(5, 30))  # reading the explanation
    tracker.finish(session.summary())


def study_day(store: Store, scheduler: ReviewScheduler, learner: Learner, clock: FakeClock, seed: int) -> None:
    pack, rng = learner.world.pack, learner.rng
    due = scheduler.draw_review(pack.questions, limit=SESSION_QUESTIONS)
    if due and rng.random() < 0.6:
        run_session(store, scheduler, learner, PracticeSession.start(due, seed=seed, clock=clock), "review", clock)
    if rng.random() < 0.25:
        drawn = draw_drill(store, pack, count=SESSION_QUESTIONS, seed=seed)
        if drawn:
            run_session(store, scheduler, learner, PracticeSession.start(drawn, seed=seed, clock=clock), "drill", clock)
            return
    session = PracticeSession.start(pack.questions, None, SESSION_QUESTIONS, seed=seed, clock=clock)
    run_session(store, scheduler, learner, session, "practice", clock)


@dataclass
class Outcome:
    pairs: list  # PredictionPair
    forecast: float
    low: float
    high: float
    score: float     # the simulated mock exam's score
    expected: float  # the learner's true expected score on the drawn questions


def simulate(index: int, world: World, days: int, seed: int, folder: Path) -> Outcome:
    rng = random.Random(seed * 1000 + index)
    learner = Learner.draw(world, rng)
    clock = FakeClock()
    with open_store(folder / f"learner-{index}.sqlite3") as store:
        scheduler = ReviewScheduler(store, clock, Scheduler(enable_fuzzing=False))
        for day in range(days):
            clock.advance(DAY - (clock.time() % DAY) + rng.uniform(7, 21) * 3600)  # some hour of the next day
            if rng.random() < 5 / 7:
                study_day(store, scheduler, learner, clock, seed=rng.randrange(10**9))
        clock.advance(rng.uniform(1, 3) * DAY)  # the exam comes a day or so after the last session
        pack = world.pack
        forecast = forecast_pack(pack, read_snapshot(store, pack, parameters=scheduler.fsrs.parameters), clock.time())
        exam = ExamSession.start(pack.questions, None, DEFAULT_EXAM_QUESTIONS, seed=rng.randrange(10**9), clock=clock)
        track_exam(store, exam, {}, scheduler, predictor=Predictor(store, [pack], scheduler.fsrs.parameters))
        truth = []
        for i, item in enumerate(exam.items):
            exam.goto(i)
            p = learner.p_right(item.question, clock.time())
            truth.append(p)
            exam.set_answer(learner.pick(item, rng.random() < p))
            clock.advance(learner.seconds(item.question))
        result = exam.submit()
        return Outcome(store.prediction_pairs(), forecast.score.mean, forecast.score.low, forecast.score.high,
                       result.right / result.total, sum(truth) / len(truth))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=16)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    world = make_world(random.Random(args.seed))
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None  # no fsync per answer on a RAM disk
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        outcomes = [simulate(i, world, args.days, args.seed, Path(tmp)) for i in range(args.learners)]

    forecast, running, constant, outcomes_all = [], [], [], []
    for o in outcomes:
        rate = sum(p.correct for p in o.pairs) / len(o.pairs)
        forecast += [p.probability for p in o.pairs]
        running += [p.running for p in o.pairs]
        constant += [rate] * len(o.pairs)  # each learner's own share right, as `quizapp stats` measures it
        outcomes_all += [p.correct for p in o.pairs]
    n = len(outcomes_all)
    print(f"{args.learners} learners, {args.days} days, {len(world.pack.questions)} questions, {n} forecast/answer pairs")
    print(f"share right: {sum(outcomes_all) / n:.3f}")
    for name, series in (("forecast", forecast), ("running", running), ("constant", constant)):
        print(f"  {name:9s} brier {brier(series, outcomes_all):.4f}   calibration error "
              f"{calibration_error(series, outcomes_all):.4f}")
    errors = [abs(o.forecast - o.score) for o in outcomes]
    errors_true = [abs(o.forecast - o.expected) for o in outcomes]
    covered = sum(o.low <= o.score <= o.high for o in outcomes)
    width = sum(o.high - o.low for o in outcomes) / len(outcomes)
    print(f"final mock exam ({DEFAULT_EXAM_QUESTIONS} questions): forecast vs simulated score: mean |error| "
          f"{100 * sum(errors) / len(errors):.1f} points; vs the learner's true expected score "
          f"{100 * sum(errors_true) / len(errors_true):.1f} points; score inside the 80 % range for "
          f"{covered} of {len(outcomes)} (mean width {100 * width:.0f} points)")
    for o in outcomes:
        print(f"  forecast {100 * o.forecast:5.1f} % ({100 * o.low:.0f}–{100 * o.high:.0f})  simulated "
              f"{100 * o.score:5.1f} %  true expected {100 * o.expected:5.1f} %")
    print(f"brier forecast={brier(forecast, outcomes_all):.4f} running={brier(running, outcomes_all):.4f} "
          f"constant={brier(constant, outcomes_all):.4f}")


if __name__ == "__main__":
    main()
