"""What every lab shares: probes in workers (the UI answers keys meanwhile), stale results dropped,
errors shown in one line, the lab for a question's live blocks, Escape back."""
import json
import subprocess
import sys
import threading
import time

import pytest
from textual.widgets import DataTable, Input, Static

from engine import probes
from question_bank.models import FrozenMap, LiveLink
from quizapp.labs import PROBE_LAB, open_lab, open_lab_for
from quizapp.labs.attention import AttentionLab
from quizapp.labs.host import LabHost
from quizapp.labs.menu import LabsMenuScreen
from quizapp.labs.policy import PolicyLab
from quizapp.labs.ppo import PPOLab
from quizapp.labs.tokens import TokensLab
from labkit import settle

REAL_RUN_PROBE = probes.run_probe


def link(probe, **args):
    return LiveLink(probe, FrozenMap(args))


def status(app) -> str:
    return str(app.screen.query_one("#lab-status", Static).content).strip()


def fake_tokenize(text):
    return {"tokenizer": "char", "text": text, "tokens": list(text), "ids": [ord(c) for c in text], "unknown": [],
            "spans": [[i, i + 1] for i in range(len(text))], "n_characters": len(text), "n_tokens": len(text),
            "characters_per_token": 1.0, "vocab_size": 100}


def test_every_probe_has_a_lab_and_the_question_args_prefill_it():
    assert set(PROBE_LAB) == set(probes.all_probes())
    screen = open_lab_for([link("attention", text="abc", head=2)])
    assert isinstance(screen, AttentionLab) and screen.initial == {"text": "abc", "head": 2}
    assert isinstance(open_lab_for([link("softmax", scores=[1, 2])]), PolicyLab)
    kl = open_lab_for([link("tokenize", text="x"), link("kl", text="y")], index=1)
    assert isinstance(kl, PPOLab) and kl.probe == "kl" and kl.link_index == 1
    assert isinstance(open_lab_for([]), LabsMenuScreen)


async def test_keys_are_handled_while_a_slow_probe_runs(monkeypatch):
    release = threading.Event()
    started = threading.Event()

    def slow(name, args=None):
        started.set()
        release.wait(5)
        return fake_tokenize(args["text"]) if name == "tokenize" else REAL_RUN_PROBE(name, args)

    monkeypatch.setattr(probes, "run_probe", slow)
    app = LabHost(open_lab("tokens"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert started.wait(2)
        assert "computing" in status(app) or "loading" in status(app)
        field = app.screen.query_one("#text", Input)
        assert app.focused is field
        await pilot.press("tab")  # handled at once, though the worker is still blocked
        await pilot.pause()
        assert app.focused is not field
        await pilot.press("slash", "z")
        await pilot.pause()
        assert field.value.endswith("z")
        assert not release.is_set()
        release.set()
        await settle(app, pilot)


async def test_a_newer_request_wins_over_an_older_slower_one(monkeypatch):
    def run(name, args=None):
        if name == "tokenize":
            if args["text"] == "slow":
                time.sleep(0.6)
            return fake_tokenize(args["text"])
        raise probes.ProbeError("no embeddings in this test")

    monkeypatch.setattr(probes, "run_probe", run)
    app = LabHost(open_lab("tokens", "tokenize", {"text": "slow"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.05)
        field = app.screen.query_one("#text", Input)
        field.value = "new"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause(0.7)
        await settle(app, pilot)
        table = app.screen.query_one("#char-table", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["n", "e", "w"]


@pytest.mark.parametrize("error, shown", [
    (probes.ProbeError("the text is too strange"), "the text is too strange"),
    (RuntimeError("boom\nsecond line"), "tokenize failed: RuntimeError: boom second line"),
])
async def test_probe_errors_end_in_one_status_line_not_a_crash(monkeypatch, error, shown):
    def fail(name, args=None):
        raise error

    monkeypatch.setattr(probes, "run_probe", fail)
    app = LabHost(open_lab("tokens"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert shown in status(app)
        assert isinstance(app.screen, TokensLab)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TokensLab)


async def test_missing_weights_give_one_clear_message(monkeypatch, tmp_path):
    import engine.probes.transformer
    import engine.transformer.weights

    monkeypatch.setattr(engine.transformer.weights, "WEIGHTS_DIR", tmp_path)
    engine.probes.transformer.clear_caches()
    try:
        app = LabHost(open_lab("attention"))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert "the word-pretrain checkpoint is not bundled (run quizapp engine train --model word" in status(app)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, AttentionLab)
    finally:
        monkeypatch.undo()
        engine.probes.transformer.clear_caches()


async def test_next_example_cycles_through_the_questions_live_blocks():
    links = [link("tokenize", text="ab", tokenizer="char"), link("ppo_clip", ratio=0.5, advantage=-1)]
    app = LabHost(open_lab_for(links))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TokensLab)
        assert "example 1/2" in str(app.screen.query_one("#lab-title", Static).content)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, PPOLab)
        assert app.screen.query_one("#ratio", Input).value == "0.5"


def test_importing_and_building_the_labs_imports_no_torch():
    code = ("import sys, json\n"
            "from quizapp.labs import LABS, lab_class, labs_menu\n"
            "[lab_class(info.key)() for info in LABS]; labs_menu()\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not any(m == "torch" or m.startswith("torch.") for m in modules)
