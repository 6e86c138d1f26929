"""At start-up: sessions left unfinished last time (a closed terminal, a killed process) to resume."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.i18n import N_, _
from quizapp.progress.db import StoreError
from quizapp.progress.records import SessionRecord
from quizapp.screens.launch import open_exam, open_practice, predictor_for
from quizapp.screens.translated import TranslatedBindings
from quizapp.study.exam import ExamSession
from quizapp.study.persist import ResumeError, resume_session


class ResumeScreen(TranslatedBindings, ModalScreen[None]):
    CSS_PATH = "resume.tcss"
    BINDINGS = [
        Binding("enter", "resume", N_("Resume"), priority=True),
        Binding("d", "discard", N_("Discard")),
        Binding("escape", "later", N_("Not now")),
    ]

    def __init__(self, records: list[SessionRecord]) -> None:
        super().__init__()
        self.records = list(records)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(_("Unfinished sessions"), id="title")
            yield Static(_("Every answer you gave is saved. Enter resumes, d discards, Esc decides later."), id="about")
            yield OptionList(*[Option(r.describe(), id=str(r.id)) for r in self.records], id="sessions")

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", OptionList)
        sessions.highlighted = 0
        sessions.focus()

    def _record(self) -> SessionRecord | None:
        index = self.query_one("#sessions", OptionList).highlighted
        return self.records[index] if index is not None and index < len(self.records) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_resume()

    def action_resume(self) -> None:
        record = self._record()
        if record is None:
            return
        app = self.app
        try:
            resumed = resume_session(app.store, record, app.catalog.packs, scheduler=app.scheduler,
                                     predictor=predictor_for(app))
        except (ResumeError, StoreError) as error:
            self.notify(_("This session cannot be resumed: {error}").format(error=error), severity="error", timeout=10)
            return
        pack = app.catalog.pack(record.pack_id) if record.pack_id else None
        pack = pack or app.catalog.pack(resumed.session.items[0].question.pack_id)
        self.dismiss()
        if resumed.message:
            app.notify(resumed.message, timeout=10)
        if isinstance(resumed.session, ExamSession):
            open_exam(app, resumed.session, pack, tracker=resumed.tracker)
        else:
            open_practice(app, resumed.session, pack, resumed.mode, tracker=resumed.tracker)

    def action_discard(self) -> None:
        record = self._record()
        if record is None:
            return
        try:
            self.app.store.abandon_session(record.id)
        except StoreError as error:
            self.notify(str(error), severity="error")
            return
        index = self.records.index(record)
        self.records.remove(record)
        self.query_one("#sessions", OptionList).remove_option_at_index(index)
        if not self.records:
            self.dismiss()

    def action_later(self) -> None:
        self.dismiss()
