"""Positional encoding lab: both heatmaps and the entry line are the probes' numbers."""
from textual.widgets import Input, Static

from engine.probes import run_probe
from quizapp.labs import open_lab
from quizapp.labs.host import LabHost
from quizapp.widgets.heatmap import Heatmap
from labkit import settle


async def test_heatmaps_show_pe_and_its_similarity_and_follow_the_fields():
    app = LabHost(open_lab("positional", "positional_encoding", {"length": 12, "d_model": 8}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        result = run_probe("positional_encoding", {"length": 12, "d_model": 8})
        assert app.screen.query_one("#pe", Heatmap).values == result["encoding"]
        assert app.screen.query_one("#sim", Heatmap).values == result["similarity"]
        await pilot.press("up")  # in the focused positions field: one more position
        await settle(app, pilot)
        assert app.screen.query_one("#length", Input).value == "13"
        assert app.screen.query_one("#pe", Heatmap).n_rows == 13


async def test_moving_the_cursor_shows_that_positions_entry():
    app = LabHost(open_lab("positional", "pe_entry", {"pos": 3, "i": 1, "d_model": 16}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        entry = run_probe("pe_entry", {"pos": 3, "i": 1, "d_model": 16})
        line = str(app.screen.query_one("#entry", Static).content)
        assert f"PE[3,2] = sin({entry['angle']:.4g}) = {entry['sin']:.4f}" in line
        assert f"PE[3,3] = cos({entry['angle']:.4g}) = {entry['cos']:.4f}" in line
        app.screen.query_one("#sim", Heatmap).focus()
        await pilot.press("down")
        await settle(app, pilot)
        assert app.screen.query_one("#pos", Input).value == "4"
        entry = run_probe("pe_entry", {"pos": 4, "i": 1, "d_model": 16})
        assert f"= {entry['sin']:.4f}" in str(app.screen.query_one("#entry", Static).content)
        assert app.screen.query_one("#pe", Heatmap).cursor_row == 4


async def test_an_odd_width_is_explained_not_crashed():
    app = LabHost(open_lab("positional", "positional_encoding", {"length": 4, "d_model": 7}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "d_model must be even" in str(app.screen.query_one("#lab-status", Static).content)
