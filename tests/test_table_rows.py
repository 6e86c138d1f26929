"""Lab tables show whole cells even when a frame is drawn before the table measures its rows."""
from rich.text import Text
from textual.app import App
from textual.widgets import DataTable

from quizapp.widgets.table_rows import set_rows


def shown(table: DataTable) -> str:
    return "\n".join(line.text for line in table.render_lines(table.region.reset_offset))


class OneTable(App):
    CSS = "DataTable { height: 5; }"  # rows in view before the table has measured them

    def compose(self):
        yield DataTable()


async def test_cells_whole_in_a_frame_drawn_at_once_and_after_idle():
    app = OneTable()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("Key", "Gewicht")
        await pilot.pause()
        set_rows(table, [["7 ␣because", Text("maskiert")], ["0 The", "0,125"]])
        first = shown(table)  # drawn before the table's next idle, as on a busy machine
        await pilot.pause()
        later = shown(table)
        for frame in (first, later):
            assert "7 ␣because" in frame and "maskiert" in frame, frame


async def test_columns_shrink_when_the_rows_are_replaced_and_strings_are_not_markup():
    app = OneTable()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("k", "v")
        set_rows(table, [["a very long first cell", "1"]])
        await pilot.pause()
        set_rows(table, [["[b]x[/b]", "2"]])
        await pilot.pause()
        lines = shown(table).splitlines()
        assert "[b]x[/b]" in lines[1]  # a token that looks like markup is shown as typed
        assert lines[1].index("2") < len("a very long first cell")  # the first column fits its new cell
