"""The three packages stay in their lanes: engine and question_bank never import textual,
and the app reaches its first screen without importing torch (a subprocess each, so
nothing else in the test run has imported them already)."""
import json
import subprocess
import sys
import textwrap

import pytest


def loaded_modules(code: str) -> set[str]:
    script = textwrap.dedent(code) + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("code", [
    "import engine, engine.probes, engine.cli; engine.probes.all_probes()",
    "from engine.probes import run_probe; run_probe('softmax', {'scores': [1, 2]})",
    "import question_bank, question_bank.loader, question_bank.validate, question_bank.schema",
    "from question_bank.loader import load_pack, bundled_pack_paths; [load_pack(p) for p in bundled_pack_paths()]",
])
def test_core_packages_never_import_textual_or_torch(code):
    modules = loaded_modules(code)
    assert not heavy(modules, "textual"), "engine/question_bank imported textual"
    assert not heavy(modules, "torch"), "listing probes or loading packs imported torch"


def test_app_reaches_first_question_without_torch():
    modules = loaded_modules("""
        import asyncio
        from quizapp.app import QuizApp
        from quizapp.catalog import load_catalog
        from quizapp.options import Options

        async def main():
            app = QuizApp(load_catalog([], None), Options(user_packs=None, seed=1))
            async with app.run_test(size=(100, 32)) as pilot:
                await pilot.pause()
                assert type(app.screen).__name__ == "HomeScreen", app.screen
                await pilot.press("enter")
                await pilot.pause()
                assert type(app.screen).__name__ == "QuestionScreen", app.screen
        asyncio.run(main())
    """)
    assert heavy(modules, "textual")
    assert not heavy(modules, "torch"), "the first screen imported torch"
    assert not heavy(modules, "matplotlib") and not heavy(modules, "genanki"), "instructor tools on the start-up path"
    assert not heavy(modules, "quizapp.palette"), "the command palette is loaded when it opens, not at start"


# --- the import graph, read from the source ---

from import_graph import cycles, external_imports, imports, project_modules  # noqa: E402

MODULES = project_modules()
GRAPH = imports(MODULES)


def test_the_graph_sees_every_package_and_its_imports():
    assert {"engine.probes", "question_bank.loader", "quizapp.app"} <= set(MODULES)
    assert "engine.probes" in GRAPH["question_bank.loader"]


def test_no_module_imports_itself_back_through_others():
    assert cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("lower, higher", [("engine", "question_bank"), ("engine", "quizapp"),
                                           ("question_bank", "quizapp")])
def test_imports_point_down_only(lower, higher):
    wrong = sorted(f"{m} → {t}" for m, targets in GRAPH.items() if m.split(".")[0] == lower
                   for t in targets if t.split(".")[0] == higher)
    assert wrong == []


# texts: the translation hook; identity: the probes' checksum, which the pack cache asks for on the way
# to the first screen without registering every probe (engine.probes re-exports it)
DOORS = (["engine", "probes"], ["engine", "cli"], ["engine", "texts"], ["engine", "identity"])


def test_the_rest_of_the_app_enters_the_engine_through_probes_or_its_cli():
    wrong = sorted(f"{m} → {t}" for m, targets in GRAPH.items() if not m.startswith("engine")
                   for t in targets if t.startswith("engine") and t.split(".")[:2] not in DOORS)
    assert wrong == []


def test_only_the_engine_cli_imports_rich():
    wrong = sorted(m for m, names in external_imports(MODULES).items()
                   if m.startswith("engine") and not m.startswith("engine.cli") and "rich" in names)
    assert wrong == []
