"""KeyFooter draws the line Textual's Footer draws, keeps up with the bindings, and a click presses a key."""
import pytest
from rich.style import Style
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from quizapp.widgets.footer import KeyFooter


class Keys(Screen):
    BINDINGS = [
        Binding("enter", "start", "Practice", priority=True),
        Binding("e", "exam", "Exam"),
        Binding("r", "review", "Review"),
        Binding("x", "hidden", "Hidden", show=False),
        Binding("plus", "more", "More", key_display="+"),
        Binding("w", "weak", "Weak"),  # disabled: check_action returns None
    ]

    AUTO_FOCUS = ""  # no focus: every key shows

    def __init__(self, footer_class) -> None:
        super().__init__()
        self.footer_class = footer_class
        self.pressed: list[str] = []

    def compose(self):
        yield Input(id="field")
        yield self.footer_class()

    def check_action(self, action, parameters):
        return None if action == "weak" else True

    def action_exam(self) -> None:
        self.pressed.append("exam")

    def action_review(self) -> None:
        self.pressed.append("review")


class Host(App):
    def __init__(self, footer_class, palette: bool = True) -> None:
        super().__init__()
        self.footer_class = footer_class
        self.ENABLE_COMMAND_PALETTE = palette

    def on_mount(self) -> None:
        self.push_screen(Keys(self.footer_class))


async def bottom_row(footer_class, focus_field: bool, palette: bool, hover: int | None = None,
                     size=(100, 10)) -> list[tuple[str, object]]:
    """The last row of the screen, cell by cell: (character, style); `hover`: the mouse on that column."""
    app = Host(footer_class, palette)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if focus_field:  # a text field takes the letter keys: those leave the footer
            app.screen.query_one(Input).focus()
            await pilot.pause()
        if hover is not None:
            await pilot.pause(0.1)
            await pilot.hover(None, offset=(hover, size[1] - 1))
        await pilot.pause(0.1)  # Textual's footer fills in its keys after a refresh
        strips = app.screen._compositor.render_strips()
        row = strips[-1]
        return [(char, seen(char, segment.style)) for segment in row for char in segment.text]


def seen(char: str, style):
    """What a person sees of a cell's style: without the mouse offsets Textual adds (relative to the widget
    drawn), and only the background (and reverse) of a blank."""
    style = style.clear_meta_and_links() if style else Style()
    return (style.bgcolor, style.reverse) if char == " " else style


@pytest.mark.parametrize("focus_field, palette, hover, expected", [
    (False, False, None, " ⏎ Practice  e Exam  r Review  + More  w Weak "),
    (True, True, None, " ⏎ Practice  + More "),
    (False, True, 14, " ⏎ Practice  e Exam  r Review  + More  w Weak "),  # the mouse on "Exam"
])
async def test_draws_the_same_line_as_textuals_footer(focus_field, palette, hover, expected):
    ours, theirs = [await bottom_row(cls, focus_field, palette, hover) for cls in (KeyFooter, Footer)]
    text = "".join(c for c, _ in theirs)
    assert text.startswith(expected) and text.rstrip().endswith("▏^p palette") == palette
    assert [c for c, _ in ours] == [c for c, _ in theirs]
    assert ours == theirs  # colours and the dimmed (disabled) key too
    if hover is not None:  # the key under the mouse is drawn apart
        assert ours != await bottom_row(KeyFooter, focus_field, palette)


async def test_a_click_on_a_key_presses_it_and_the_line_follows_the_bindings():
    app = Host(KeyFooter)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        footer = screen.query_one(KeyFooter)
        line = footer.render().plain
        await pilot.click(KeyFooter, offset=(line.index("Review"), 0))
        await pilot.click(KeyFooter, offset=(line.index("Exam") - 2, 0))  # on the key itself
        await pilot.pause()
        assert screen.pressed == ["review", "exam"]
        # The footer repaints when the bindings change: a new one on the screen shows up.
        screen._bindings.bind("z", "zoom", "Zoom")
        screen.refresh_bindings()
        await pilot.pause()
        assert "z Zoom" in footer.render().plain


async def test_keys_that_do_not_fit_scroll_into_view_with_the_mouse_wheel():
    app = Host(KeyFooter, palette=False)
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        footer = screen.query_one(KeyFooter)
        assert "Weak" not in footer.render().plain[:30]  # the last key is cut off
        for _ in range(6):
            footer.post_message(events.MouseScrollDown(footer, 1, 0, 0, 0, 0, False, False, False))
            await pilot.pause()
        line = footer.render().plain
        assert line.rstrip().endswith("w Weak")
        await pilot.click(KeyFooter, offset=(line.index("Review"), 0))  # a click still presses the key shown there
        await pilot.pause()
        assert screen.pressed == ["review"]
