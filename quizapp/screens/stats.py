"""Statistics: exam readiness for the selected pack (forecast, study next, charts), then per pack
and topic (seen, accuracy, trend, due): the same tables as `quizapp stats`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from question_bank.models import Pack
from quizapp.catalog import Catalog
from quizapp.i18n import N_, _, shown_title
from quizapp.screens.translated import TranslatedBindings
from quizapp.progress.db import StoreError
from quizapp.study.forecast.history import DailyHistory, daily_history, due_per_day
from quizapp.study.forecast.model import read_snapshot
from quizapp.study.forecast.report import (Readiness, calibration_text, collect_readiness, forecast_table,
                                           score_line, suggestion_line)
from quizapp.study.stats import collect_stats, render_stats
from quizapp.widgets.footer import KeyFooter


@dataclass(frozen=True)
class Charts:
    history: DailyHistory
    due_days: tuple[date, ...]
    due_counts: tuple[int, ...]


class StatsScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("escape,s", "back", N_("Back")),
        Binding("n", "study_next", N_("Study next")),
        Binding("q", "questions", N_("Per question")),
    ]

    def __init__(self, catalog: Catalog, pack_id: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.pack_id = pack_id if pack_id and catalog.summary(pack_id) else catalog.largest_id()
        self.per_question = False
        self.readiness: Readiness | None = None

    @property
    def pack(self) -> Pack | None:
        return self.catalog.pack(self.pack_id) if self.pack_id else None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static(id="readiness")
            yield Static(id="forecast-table")
            yield Label(_("Exam forecast over time, with its 80 % range"), classes="chart-title")
            yield PlotextPlot(id="forecast-chart", classes="chart")
            yield Label(_("Accuracy over time: each topic's last 20 answers"), classes="chart-title")
            yield PlotextPlot(id="accuracy-chart", classes="chart")
            yield Label(_("Reviews due per day, next 30 days"), classes="chart-title")
            yield PlotextPlot(id="due-chart", classes="chart")
            yield Static(id="tables")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_all()
        self.query_one("#body").focus()

    def on_screen_resume(self) -> None:  # back from a drill: everything has moved
        self.refresh_all()

    def refresh_all(self) -> None:
        try:
            stats = collect_stats(self.app.store, self.catalog.packs)
        except StoreError as error:
            self.query_one("#tables", Static).update(_("The statistics could not be read: {error}").format(error=error))
            return
        self.query_one("#tables", Static).update(render_stats(stats, questions=self.per_question))
        if self.readiness is None:
            self._show_message("Working out your exam forecast…")
        self._load_readiness(stats.generated_at)

    @work(thread=True, exclusive=True, group="readiness")
    def _load_readiness(self, now: float) -> None:
        """The forecast replays the history day by day: a thread worker, so the screen never waits."""
        store, parameters = self.app.store, self.app.scheduler.fsrs.parameters
        try:
            readiness = collect_readiness(store, self.catalog.packs, now, parameters)
            charts = None
            if self.pack is not None:
                snapshot = read_snapshot(store, self.pack, readiness.model, parameters)
                days, counts = due_per_day(snapshot, now)
                charts = Charts(daily_history(self.pack, snapshot, store.review_logs(), now), days, counts)
        except StoreError as error:
            message = _("The exam forecast could not be read: {error}").format(error=error)
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_message, message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_readiness, readiness, charts)

    def _show_message(self, message: str) -> None:
        self.query_one("#readiness", Static).update(message)

    def _show_readiness(self, readiness: Readiness, charts: Charts | None) -> None:
        self.readiness = readiness
        if charts is not None:
            self._draw(charts)
        ready = readiness.pack(self.pack_id) if self.pack_id else None
        head = self.query_one("#readiness", Static)
        if ready is None:
            head.update(_("No pack with questions is selected."))
            return
        head.update(Text.assemble((shown_title(self.pack), "bold"), "\n", score_line(ready.forecast), "\n",
                                  suggestion_line(ready.suggestion, "n" if ready.suggestion else ""), "\n",
                                  (calibration_text(self.readiness), "dim")))
        self.query_one("#forecast-table", Static).update(forecast_table(ready.forecast))

    def _draw(self, charts: Charts) -> None:
        history = charts.history
        labels = [d.strftime(_("%d/%m")) for d in history.days]  # the language's short date: 02/12, 02.12.
        xs = list(range(len(history.days)))
        ticks = xs[::max(1, len(xs) // 6)]

        plt = self.query_one("#forecast-chart", PlotextPlot).plt
        plt.clear_data()
        plt.clear_figure()
        plt.plot(xs, [100 * e.mean for e in history.forecast], label=_("forecast"), marker="braille")
        plt.plot(xs, [100 * e.low for e in history.forecast], label=_("80 % range"), marker="·", color="gray")
        plt.plot(xs, [100 * e.high for e in history.forecast], marker="·", color="gray")
        _percent_axis(plt)
        plt.xticks(ticks, [labels[i] for i in ticks])

        plt = self.query_one("#accuracy-chart", PlotextPlot).plt
        plt.clear_data()
        plt.clear_figure()
        pack = self.pack
        for topic, series in history.accuracy.items():
            points = [(x, 100 * v) for x, v in zip(xs, series) if v is not None]
            if points:
                title = shown_title(pack.topic(topic)) if pack and pack.topic(topic) else topic
                plt.plot([x for x, _ in points], [y for _, y in points], label=_short(title), marker="braille")
        _percent_axis(plt)
        plt.xlim(0, max(xs[-1], 1))
        plt.xticks(ticks, [labels[i] for i in ticks])

        plt = self.query_one("#due-chart", PlotextPlot).plt
        plt.clear_data()
        plt.clear_figure()
        ahead = list(range(len(charts.due_counts)))
        plt.bar(ahead, list(charts.due_counts), marker="sd", width=0.6)
        plt.xticks(ahead[::5], [d.strftime(_("%d/%m")) for d in charts.due_days[::5]])
        top = max(charts.due_counts, default=0)
        step = max(1, -(-top // 4))
        plt.yticks(list(range(0, top + step, step)))
        for plot in self.query(PlotextPlot):
            plot.refresh()

    def action_study_next(self) -> None:
        ready = self.readiness.pack(self.pack_id) if self.readiness and self.pack_id else None
        pack = self.pack
        if self.readiness is None:
            self.notify(_("The forecast is still being worked out; try again in a moment."))
            return
        if ready is None or ready.suggestion is None or pack is None:
            self.notify(_("No topic to suggest: nothing would raise the forecast now."))
            return
        from quizapp.screens.launch import open_practice
        from quizapp.study.drill import draw_topic_drill
        from quizapp.study.practice import PracticeSession

        suggestion = ready.suggestion
        seed = self.app.options.seed
        drawn = draw_topic_drill(self.app.store, pack, suggestion.topic, suggestion.questions, seed)
        session = PracticeSession.start(drawn, None, None, seed)
        open_practice(self.app, session, pack, "drill", {"topics": [suggestion.topic], "count": len(drawn),
                                                         "study_next": True})

    def action_questions(self) -> None:
        self.per_question = not self.per_question
        self.refresh_all()

    def action_back(self) -> None:
        self.app.pop_screen()


def _percent_axis(plt) -> None:
    plt.ylim(0, 100)
    plt.yticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"])


def _short(title: str, most: int = 22) -> str:
    return title if len(title) <= most else title[:most - 1] + "…"
