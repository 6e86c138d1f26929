"""The forecast a session stores when it puts a question up, before the learner answers.

The tracker (study.persist) calls `Predictor.predict` for the question on screen and stores
the result with `Store.save_prediction`; the answer's own transaction pairs the two. The
calibration is fitted once, on the pairs stored before this session, so every stored
forecast is made from the past alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from fsrs.scheduler import DEFAULT_PARAMETERS

from question_bank.models import AnyQuestion, Pack
from quizapp.progress.db import Store
from quizapp.study.forecast.calibration import Calibration
from quizapp.study.forecast.model import Prediction, predict_pack, read_calibration, read_snapshot


class Predictor:
    def __init__(self, store: Store, packs: Iterable[Pack], parameters: Sequence[float] = DEFAULT_PARAMETERS) -> None:
        self.store = store
        self.packs = {p.id: p for p in packs}
        self.parameters = parameters
        self._calibration: Calibration | None = None

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = read_calibration(self.store)
        return self._calibration

    def predict(self, question: AnyQuestion, at: float) -> Prediction | None:
        """The forecast for `question` at `at` from what the store holds now; None when its pack
        is not loaded (or the question left it)."""
        return self.predict_many([question], at)[0]

    def predict_many(self, questions: Sequence[AnyQuestion], at: float) -> list[Prediction | None]:
        """Forecasts for several questions at once (an exam's), reading each pack once."""
        by_pack: dict[str, dict[str, Prediction]] = {}
        result: list[Prediction | None] = []
        for question in questions:
            pack = self.packs.get(question.pack_id)
            if pack is None:
                result.append(None)
                continue
            if pack.id not in by_pack:
                snapshot = read_snapshot(self.store, pack, self.calibration, self.parameters)
                by_pack[pack.id] = predict_pack(pack, snapshot, at)
            result.append(by_pack[pack.id].get(question.key))
        return result
