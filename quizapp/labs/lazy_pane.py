"""A tab whose widgets are built when it is first shown.

The PPO lab has five tabs of some sixty widgets. Built all at once, while a
question's PPO step was already computing in a thread, they held the UI thread
(and the GIL the probe needs) for about half a second; a lab opens on one tab
and most learners never visit the others.
"""
from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.widgets import TabPane


class LazyPane(TabPane):
    def __init__(self, title: str, content: Callable[[], ComposeResult], *, id: str, lazy: bool = True) -> None:
        """`content` yields the pane's widgets as a compose method would; `lazy=False` builds them at once."""
        super().__init__(title, id=id)
        self._content = content
        self.filled = not lazy

    def compose(self) -> ComposeResult:
        if self.filled:
            yield from self._content()

    async def fill(self) -> bool:
        """Build the widgets if they are not built yet; True when they were built now."""
        if self.filled:
            return False
        self.filled = True
        await self.recompose()
        return True
