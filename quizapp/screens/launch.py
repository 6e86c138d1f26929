"""Starting a session from the home screen or a resume offer: attach the recorder, open its screen."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

from question_bank.models import Pack
from quizapp.i18n import _
from quizapp.progress.db import StoreError
from quizapp.study.exam import ExamSession
from quizapp.study.persist import Tracker, track_exam, track_practice
from quizapp.study.practice import PracticeSession

if TYPE_CHECKING:
    from quizapp.study.forecast.predictor import Predictor


def predictor_for(app: App) -> Predictor | None:
    """What stores the exam forecast before each answer (loaded when a session starts, not at start-up)."""
    if app.store is None or app.scheduler is None:
        return None
    from quizapp.study.forecast.predictor import Predictor
    return Predictor(app.store, app.catalog.packs, app.scheduler.fsrs.parameters)


def open_practice(app: App, session: PracticeSession, pack: Pack, mode: str = "practice",
                  settings: dict[str, Any] | None = None, tracker: Tracker | None = None) -> None:
    """practice, review and drill share the question screen; every answer is committed as given."""
    if tracker is None and app.store is not None:
        try:
            tracker = track_practice(app.store, session, mode, settings, app.scheduler, pack_id=pack.id,
                                     pack_version=pack.version, predictor=predictor_for(app))
        except StoreError as error:
            app.notify(_("This session will not be saved: {error}").format(error=error), severity="error", timeout=10)
    from quizapp.screens.question import QuestionScreen
    app.push_screen(QuestionScreen(session, pack, app.language, tracker, mode))


def open_exam(app: App, exam: ExamSession, pack: Pack, settings: dict[str, Any] | None = None,
              tracker: Tracker | None = None) -> None:
    if tracker is None and app.store is not None:
        try:
            tracker = track_exam(app.store, exam, settings, app.scheduler, pack_id=pack.id,
                                 pack_version=pack.version, predictor=predictor_for(app))
        except StoreError as error:
            app.notify(_("This exam will not be saved: {error}").format(error=error), severity="error", timeout=10)
    from quizapp.screens.exam import ExamScreen
    app.push_screen(ExamScreen(exam, pack, app.language, tracker))
