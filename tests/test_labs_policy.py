"""Policy lab: the bars are next_token's probabilities per checkpoint; the softmax table is softmax's."""
from textual.widgets import DataTable, Input, Static

from engine.probes import run_probe
from quizapp.labs import open_lab
from quizapp.labs.host import LabHost
from quizapp.widgets.bars import Bars
from quizapp.widgets.heatmap import visible_token
from labkit import settle


async def test_bars_are_the_next_token_distribution_of_each_checkpoint():
    app = LabHost(open_lab("policy", "next_token", {"text": "the policy ", "top_k": 5, "temperature": 0.7}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for name in ("pretrain", "sft", "rlhf"):
            bars = app.screen.query_one(f"#bars-{name}", Bars)
            top = run_probe("next_token", {"text": "the policy ", "top_k": 5, "temperature": 0.7,
                                           "checkpoint": name})["top"]
            assert [(r.label, r.text) for r in bars.rows] == [(visible_token(t["token"]), f"{t['probability']:.3f}")
                                                            for t in top]
        # ↑ in the top-k field asks for one more token
        app.screen.query_one("#top_k", Input).focus()
        await pilot.press("up")
        await settle(app, pilot)
        assert len(app.screen.query_one("#bars-pretrain", Bars).rows) == 6


async def test_the_lab_alone_starts_on_the_word_model_and_one_key_switches_to_the_char_model():
    app = LabHost(open_lab("policy"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        text = app.screen.query_one("#text", Input).value
        for model in ("word", "char"):
            assert model in str(app.screen.query_one("#lab-title", Static).content).replace("character", "char")
            for name in ("pretrain", "sft", "rlhf"):
                top = run_probe("next_token", {"text": text, "checkpoint": name, "model": model})["top"]
                bars = app.screen.query_one(f"#bars-{name}", Bars)
                assert [r.label for r in bars.rows] == [visible_token(t["token"]) for t in top]
            await pilot.press("ctrl+o")
            await settle(app, pilot)


async def test_softmax_tab_shows_the_softmax_probe_and_the_attention_scaling():
    app = LabHost(open_lab("policy", "softmax", {"scores": [2, 1, 0], "temperature": 0.5}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        result = run_probe("softmax", {"scores": [2, 1, 0], "temperature": 0.5})
        table = app.screen.query_one("#sm-table", DataTable)
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)] == \
            [f"{p:.3f}" for p in result["probabilities"]]
        app.screen.query_one("#sm-dk", Input).value = "16"
        await settle(app, pilot)
        scaled = run_probe("scaled_softmax", {"scores": [2, 1, 0], "d_k": 16})
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == [f"{z:.3f}" for z in scaled["scaled"]]
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)] == \
            [f"{p:.3f}" for p in scaled["probabilities"]]


async def test_ctrl_t_switches_tabs_and_focuses_the_new_tabs_field():
    app = LabHost(open_lab("policy", "softmax", {"scores": [1, 2]}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause(0.2)
        assert app.focused is app.screen.query_one("#text", Input)
        await settle(app, pilot)


async def test_the_context_line_names_the_whole_context_or_its_end():
    for text in ("the policy picks the next", "the reward model scores the answer and the policy picks the next"):
        app = LabHost(open_lab("policy", "next_token", {"text": text, "model": "word"}))
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            line = str(app.screen.query_one("#context-info", Static).content)
            n = len(run_probe("next_token", {"text": text, "model": "word"})["context"])
            shown = text if len(text) <= 32 else "…" + text[-31:]  # the end is what the next token follows
            assert line.startswith(f"{n} tokens: {shown!r}"), line
