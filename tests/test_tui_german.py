"""The app in German as a German speaker meets it at 80×24: no English interface word on the screens
the audit found them on, German numbers in the labs' fields, and German texts whole where English fits."""
import math
import time
from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from engine.probes import run_probe
from engine.probes import ProbeError
from labkit import settle
from question_bank.loader import load_pack
from quizapp import i18n
from quizapp.app import QuizApp
from quizapp.catalog import Catalog
from quizapp.labs import open_lab
from quizapp.labs.host import LabHost
from quizapp.labs.menu import LabsMenuScreen
from quizapp.options import Options
from quizapp.progress.db import open_store
from quizapp.widgets.heatmap import MiniHeatmap

FIXTURES = Path(__file__).parent / "fixtures"
COURSE = Path(__file__).resolve().parent.parent / "question_bank" / "packs" / "llm-foundations"


def text_of(app, selector: str) -> str:
    """What the widget shows, line by line, as a person would read it."""
    widget = app.screen.query_one(selector)
    return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))


def german_app(pack, store, **options) -> QuizApp:
    return QuizApp(Catalog((pack,), (), (pack.id,)), Options(user_packs=None, lang="de", **options), store)


async def test_exam_setup_error_keeps_german_nouns_capitalised(tmp_path):
    store = open_store(tmp_path / "progress.sqlite3")
    app = german_app(load_pack(FIXTURES / "mini.yaml").pack, store, seed=1)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one("#count", Input).value = "1"  # two topics need two questions
            await pilot.press("enter")
            await pilot.pause()
            error = str(app.screen.query_one("#error", Static).render())
            assert error.startswith("Eine Prüfung über 2 Themen braucht mindestens 2 Fragen"), error
    finally:
        store.close()


async def test_statistics_charts_have_german_legends_and_dates(tmp_path):
    store = open_store(tmp_path / "progress.sqlite3")
    app = german_app(load_pack(FIXTURES / "mini.yaml").pack, store, seed=5, count=1)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter", "a")  # one answer, so the charts have a day to show
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            chart = text_of(app, "#forecast-chart")
            assert "Prognose" in chart and "80-%-Bereich" in chart
            assert "forecast" not in chart and "range" not in chart
            assert date.today().strftime("%d.%m.") in chart  # German short dates: 02.12.
    finally:
        store.close()


async def test_practice_summary_shows_german_topic_words_whole_at_80_columns(tmp_path):
    store = open_store(tmp_path / "progress.sqlite3")
    app = german_app(load_pack(COURSE).pack, store, seed=1, count=1, topics=("positional-encoding",))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "a")
            await pilot.pause()
            await pilot.press("enter")  # the summary
            await pilot.pause()
            table = text_of(app, "#by-topic")
            assert "Positionskodierung" in table and "Positionskodi…" not in table, table
            assert "Richtig" in table and "Right" not in table
    finally:
        store.close()


async def test_labs_menu_title_is_whole_in_german_at_80_columns():
    i18n.set_language("de")
    app = LabHost(LabsMenuScreen())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        title = " ".join(text_of(app, "#menu-title").split())
        assert "Labore: echte Zahlen" in title and title.endswith("PPO-Engine"), title


async def test_attention_key_table_and_head_roles_fit_german_at_80_columns():
    i18n.set_language("de")
    text = "The animal did not cross the street because it was tired"  # word model: keys like "7 ␣because"
    app = LabHost(open_lab("attention", "attention", {"text": text, "model": "word"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#keys", DataTable)
        deadline = time.monotonic() + 120  # the rows come from a worker, and the table measures them when idle:
        while time.monotonic() < deadline:  # a wait on the condition, generous for a busy machine
            shown = text_of(app, "#keys")
            if "maskiert" in shown:
                break
            await pilot.pause(0.02)
        assert "Gewicht" in shown and "maskiert" in shown and "masked" not in shown, shown
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= table.content_region.width
        await pilot.press("tab", "a")  # every head as a small heatmap, its role under "L0 H0"
        await settle(app, pilot)
        result = run_probe("attention", {"text": text, "layer": 0, "head": 1, "model": "word"})
        mini = next(m for m in app.screen.query(MiniHeatmap) if m.key == (0, 1))
        head, role = mini.render().plain.split("\n")[:2]
        assert head == "L0 H1" and role.strip() == i18n._(result["role"])  # the German role name, whole
        assert all(m.region.right <= 80 for m in app.screen.query(MiniHeatmap))


async def test_policy_lab_numbers_in_german_style_and_read_back():
    i18n.set_language("de")
    app = LabHost(open_lab("policy", "softmax", {}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        scores = app.screen.query_one("#scores", Input)
        assert scores.value == "2; 1; 0,5; -1"  # the comma is the decimal mark, so ';' separates
        assert app.screen.query_one("#sm-power", Input).value == "0,5"
        scores.value = "1; 0,5"
        app.screen.query_one("#sm-temperature", Input).value = "0,5"
        await settle(app, pilot)
        rows = [[str(c) for c in table_row] for table_row in
                (app.screen.query_one("#sm-table", DataTable).get_row_at(r) for r in range(2))]
        weights = [math.exp(2.0), math.exp(1.0)]  # exp(s/T) with T = 0.5
        expected = [w / sum(weights) for w in weights]
        assert [r[3] for r in rows] == [f"{p:.3f}".replace(".", ",") for p in expected]


def test_engine_reads_decimal_commas_and_semicolon_lists_but_not_thousands_in_whole_numbers():
    german = run_probe("softmax", {"scores": "2; 1; 0,5", "temperature": "0,5"})
    english = run_probe("softmax", {"scores": [2, 1, 0.5], "temperature": 0.5})
    assert german["probabilities"] == english["probabilities"]
    try:
        run_probe("positional_encoding", {"length": "1,000", "d_model": 16})
    except ProbeError as error:
        assert "1,000" in str(error)
    else:
        raise AssertionError("'1,000' was read as a whole number")


def test_ppo_update_evidence_names_its_statistics_in_german():
    from quizapp.evidence.draw import draw_ppo_step
    i18n.set_language("de")
    result = {"epsilon": 0.2, "beta": 0.05, "gradient_steps": 8,
              "stats": {"reward_score": 0.9085, "kl_to_ref": 3.1318, "clipfrac_outside": 0.0433, "approx_kl": 0.0044,
                        "ratio_min": 0.344, "ratio_max": 2.0735}}
    shown = draw_ppo_step(result, "de").plain
    assert "Reward-Modell-Score: 0,9085" in shown and "größte Ratio: 2,0735" in shown
    assert "reward score" not in shown and "clipfrac" not in shown and "ratio max" not in shown


def test_generic_evidence_names_and_values_are_german():
    """pe_entry, ratio_from_logprobs and clip_branch have no drawing of their own: their keys were shown raw."""
    from quizapp.evidence.draw import draw_scalars
    i18n.set_language("de")
    entry = draw_scalars(run_probe("pe_entry", {"pos": 3, "i": 1, "d_model": 16}), "de").plain
    assert "Frequenz ω: 0,3162" in entry and "Winkel: 0,9487" in entry  # 10000^(-2/16) = 0.3162, 3 × that
    assert "frequency" not in entry and "angle" not in entry
    branch = draw_scalars(run_probe("clip_branch", {"ratio": 1.5, "advantage": 1.0}), "de").plain
    assert "Zweig: (1+ε)·Â, bei 1+ε geclippt" in branch and "Gradient fließt: nein" in branch
    assert "clipped at" not in branch and "False" not in branch and "advantage" not in branch
