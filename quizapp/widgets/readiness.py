"""The home screen's exam-readiness line: the forecast for the selected pack, computed in a thread
worker so the home screen never waits for it (the forecast modules load there, not at start-up)."""
from __future__ import annotations

from textual import work
from textual.widgets import Static
from textual.worker import get_current_worker

from question_bank.models import Pack
from quizapp.progress.db import StoreError


class ReadinessLine(Static):
    DEFAULT_CSS = """
    ReadinessLine {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show_pack(self, pack: Pack | None) -> None:
        """Forecast `pack` (None: clear the line). A newer call replaces a forecast still running."""
        store, scheduler = getattr(self.app, "store", None), getattr(self.app, "scheduler", None)
        if pack is None or store is None or scheduler is None or not pack.questions:
            self.update("")
            return
        self._forecast(pack)

    @work(thread=True, exclusive=True, group="readiness")
    def _forecast(self, pack: Pack) -> None:
        from quizapp.study.forecast.model import forecast_pack, read_snapshot
        from quizapp.study.forecast.report import score_line

        scheduler = self.app.scheduler
        try:
            snapshot = read_snapshot(self.app.store, pack, parameters=scheduler.fsrs.parameters)
            text = score_line(forecast_pack(pack, snapshot, scheduler.clock.time()))
        except StoreError:
            text = ""
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.update, text)
