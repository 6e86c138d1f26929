"""The home screen's exam-readiness line: the forecast for the selected pack, computed in a thread
worker so the home screen never waits for it (the forecast modules load there, not at start-up)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Static
from textual.worker import get_current_worker

from quizapp.progress.db import StoreError

if TYPE_CHECKING:
    from question_bank.models import Pack


WORKER_NAME = "readiness"  # Textual's name for the worker in its debug output, never shown to the learner


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
        # After the screen's next paint: the forecast's modules load and, for a big pack, its work runs
        # in the thread, which held up the first paint of the home screen while both wanted the GIL.
        self.call_after_refresh(self._forecast, pack)

    # A description of its own: Textual would describe the worker by repr() of its arguments, and the
    # repr of a 10,000-question pack took the UI thread a quarter of a second.
    @work(thread=True, exclusive=True, group="readiness", description=WORKER_NAME)
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
