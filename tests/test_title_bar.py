"""TitleBar draws what Textual's Header draws (without a clock), follows the titles and grows on a click."""
import pytest
from rich.style import Style
from textual.app import App
from textual.screen import Screen
from textual.widgets import Header, Static

from quizapp.widgets.header import TitleBar


class Titled(Screen):
    def __init__(self, bar_class) -> None:
        super().__init__()
        self.bar_class = bar_class

    def compose(self):
        yield self.bar_class()
        yield Static("body")


class Host(App):
    TITLE = "quizapp"
    ENABLE_COMMAND_PALETTE = False  # as quizapp's: Textual's header then disables its icon

    def __init__(self, bar_class, sub_title: str) -> None:
        super().__init__()
        self.bar_class = bar_class
        self.sub_title = sub_title

    def on_mount(self) -> None:
        self.push_screen(Titled(self.bar_class))


def seen(char: str, style):
    """What a person sees of a cell: its character and style, without Textual's mouse offsets; a blank's
    background only."""
    style = style.clear_meta_and_links() if style else Style()
    return char, ((style.bgcolor, bool(style.reverse)) if char == " " else style)


def rows(app: App, count: int) -> list[list[tuple[str, object]]]:
    strips = app.screen._compositor.render_strips()
    return [[seen(char, segment.style) for segment in strip for char in segment.text] for strip in strips[:count]]


async def top_rows(bar_class, width: int, sub_title: str, count: int = 1, click: bool = False,
                   new_sub_title: str | None = None):
    app = Host(bar_class, sub_title)
    async with app.run_test(size=(width, 8)) as pilot:
        await pilot.pause()
        if click:
            await pilot.click(bar_class, offset=(30, 0))
            await pilot.pause()
        if new_sub_title is not None:
            app.sub_title = new_sub_title
            await pilot.pause()
        await pilot.pause(0.05)
        return rows(app, count)


LONG = "an exam preparation sub-title far too long to fit between the icon and the clock space"


@pytest.mark.parametrize("width, sub_title", [(80, "LLM foundations exam prep"), (120, "LLM foundations exam prep"),
                                              (81, "odd width"), (60, LONG), (40, ""), (12, "tiny")])
async def test_draws_the_same_line_as_textuals_header(width, sub_title):
    ours, theirs = await top_rows(TitleBar, width, sub_title), await top_rows(Header, width, sub_title)
    text = "".join(char for char, _ in theirs[0])
    assert text.startswith(" ⭘") and ("quizapp" in text or width < 20)
    assert [c for c, _ in ours[0]] == [c for c, _ in theirs[0]]
    assert ours == theirs  # colours too: the sub-title dimmed, the panel background


async def test_a_click_makes_it_three_rows_tall_as_textuals():
    ours = await top_rows(TitleBar, 80, "LLM foundations exam prep", count=4, click=True)
    theirs = await top_rows(Header, 80, "LLM foundations exam prep", count=4, click=True)
    text = ["".join(c for c, _ in row) for row in ours]
    assert "quizapp" in text[0] and text[1].startswith(" ⭘") and not text[2].strip()  # as Textual draws it
    assert ours == theirs


async def test_follows_a_new_sub_title():
    ours = await top_rows(TitleBar, 80, "LLM foundations exam prep", new_sub_title="Prüfungsvorbereitung")
    theirs = await top_rows(Header, 80, "LLM foundations exam prep", new_sub_title="Prüfungsvorbereitung")
    assert "Prüfungsvorbereitung" in "".join(c for c, _ in ours[0])
    assert ours == theirs
