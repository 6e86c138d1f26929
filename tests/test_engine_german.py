"""`quizapp engine` in German: help, drawings, errors and the labels the engine returns as data.

The engine's texts are English msgids; German comes from the app's catalogue (quizapp/locale/de.po)
when the language is German. Results stay English data: --json is the same in every language.
"""
import ast
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp import i18n
from quizapp.cli import main as quizapp_main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, lang_env: str | None = None) -> subprocess.CompletedProcess:
    """`quizapp ARGS` as installed, 200 columns wide so that no phrase is wrapped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update({"COLUMNS": "200", "LANG": lang_env or "C.UTF-8"})
    return subprocess.run([sys.executable, "-m", "quizapp", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def inprocess(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "200")
    code = quizapp_main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def german(number: float, spec: str) -> str:
    """The German reference: Python's English format with the decimal point made a comma."""
    return format(number, spec).replace(".", ",")


def test_attention_is_drawn_in_german_with_german_numbers():
    out = run("--lang", "de", "engine", "attention", "--text", "the cat sat")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Schicht 0, Kopf 0 (vorheriges Token), d_k = 32" in text
    assert "Zeilen: Queries, Spalten: Keys" in text
    assert "die letzte Query (t) gegen jeden Key" in text and "erlaubt" in text and "Gewicht" in text
    for english in ("layer 0", "previous token", "rows: queries", "against every key", "allowed", "weight"):
        assert english not in text
    # the last query's weights, from the same probe's JSON, written the German way
    result = json.loads(run("engine", "attention", "--text", "the cat sat", "--json").stdout)
    last = result["weights"][-1]
    assert german(max(last), ".3f") in text and format(max(last), ".3f") not in text


def test_ppo_clip_in_german_and_english_unchanged(capsys, monkeypatch):
    args = ("engine", "ppo-clip", "--ratio", "1.5", "--advantage", "1", "--epsilon", "0.2")
    code, out, _ = inprocess(capsys, monkeypatch, "--lang", "de", *args)
    assert code == 0
    assert "L^CLIP für r = 1,5, Â = 1, ε = 0,2" in out
    assert "Zielfunktion = min" in out and "Clip aktiv (Gradient null)" in out
    assert "clip(r; 0,8; 1,2)·Â" in out and german(1.2, ".4f") in out  # min(1.5·1, 1.2·1)
    assert "die Kurve über r (PPO-Paper, Abbildung 1)" in out
    assert "objective" not in out and "1.2000" not in out
    code, out, _ = inprocess(capsys, monkeypatch, "--lang", "en", *args)
    assert code == 0
    assert "objective = min" in out and "clip(r, 0.8, 1.2)·Â" in out and "1.2000" in out
    assert "Zielfunktion" not in out


def test_a_label_the_engine_returns_is_translated_in_the_generic_drawing(capsys, monkeypatch):
    code, out, _ = inprocess(capsys, monkeypatch, "--lang", "de", "engine", "clip-branch", "--ratio", "1.5",
                             "--advantage", "1")
    assert code == 0
    assert "(1+ε)·Â, bei 1+ε geclippt" in out and "nein" in out  # the branch, and gradient_flows False
    assert "clipped at" not in out and "False" not in out


def test_json_is_the_same_data_in_every_language(capsys, monkeypatch):
    outputs = {}
    for args in (("engine", "clip-branch", "--ratio", "1.5", "--advantage", "1", "--json"),
                 ("engine", "positional-encoding", "--length", "4", "--d-model", "4", "--json")):
        _, english, _ = inprocess(capsys, monkeypatch, "--lang", "en", *args)
        _, german_out, _ = inprocess(capsys, monkeypatch, "--lang", "de", *args)
        assert german_out == english
        outputs[args[1]] = json.loads(english)
    assert outputs["clip-branch"]["branch"] == "(1+ε)·Â, clipped at 1+ε" and outputs["clip-branch"]["clipped"] == 1.2
    assert outputs["positional-encoding"]["note"].startswith("similarity[p][q] = PE[p]·PE[q]")


def test_bad_arguments_are_one_german_line():
    out = run("--lang", "de", "engine", "attention", "--text", "abc", "--layer", "9")
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == ("quizapp engine attention: Fehler: layer muss zwischen 0 und 2 liegen "
                          "(das Modell hat 3 Schichten), nicht 9\n")
    out = run("engine", "softmax", "--scores", "1,abc", lang_env="de_DE.UTF-8")
    assert out.returncode == 1
    assert out.stderr == ("quizapp engine softmax: Fehler: Probe 'softmax': scores muss eine endliche Zahl sein, "
                          "nicht 'abc'\n")
    out = run("--lang", "de", "engine", "ppo-clip", "--ratio", "-1", "--advantage", "1")
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "ratio muss zwischen 0,0 und 1000,0 liegen, nicht -1,0" in out.stderr


def test_engine_help_in_german():
    out = run("engine", "--help", lang_env="de_DE.UTF-8")
    assert out.returncode == 0
    assert out.stdout.startswith("Aufruf: quizapp engine")
    assert "Die Berechnungen der Engine (Proben) und das Training ausführen." in out.stdout
    assert "die Proben und ihre Argumente auflisten" in out.stdout
    assert "Run the engine" not in out.stdout and "list the probes" not in out.stdout
    out = run("--lang", "de", "engine", "attention", "--help")
    assert out.returncode == 0
    assert "das Ergebnis als JSON ausgeben" in out.stdout
    assert "welches trainierte Modell (eins von pretrain, sft, rlhf; Standard: pretrain)" in out.stdout
    assert "bis zu 10.000 Zeichen" in out.stdout  # German thousands
    assert "print the result" not in out.stdout and "default:" not in out.stdout
    out = run("--lang", "de", "engine", "train", "--help")
    assert "welche Stufe trainiert wird (Standard: pretrain)" in out.stdout and "which stage" not in out.stdout


def test_the_head_roles_of_every_bundled_checkpoint_have_german_names():
    from engine.transformer.weights import load_meta

    roles = {head["role"] for name in ("pretrain", "word-pretrain")
             for layer in load_meta(name)["head_roles"]["heads"] for head in layer}
    assert "previous token" in roles
    i18n.set_language("de")
    untranslated = [role for role in roles if i18n._(role) == role]
    assert not untranslated


def test_an_evidence_drawing_shows_the_role_in_the_language():
    from engine.probes import run_probe
    from quizapp.evidence.draw import draw_attention

    result = run_probe("attention", {"text": "the cat sat", "layer": 0, "head": 0})
    assert result["role"] == "previous token"  # data stays English
    assert "(previous token)" in draw_attention(result, "en").plain
    i18n.set_language("de")
    drawn = draw_attention(result, "de").plain
    assert "Schicht 0 Kopf 0 (vorheriges Token)" in drawn and "previous token" not in drawn


def test_no_function_hides_the_translation_call_behind_a_variable_named_underscore():
    """`a, _ = pair` in a function that calls _() makes _ a local there: the call would fail at run time."""
    problems = []
    for path in (p for package in ("engine", "question_bank", "quizapp") for p in (ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            body = list(_own_nodes(fn))
            stores = [n.lineno for n in body if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in body)
            if stores and calls:
                problems.append(f"{path.relative_to(ROOT)}:{stores[0]} ({fn.name})")
    assert not problems, problems


def _own_nodes(node: ast.AST):
    """The nodes of a function's own scope: not those of nested functions, classes or comprehensions."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                              ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        yield child
        yield from _own_nodes(child)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_engine_drawings_fit_80_columns_where_the_english_ones_do(capsys, monkeypatch, lang):
    monkeypatch.setenv("COLUMNS", "80")
    for args in (("attention", "--text", "the cat sat on the mat"), ("gae", "--rewards", "1,1,1", "--values",
                 "0.5,0.4,0.3"), ("tokenize", "--text", "the cat"), ("next-token", "--text", "the cat"),
                 ("ppo-clip", "--ratio", "1.5", "--advantage", "1"), ("embedding", "--text", "ab")):
        assert quizapp_main(["--lang", lang, "engine", *args]) == 0
        out = capsys.readouterr().out
        assert max(len(line) for line in out.splitlines()) <= 80
        assert "…" not in out, (args, out)  # nothing cut to fit


def test_the_ppo_step_table_fits_80_columns_in_both_languages():
    from rich.console import Console

    from engine.cli.render_rl import ppo_step
    from engine.probes import run_probe

    result = run_probe("ppo_step", {"prompt": "what is a token?"})
    for lang in ("en", "de"):
        i18n.set_language(lang)
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(ppo_step(result))
        text = console.export_text()
        assert max(len(line) for line in text.splitlines()) <= 80
        assert "…" not in text  # no number cut to fit
        assert ("Belohnung" in text) == (lang == "de")


def test_missing_weights_are_reported_in_german(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_WEIGHTS_DIR", str(tmp_path))
    code, out, err = inprocess(capsys, monkeypatch, "--lang", "de", "engine", "attention", "--text", "x")
    assert code == 1 and out == ""
    assert err == (f"quizapp engine attention: Fehler: der Checkpoint pretrain ist nicht in {tmp_path} "
                   "(führe quizapp engine train --stage pretrain aus)\n")
