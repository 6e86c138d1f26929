"""A bare app that shows one lab (or the menu): for `python -m quizapp.labs`, tests and benchmarks."""
from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from quizapp import engine_process


class LabHost(App[None]):
    """Shows `screen` over an empty base screen; Escape on the lab returns to that empty screen."""

    CSS = "Screen { background: $surface; }"

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.lab = screen

    def on_mount(self) -> None:
        # As QuizApp: the torch probes beside the UI thread, not in it.
        engine_process.use_process(engine_process.wanted(self.is_headless))
        self.push_screen(self.lab)

    def on_unmount(self) -> None:
        engine_process.close()
