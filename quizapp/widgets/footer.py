"""The key bar at the bottom of a screen: Textual's Footer drawn as one widget.

Textual's Footer is a scrolling container with one widget per key; it starts
empty, and every bindings update (each focus change: a list on the home screen,
a field in a lab) removes and mounts all its keys again: some 6 % of the
instructions to the home screen's first paint, and in the labs on every Tab.
This footer draws the same line (the same colours from the theme's footer
variables, the same spacing, the command palette's key on the right when the app
has one) as one line of text, and only repaints when the bindings change. A
click on a key presses it and the mouse wheel scrolls keys that do not fit, as
in Textual's.
"""
from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


class Key(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


SCROLL_STEP = 4  # columns per turn of the mouse wheel


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--hover",
                         "key-footer--separator"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--hover {
            background: $block-hover-background;
        }
        .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[tuple[int, int, Key]] = []  # columns each key takes in the last line drawn
        self._hover: str | None = None
        self._scroll = 0  # columns scrolled off on the left (the mouse wheel, when the keys do not fit)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        self.refresh()

    def keys(self) -> tuple[list[Key], Key | None]:
        """The keys the footer shows (the screen's bindings marked to show), and the palette's key."""
        bindings = self.screen.active_bindings
        shown: dict[str, Key] = {}  # one entry per action, the first binding's key, as Textual's footer
        for _node, binding, enabled, tooltip in bindings.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = Key(binding.key, self.app.get_key_display(binding), binding.description,
                                            enabled, tooltip)
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in bindings:
            _node, binding, enabled, tooltip = bindings[self.app.COMMAND_PALETTE_BINDING]
            palette = Key(binding.key, self.app.get_key_display(binding), binding.description, enabled,
                          binding.tooltip or binding.description)
        return list(shown.values()), palette

    def render(self) -> Text:
        keys, palette = self.keys()
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        hover = Style(bgcolor=self.get_component_rich_style("key-footer--hover").bgcolor)
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []

        def add(key: Key, key_text: str, description_text: str) -> None:
            start = line.cell_len
            styles = (key_style, description_style)
            if key.key == self._hover:
                styles = tuple(style + hover for style in styles)
            if not key.enabled:
                styles = tuple(style + Style(dim=True) for style in styles)
            line.append(key_text, styles[0])
            if key.description:
                line.append(description_text, styles[1])
            self._spans.append((start, line.cell_len, key))

        for key in keys:
            add(key, f" {key.display} ", f"{key.description} ")
        if palette is not None:  # on the right after a thin rule, drawn compact, as Textual's footer docks it
            width = cell_len(f"▏{palette.display} {palette.description} ")
            line.append(" " * max(self.size.width - line.cell_len - width, 1))
            line.append("▏", self.get_component_rich_style("key-footer--separator"))
            add(palette, palette.display, f" {palette.description}")
            line.append(" ")
        self._scroll = max(0, min(self._scroll, line.cell_len - self.size.width))
        return line[self._scroll:] if self._scroll else line

    def _key_at(self, x: int) -> Key | None:
        x += self._scroll
        return next((key for start, end, key in self._spans if start <= x < end), None)

    # Keys that do not fit scroll with the mouse wheel, as in Textual's footer.
    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(event, SCROLL_STEP)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(event, -SCROLL_STEP)

    def _scroll_by(self, event: events.MouseEvent, columns: int) -> None:
        self._scroll = max(0, self._scroll + columns)  # render() keeps it within the line
        event.stop()
        self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        hover = key.key if key is not None else None
        if hover != self._hover:
            self._hover = hover
            self.tooltip = key.tooltip or None if key is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
