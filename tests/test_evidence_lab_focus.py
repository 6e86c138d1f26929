"""`l` after a question opens its lab on the block's model, layer, head and query token."""
from engine.probes import run_probe
from question_bank.loader import bundled_pack_paths, load_pack
from quizapp.labs import open_lab_for
from quizapp.labs.host import LabHost
from quizapp.widgets.heatmap import Heatmap


async def test_the_lab_opens_on_the_query_token_of_the_questions_block():
    pack = next(load_pack(p).pack for p in bundled_pack_paths() if p.name == "llm-foundations")
    question = next(q for q in pack.questions if q.id == "attention-weight-meaning")
    args = dict(question.live[0].args)
    assert args["model"] == "word" and isinstance(args["query"], str)
    result = run_probe("attention", args)
    app = LabHost(open_lab_for(question.live))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        heatmap = app.screen.query_one("#heatmap", Heatmap)
        assert heatmap.values == result["weights"]  # the word model's layer and head, not the lab's defaults
        assert heatmap.cursor_row == result["query"]
        assert result["tokens"][result["query"]].strip() == args["query"]
