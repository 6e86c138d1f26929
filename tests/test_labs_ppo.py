"""PPO lab: clip calculator, GAE, KL, PPO step and stages show their probes' numbers."""
import pytest
from textual.widgets import DataTable, Input, Static

from engine import probes
from engine.probes import run_probe
from quizapp.labs import open_lab
from quizapp.labs.host import LabHost
from quizapp.widgets.plot import BraillePlot
from labkit import settle

REAL_RUN_PROBE = probes.run_probe


def rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


async def test_clip_calculator_shows_the_terms_the_branch_and_the_curve():
    app = LabHost(open_lab("ppo", "ppo_clip", {"ratio": 1.5, "advantage": 1, "epsilon": 0.2}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        result = run_probe("ppo_clip", {"ratio": 1.5, "advantage": 1, "epsilon": 0.2})
        branch = run_probe("clip_branch", {"ratio": 1.5, "advantage": 1, "epsilon": 0.2})
        shown = str(app.screen.query_one("#clip-values", Static).content)
        assert f"{result['unclipped']:.4f}" in shown and f"{result['clipped']:.4f}" in shown
        assert branch["branch"] in shown
        plot = app.screen.query_one("#clip-plot", BraillePlot).data
        assert plot.ys == [p["objective"] for p in result["curve"]]
        assert plot.point == (1.5, result["objective"])
        # ↓ in the focused r field: r = 1.45, still clipped; Â negative: the other side
        await pilot.press("down")
        field = app.screen.query_one("#advantage", Input)
        field.value = "-1"
        await settle(app, pilot)
        result = run_probe("ppo_clip", {"ratio": 1.45, "advantage": -1, "epsilon": 0.2})
        shown = str(app.screen.query_one("#clip-values", Static).content)
        assert f"{result['objective']:.4f}" in shown and not result["clip_active"]


async def test_ratio_from_log_probabilities_feeds_the_clip():
    app = LabHost(open_lab("ppo", "ratio_from_logprobs", {"logp_new": -0.5, "logp_old": -1.0}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        ratio = run_probe("ratio_from_logprobs", {"logp_new": -0.5, "logp_old": -1.0})["ratio"]
        assert float(app.screen.query_one("#ratio", Input).value) == pytest.approx(ratio, rel=1e-5)
        assert f"{ratio:.4f}" in str(app.screen.query_one("#logp-result", Static).content)


async def test_gae_table_is_the_gae_probe():
    args = {"rewards": [1, 0, 2], "values": [0, 0, 0], "gamma": 0.5, "lam": 1.0}
    app = LabHost(open_lab("ppo", "gae", args))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        result = run_probe("gae", args)
        table = rows(app.screen.query_one("#gae-table", DataTable))
        assert [r[5] for r in table] == [f"{a:.4f}" for a in result["advantages"]]
        assert [r[4] for r in table] == [f"{d:.4f}" for d in result["deltas"]]
        app.screen.query_one("#values", Input).value = "1, 2"  # one value short
        await settle(app, pilot)
        assert "values must have one number per reward" in str(app.screen.query_one("#lab-status", Static).content)


async def test_kl_tab_shows_exact_kl_and_the_estimators():
    args = {"text": "the reward model", "checkpoint_a": "sft", "checkpoint_b": "rlhf", "samples": 200}
    app = LabHost(open_lab("ppo", "kl", args))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        result = run_probe("kl", {**args, "seed": 0})
        assert f"{result['exact_kl']:.5f}" in str(app.screen.query_one("#kl-exact", Static).content)
        table = rows(app.screen.query_one("#kl-estimators", DataTable))
        assert [r[2] for r in table] == [f"{result['estimates'][k]['mean']:.5f}" for k in ("k1", "k2", "k3")]


def canned_step(prompt: str, seed: int) -> dict:
    """A ppo_step result with the probe's shape (the real one takes seconds of torch)."""
    token = {"token": "a", "pi_old": 0.5, "pi_new": 0.75, "ratio": 1.5, "advantage": 0.3,
             "advantage_normalized": 1.0, "reward": 0.1, "kl": 0.2, "kl_penalty": -0.02, "value": 0.0,
             "return": 0.1, "clipped": True, "outside_band": True}
    episode = {"answer": "a", "finished": True, "reward_score": 0.5 + seed, "kl_to_ref": 0.2, "tokens": [token]}
    stats = {"clipfrac_outside": 0.25, "clipfrac_bound": 0.125, "approx_kl": 0.01, "reward_score": 0.5 + seed,
             "beta": 0.1}
    return {"prompt": prompt, "seed": seed, "epsilon": 0.2, "beta": 0.1, "gradient_steps": 4, "stats": stats,
            "episodes": [episode, {**episode, "reward_score": -1.0}]}


async def test_ppo_step_table_and_next_step_key(monkeypatch):
    calls = []

    def run(name, args=None):
        if name == "ppo_step":
            calls.append(dict(args))
            return canned_step(args["prompt"], int(args["seed"]))
        return REAL_RUN_PROBE(name, args)

    monkeypatch.setattr(probes, "run_probe", run)
    app = LabHost(open_lab("ppo", "ppo_step", {"prompt": "what is a critic?", "seed": 3}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert calls == [{"prompt": "what is a critic?", "seed": "3", "model": "char"}]  # a question's pack: char
        table = rows(app.screen.query_one("#step-table", DataTable))
        assert table[0] == ["0", "✂a", "0.5000", "0.7500", "1.5000", "+1.000", "+0.1000", "-0.0200"]
        stats = str(app.screen.query_one("#step-stats", Static).content)
        assert "clip fraction 0.250" in stats and "mean reward 3.500" in stats and "β 0.1" in stats
        await pilot.press("right_square_bracket")  # the table has the focus after a step: next answer
        await pilot.pause()
        assert "answer 2/2" in str(app.screen.query_one("#step-answer", Static).content)
        await pilot.press("n")
        await settle(app, pilot)
        assert calls[-1]["seed"] == "4"
        assert "mean reward 4.500" in str(app.screen.query_one("#step-stats", Static).content)
        await pilot.press("ctrl+o")  # the word model: the shown tab computes again with it
        await settle(app, pilot)
        assert calls[-1] == {"prompt": "what is a critic?", "seed": "4", "model": "word"}
        assert "word model" in str(app.screen.query_one("#lab-title", Static).content)


async def test_stages_show_each_models_answers_and_scores(monkeypatch):
    def run(name, args=None):
        if name == "compare_stages":
            answers = lambda r: [{"answer": f"answer {r}", "finished": True, "reward_score": r, "rater_score": 2.0,
                                  "rater": {}}]
            return {"prompt": "Question: x Answer:", "seed": 0, "reference_answer": "ref", "note": "a note",
                    "stages": [{"checkpoint": c, "stage": c, "answers": answers(r), "mean_reward_score": r,
                                "mean_rater_score": 2.0} for c, r in (("pretrain", -1.25), ("sft", 0.5),
                                                                      ("rlhf", 1.75))]}
        return REAL_RUN_PROBE(name, args)

    monkeypatch.setattr(probes, "run_probe", run)
    app = LabHost(open_lab("ppo", "compare_stages", {"prompt": "x"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = str(app.screen.query_one("#stages-text", Static).content)
        for name, score in (("pretrained", "-1.250"), ("SFT", "+0.500"), ("RLHF", "+1.750")):
            assert name in text and f"mean reward-model score {score}" in text


async def test_a_tab_computes_when_it_is_first_shown_not_while_the_lab_opens(monkeypatch):
    ran: list[str] = []

    def recording(name, args=None):
        ran.append(name)
        return REAL_RUN_PROBE(name, args)
    monkeypatch.setattr(probes, "run_probe", recording)
    app = LabHost(open_lab("ppo", "ppo_clip", {"ratio": 1.5, "advantage": 1, "epsilon": 0.2}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "ppo_clip" in ran
        assert "gae" not in ran and "kl" not in ran  # their fields were filled, their tabs not shown
        await pilot.press("ctrl+t")  # → GAE
        await settle(app, pilot)
        assert "gae" in ran and "kl" not in ran
        assert app.screen.query_one("#gae-table", DataTable).row_count == 3  # the default rewards 0, 0, 1


async def test_a_lab_opened_on_the_ppo_step_computes_only_that_tab_and_each_other_tab_once_when_shown(monkeypatch):
    calls = []

    def run(name, args=None):
        calls.append(name)
        if name == "ppo_step":
            return canned_step(args["prompt"], int(args["seed"]))
        if name == "compare_stages":
            return {"prompt": "p", "seed": 0, "reference_answer": "", "note": "n", "stages": []}
        return REAL_RUN_PROBE(name, args)

    monkeypatch.setattr(probes, "run_probe", run)
    app = LabHost(open_lab("ppo", "ppo_step", {"prompt": "what is a critic?", "seed": 3}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert calls == ["ppo_step"]  # not the Clip tab first, and no other tab's fields yet
        assert not app.screen.query("#gae-table") and not app.screen.query("#ratio")
        for _ in range(3):  # Stages, Clip, GAE
            await pilot.press("ctrl+t")
            await settle(app, pilot)
            await pilot.pause(0.2)  # the debounce a field's Changed would start
            await settle(app, pilot)
        assert app.screen.query_one("#tabs").active == "gae"
        assert calls == ["ppo_step", "compare_stages", "ppo_clip", "clip_branch", "gae"]  # each once
        result = run_probe("gae", {"rewards": "0, 0, 1", "values": "0.4, 0.5, 0.7", "gamma": 0.99, "lam": 0.95})
        assert [r[5] for r in rows(app.screen.query_one("#gae-table", DataTable))] == [
            f"{a:.4f}" for a in result["advantages"]]
        await pilot.press("ctrl+t", "ctrl+t")  # KL, then back to the PPO step: built once, not again
        await settle(app, pilot)
        assert calls.count("kl") == 1 and calls.count("ppo_step") == 1
