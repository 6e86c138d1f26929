"""Markdown drawn by rich inside one Static: much cheaper to mount than Textual's Markdown
widget (one widget instead of one per block), which keeps the first question quick."""
from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static


class MarkdownText(Static):
    def __init__(self, source: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""
        self.set_markdown(source)

    def set_markdown(self, source: str) -> None:
        self.source = source
        self.update(Markdown(source, hyperlinks=False) if source else "")
