"""The title bar at the top of the home screen: Textual's Header drawn as one widget.

Textual's Header is four widgets (icon, title, clock space, and itself), each with
its own styles to read and lay out: about 2 % of the instructions to the home
screen's first paint. This bar draws the same line (the icon in its 8 columns,
the title and the dimmed sub-title centred between it and the clock's 10 columns,
cut with an ellipsis when they do not fit) as one text, follows the app's and the
screen's title and sub-title, and grows to three rows on a click, as Textual's does.
The icon opens nothing: quizapp's command palette has its own key (Textual's
Header disables its icon when the app's own palette switch is off, as ours is).
"""
from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8   # HeaderIcon: width 8, one column of padding on its left
CLOCK_WIDTH = 10  # HeaderClockSpace: kept free on the right, as Textual's does without a clock


class TitleBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        background: $panel;
        color: $foreground;
        height: 1;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    TitleBar.-tall {
        height: 3;
    }
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._retitle, init=False)
            self.watch(node, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def on_click(self) -> None:
        self.toggle_class("-tall")

    def title_content(self) -> Content:
        screen_title, screen_sub_title = self.screen.title, self.screen.sub_title
        title = screen_title if screen_title is not None else self.app.title
        sub_title = screen_sub_title if screen_sub_title is not None else self.app.sub_title
        return self.app.format_title(title, sub_title)

    def render(self) -> Content:
        width, rows = self.size.width, max(1, self.size.height)
        room = max(0, width - ICON_WIDTH - CLOCK_WIDTH)
        title = self.title_content().rstrip().truncate(room, ellipsis=True)
        left = (room - title.cell_length) // 2
        icon = Content(f" {ICON}").pad_right(ICON_WIDTH - 2)
        blank = Content(" " * ICON_WIDTH)
        # As in Textual's: the icon in the middle row, the title (one row high) on the first.
        middle = (rows - 1) // 2
        lines = [Content.assemble(icon if row == middle else blank,
                                  *((" " * left, title, " " * (room - left - title.cell_length)) if row == 0 else ()),
                                  ).truncate(width) for row in range(rows)]
        return Content("\n").join(lines)
