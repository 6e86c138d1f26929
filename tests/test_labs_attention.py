"""Attention lab: heatmap cells and the query table are the attention probe's numbers."""
from textual.widgets import DataTable, Input, Static

from engine.probes import run_probe
from quizapp.labs import open_lab
from quizapp.labs.attention import key_rows
from quizapp.labs.host import LabHost
from quizapp.widgets.heatmap import Heatmap, MiniHeatmap, visible_token
from labkit import settle

def table_rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


async def test_heatmap_and_table_show_the_probes_weights_and_scores():
    app = LabHost(open_lab("attention"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+o")  # the character model: one row per character
        app.screen.query_one("#text", Input).value = ""
        await pilot.press(*"a cat", "enter")
        await settle(app, pilot)
        result = run_probe("attention", {"text": "a cat", "layer": 0, "head": 0, "model": "char"})
        heatmap = app.screen.query_one("#heatmap", Heatmap)
        assert heatmap.values == result["weights"]
        assert heatmap.masked == [[not m for m in row] for row in result["mask"]]
        await pilot.press("down", "down", "down")  # query 3: 'a'
        await pilot.pause()
        expected = key_rows(result, 3)
        rows = table_rows(app.screen.query_one("#keys", DataTable))
        first = expected[0]
        assert rows[0] == [f"{first['position']} {visible_token(first['token'])}", f"{first['score']:.3f}",
                           f"{first['scaled']:.3f}", f"{first['weight']:.3f}"]
        assert [r[3] for r in rows] == [f"{e['weight']:.3f}" if e["weight"] is not None else "masked"
                                       for e in expected]
        assert rows[-1][3] == "masked"  # the future key (position 4) comes last, masked
        assert result["role"] in str(app.screen.query_one("#controls", Static).content)


async def test_head_and_layer_keys_ask_the_probe_for_that_head():
    app = LabHost(open_lab("attention", "attention", {"text": "the mat"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "h", "h", "l")
        await settle(app, pilot)
        screen = app.screen
        assert (screen.layer_no, screen.head_no) == (1, 2)
        result = run_probe("attention", {"text": "the mat", "layer": 1, "head": 2})
        assert screen.query_one("#heatmap", Heatmap).values == result["weights"]
        await pilot.press("a")  # every head as a small heatmap
        await settle(app, pilot)
        minis = list(screen.query(MiniHeatmap))
        assert len(minis) == result["n_layers"] * result["n_heads"]
        picked = next(m for m in minis if m.key == (1, 2))
        assert picked.values == result["weights"] and picked.has_class("-selected")


async def test_text_longer_than_the_context_is_cut_with_a_note():
    text = "abcdefghij" * 20
    app = LabHost(open_lab("attention", "attention", {"text": text}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        result = run_probe("attention", {"text": text})
        assert result["note"]
        assert result["note"] in str(app.screen.query_one("#lab-status", Static).content)
        assert app.screen.query_one("#heatmap", Heatmap).n_rows == len(result["tokens"])


async def test_a_head_the_model_does_not_have_is_an_error_line():
    app = LabHost(open_lab("attention", "attention", {"text": "ab", "head": 99}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "head must be between" in str(app.screen.query_one("#lab-status", Static).content)


async def test_word_model_rows_are_sub_words_and_the_query_word_is_picked():
    text = "the animal did not cross the street because it was tired"
    app = LabHost(open_lab("attention", "attention", {"text": text, "model": "word", "query": "it", "layer": 1}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        result = run_probe("attention", {"text": text, "model": "word", "layer": 1, "query": "it"})
        heatmap = app.screen.query_one("#heatmap", Heatmap)
        assert heatmap.values == result["weights"] and " animal" in result["tokens"]
        assert app.screen.query_row == result["query"] == result["tokens"].index(" it")
        assert "word model" in str(app.screen.query_one("#lab-title", Static).content)
        assert result["role"] in str(app.screen.query_one("#controls", Static).content)


async def test_words_view_on_the_character_model_says_how_it_aggregates():
    text = "the cat sat"
    app = LabHost(open_lab("attention", "attention", {"text": text, "model": "char"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "w")
        await settle(app, pilot)
        result = run_probe("attention", {"text": text, "model": "char", "view": "words"})
        heatmap = app.screen.query_one("#heatmap", Heatmap)
        assert heatmap.values == result["word_weights"] and heatmap.n_rows == 3
        note = app.screen.query_one("#view-note", Static)
        shown = str(note.content)
        assert note.display and "mean over the query word's characters" in shown
        assert "sum over the key word's characters" in shown
        await pilot.press("down", "down")  # query word 2: "sat"
        await pilot.pause()
        rows = table_rows(app.screen.query_one("#keys", DataTable))
        assert sorted(float(r[3]) for r in rows) == sorted(round(w, 3) for w in result["word_weights"][2])
