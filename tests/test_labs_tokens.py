"""Tokens and embeddings lab: what it shows is what the tokenize and embedding probes return."""
from textual.widgets import DataTable, Input, Static

from engine.probes import run_probe
from quizapp.labs import open_lab
from quizapp.labs.host import LabHost
from quizapp.widgets.bars import Bars
from quizapp.widgets.heatmap import visible_token
from labkit import settle

def column(table: DataTable, index: int) -> list[str]:
    return [str(table.get_row_at(r)[index]) for r in range(table.row_count)]


async def test_typed_text_shows_the_probes_tokens_ids_and_nearest_tokens():
    app = LabHost(open_lab("tokens"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.screen.model == "word"  # a lab opened on its own starts with the word model
        assert "word model" in str(app.screen.query_one("#lab-title", Static).content)
        field = app.screen.query_one("#text", Input)
        field.value = ""
        await pilot.press(*"the reward", "enter")
        await settle(app, pilot)
        char = run_probe("tokenize", {"text": "the reward", "tokenizer": "char"})
        word = run_probe("tokenize", {"text": "the reward", "model": "word"})
        chars = app.screen.query_one("#char-table", DataTable)
        assert column(chars, 1) == [visible_token(t) for t in char["tokens"]]
        assert column(chars, 2) == [str(i) for i in char["ids"]]
        words = app.screen.query_one("#bpe-table", DataTable)
        assert column(words, 1) == [visible_token(t) for t in word["tokens"]]
        assert column(words, 2) == [str(i) for i in word["ids"]]
        # ↓ steps one word-model token: the second token's nearest tokens are the embedding probe's
        await pilot.press("down")
        await pilot.pause()
        nearest = run_probe("embedding", {"text": "the reward", "top_k": 8, "model": "word"})["tokens"][1]["nearest"]
        rows = app.screen.query_one("#near", Bars).rows
        assert [(r.label, r.text) for r in rows] == [(visible_token(n["token"]), f"{n['cosine']:.3f}")
                                                    for n in nearest]


async def test_one_key_switches_to_the_character_model_and_its_bpe():
    app = LabHost(open_lab("tokens"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#text", Input).value = "the cat"
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert app.screen.model == "char"
        assert "character model" in str(app.screen.query_one("#lab-title", Static).content)
        bpe = run_probe("tokenize", {"text": "the cat", "tokenizer": "bpe"})
        assert column(app.screen.query_one("#bpe-table", DataTable), 1) == [visible_token(t) for t in bpe["tokens"]]
        await pilot.press("down", "down")  # the third character; its nearest tokens are the char model's
        await pilot.pause()
        nearest = run_probe("embedding", {"text": "the cat", "top_k": 8})["tokens"][2]["nearest"]
        assert [r.label for r in app.screen.query_one("#near", Bars).rows] == [visible_token(n["token"])
                                                                              for n in nearest]


async def test_characters_outside_the_vocabulary_are_marked():
    app = LabHost(open_lab("tokens", "tokenize", {"text": "a€b"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        summary = str(app.screen.query_one("#summary", Static).content)
        assert "not in the vocabulary" in summary and "'€' at 1" in summary
        assert column(app.screen.query_one("#char-table", DataTable), 1)[1] == "� €"


async def test_empty_text_says_so_and_clears_the_tables():
    app = LabHost(open_lab("tokens", "tokenize", {"text": "ab"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#text", Input).value = ""
        await settle(app, pilot)
        assert "empty" in str(app.screen.query_one("#lab-status", Static).content)
        assert app.screen.query_one("#char-table", DataTable).row_count == 0
