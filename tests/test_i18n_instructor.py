"""The instructor's side in German: `quizapp validate` diagnostics, the pack cache's messages in the
language of the run, and pack and topic titles in other languages."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from question_bank import loader
from question_bank.loader import bundled_pack_paths, load_pack
from question_bank.schema import json_schema
from quizapp import i18n
from quizapp.catalog import load_catalog

BROKEN = """\
format: 1
pack:
  id: broken
  title: Broken
topics:
  - id: t1
    title: Topic one
questions:
  - id: q1
    topic: t2
    prompt: What?
    difficulty: high
    choices:
      - text: A
        correct: true
      - text: B
        colour: red
"""

TITLED = """\
format: 1
pack:
  id: titled
  title: Demo pack
  description: A pack for tests.
  translations:
    de: {title: Vorführpaket, description: Ein Paket für Tests.}
topics:
  - id: t1
    title: Topic one
    translations: {de: {title: Thema eins}}
  - id: t2
    title: Topic two
questions:
  - id: q1
    topic: t1
    prompt: What?
    explanation: Because.
    choices:
      - {text: A, correct: true}
      - {text: B}
  - id: q2
    topic: t2
    prompt: Which?
    explanation: Because.
    choices:
      - {text: A, correct: true}
      - {text: B}
"""

PLACE = re.compile(r"^(.+?):(\d+):(\d+): (\w+): (.*)$")


def place_of(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """1-based line and column of `needle` (the first after `after`) in `text`: where an editor shows it."""
    offset = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def quizapp(*args: str, lang_env: str = "C.UTF-8", home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG=lang_env, QUIZAPP_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "quizapp", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def diagnostics(out: str) -> list[tuple[str, str, str, str]]:
    """(line, col, severity word, message) of each `path:line:col: severity: message` line."""
    return [m.group(2, 3, 4, 5) for m in map(PLACE.match, out.splitlines()) if m]


def test_validate_speaks_german_at_the_same_places(tmp_path, private_home):
    pack = tmp_path / "broken.yaml"
    pack.write_text(BROKEN, encoding="utf-8")
    english = quizapp("validate", str(pack), home=private_home)
    german = quizapp("--lang", "de", "validate", str(pack), home=private_home)
    assert english.returncode == german.returncode == 1
    en, de = diagnostics(english.stdout), diagnostics(german.stdout)
    assert len(en) == len(de) == 4
    assert [d[:2] for d in en] == [d[:2] for d in de]  # the same line:column for every problem
    topic, difficulty, question = (tuple(map(str, place_of(BROKEN, needle))) for needle in ("t2", "high", "id: q1"))
    assert (*topic, "error", "question 'q1': unknown topic 't2'") in en
    assert (*topic, "Fehler", "Frage 'q1': unbekanntes Thema 't2'") in de
    assert (*difficulty, "Fehler", "Frage 'q1': 'difficulty' muss eine ganze Zahl sein, gefunden: Text") in de
    assert (*question, "Warnung", "Frage 'q1': keine Erklärung") in de
    assert not any("unknown" in d[3] or "question" in d[3] for d in de)
    assert english.stderr.strip() == "1 pack, 0 questions: 3 errors, 1 warning"
    assert german.stderr.strip() == "1 Paket, 0 Fragen: 3 Fehler, 1 Warnung"


def test_a_german_locale_and_lang_after_the_command_work_too(tmp_path, private_home):
    pack = tmp_path / "broken.yaml"
    pack.write_text(BROKEN, encoding="utf-8")
    by_locale = quizapp("validate", str(pack), lang_env="de_DE.UTF-8", home=private_home)
    after = quizapp("validate", "--lang=de", str(pack), home=private_home)
    assert by_locale.stdout == after.stdout and "Fehler: Frage 'q1': Antwort 2: unbekannter Schlüssel 'colour'" \
        in after.stdout
    missing = quizapp("validate", "--lang", "de", str(tmp_path / "nowhere"), home=private_home)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"quizapp validate: keine solche Datei und kein solcher Ordner: " \
                                     f"{tmp_path / 'nowhere'}"


def test_a_cached_broken_pack_shows_its_error_in_the_language_of_the_run(tmp_path, monkeypatch):
    user = tmp_path / "packs"
    user.mkdir()
    (user / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    cache = tmp_path / "cache"
    parsed: list[str] = []
    real = loader.load_one
    monkeypatch.setattr(loader, "load_one", lambda path, *a, **k: parsed.append(str(path)) or real(path, *a, **k))

    def first_error() -> str:
        broken = load_catalog([], user, cache).broken
        assert [Path(b.path).name for b in broken] == ["broken.yaml"]
        return broken[0].first_error.message

    assert first_error() == "question 'q1': unknown topic 't2'"
    i18n.set_language("de")
    assert first_error() == "Frage 'q1': unbekanntes Thema 't2'"  # not the English entry of the last run
    assert str(load_catalog([], user, cache).broken[0].first_error).endswith(
        ":10:12: Fehler: Frage 'q1': unbekanntes Thema 't2'")
    i18n.set_language("en")
    before = len(parsed)
    assert first_error() == "question 'q1': unknown topic 't2'"
    i18n.set_language("de")
    assert first_error() == "Frage 'q1': unbekanntes Thema 't2'"
    assert [p for p in parsed[before:] if p.endswith("broken.yaml")] == []  # both languages came from the cache


def test_pack_and_topic_titles_load_in_their_languages(tmp_path):
    path = tmp_path / "titled.yaml"
    path.write_text(TITLED, encoding="utf-8")
    result = load_pack(path)
    assert result.ok and not result.problems
    pack = result.pack
    assert (pack.title_in("de"), pack.title_in("en"), pack.title_in(None)) == ("Vorführpaket", "Demo pack", "Demo pack")
    assert pack.description_in("de") == "Ein Paket für Tests." and pack.description_in("fr") == "A pack for tests."
    assert [t.title_in("de") for t in pack.topics] == ["Thema eins", "Topic two"]  # t2 keeps its own title
    i18n.set_language("de")
    assert i18n.shown_title(pack) == "Vorführpaket"


def test_a_pack_without_title_translations_loads_unchanged():
    for path in bundled_pack_paths():
        pack = load_pack(path).pack
        assert pack is not None
        assert pack.title_in("de") != pack.title  # the bundled packs have German titles
    old = load_pack(Path(__file__).parent / "fixtures" / "mini.yaml").pack
    assert old.translations == {} and old.title_in("de") == old.title


@pytest.mark.parametrize("translations, at, message", [
    ("{de: Vorführpaket}", "Vorführpaket", "pack: translation 'de': must be a mapping, found text"),
    ("{de: {titel: X}}", "{titel", "pack: translation 'de': missing required field 'title'"),
    ("{de: {titel: X}}", "titel", "pack: translation 'de': unknown key 'titel' (did you mean 'title'?)"),
    ("{de: {title: ''}}", "''", "pack: translation 'de': 'title' is empty"),
    ("{Deutsch: {title: X}}", "Deutsch", "pack: 'Deutsch' is not a language tag like 'de' or 'pt-BR'"),
    ("[de]", "[de]", "pack: 'translations' must be a mapping, found a list"),
])
def test_a_bad_title_translation_is_an_error_at_its_place(tmp_path, translations, at, message):
    text = TITLED.replace("    de: {title: Vorführpaket, description: Ein Paket für Tests.}\n", "") \
        .replace("  translations:\n", f"  translations: {translations}\n", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_pack(path)
    assert result.pack is None
    line, col = place_of(text, at, after="translations: ")
    assert (line, col, "error", message) in [(p.line, p.col, p.severity, p.message) for p in result.problems]


def test_a_bad_topic_title_translation_is_located_in_german_too(tmp_path):
    text = TITLED.replace("{de: {title: Thema eins}}", "{de: Thema eins}")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    i18n.set_language("de")
    problems = load_pack(path).problems
    line, col = place_of(text, "Thema eins")
    assert [(p.line, p.col, str(p).split(": ", 1)[1]) for p in problems] == [
        (line, col, "Fehler: Thema 1: Übersetzung 'de': muss eine Zuordnung sein, gefunden: Text")]


def test_the_schema_accepts_title_translations_and_refuses_a_bad_shape(tmp_path):
    validator = jsonschema.Draft202012Validator(json_schema())
    data = yaml.safe_load(TITLED)
    assert list(validator.iter_errors(data)) == []
    data["topics"][0]["translations"] = {"de": {"titel": "X"}}
    assert list(validator.iter_errors(data))


def option_texts(widget) -> list[str]:
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


async def test_the_german_home_screen_shows_translated_titles_and_t_switches_them(tmp_path):
    from textual.widgets import OptionList, SelectionList

    from quizapp.app import QuizApp
    from quizapp.catalog import Catalog
    from quizapp.options import Options
    from quizapp.progress.db import open_store

    path = tmp_path / "titled.yaml"
    path.write_text(TITLED, encoding="utf-8")
    pack = load_pack(path).pack
    i18n.set_language("de")
    store = open_store()
    app = QuizApp(Catalog((pack,), (), ("titled",)), Options(user_packs=None, lang="de"), store)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert option_texts(screen.query_one("#packs", OptionList)) == ["Vorführpaket  (2)"]
            assert option_texts(screen.query_one("#topics", SelectionList)) == ["Thema eins  (1)", "Topic two  (1)"]
            assert "Ein Paket für Tests." in str(screen.query_one("#pack-info").render())
            await pilot.press("t")
            await pilot.pause()
            assert option_texts(screen.query_one("#packs", OptionList)) == ["Demo pack  (2)"]
            assert option_texts(screen.query_one("#topics", SelectionList)) == ["Topic one  (1)", "Topic two  (1)"]
            assert "A pack for tests." in str(screen.query_one("#pack-info").render())
    finally:
        store.close()


def test_a_bad_import_fails_with_one_german_line_and_writes_nothing(tmp_path, private_home):
    source = tmp_path / "latin1.gift"
    source.write_bytes("::q1:: Café? {=a ~b}\n".encode("latin-1"))
    out = tmp_path / "out.yaml"
    german = quizapp("--lang", "de", "import", "gift", str(source), "-o", str(out), home=private_home)
    english = quizapp("import", "gift", str(source), "-o", str(out), home=private_home)
    assert german.returncode == english.returncode == 1 and not out.exists()
    assert german.stderr.splitlines() == [
        f"quizapp import: {source}:1:1: Fehler: kein gültiges UTF-8 (Byte 0xe9); speichere die Datei als UTF-8"]
    assert english.stderr.splitlines() == [
        f"quizapp import: {source}:1:1: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_an_import_reports_and_sums_up_in_german_but_writes_the_pack_as_always(tmp_path, private_home):
    source = tmp_path / "quiz.gift"
    source.write_text("::q1:: Which? {=a ~b}\n\n::q2:: Tell me {}\n", encoding="utf-8")
    german = quizapp("--lang", "de", "import", "gift", str(source), "-o", str(tmp_path / "de.yaml"), home=private_home)
    english = quizapp("import", "gift", str(source), "-o", str(tmp_path / "en.yaml"), home=private_home)
    assert german.returncode == english.returncode == 0
    assert german.stdout.splitlines() == ["1 Frage importiert, 1 übersprungen (1 essay)",
                                          f"{tmp_path / 'de.yaml'} geschrieben"]
    assert german.stderr.strip() == (f"{source}:3:1: Warnung: übersprungen: eine Frage vom Typ essay 'q2': das "
                                     "Paketformat kennt nur Single- und Multiple-Choice-Fragen")
    assert english.stdout.splitlines()[0] == "1 question imported, 1 skipped (1 essay)"
    # The pack file is data: the same in both languages (its comment names the source file only).
    assert (tmp_path / "de.yaml").read_text(encoding="utf-8") == (tmp_path / "en.yaml").read_text(encoding="utf-8")


def test_an_export_notes_in_german_and_the_exported_file_stays_as_it_was(tmp_path, private_home):
    pack = str(bundled_pack_paths()[0].parent / "format-tour")
    german = quizapp("--lang", "de", "export", "aiken", pack, "-o", str(tmp_path / "de.txt"), home=private_home)
    english = quizapp("export", "aiken", pack, "-o", str(tmp_path / "en.txt"), home=private_home)
    assert german.returncode == english.returncode == 0
    assert "quizapp export: Hinweis: 1 Frage mit mehreren Antworten übersprungen" in german.stderr
    assert "note:" not in german.stderr and "quizapp export: note: skipped 1 multiple-answer question" in english.stderr
    assert (tmp_path / "de.txt").read_bytes() == (tmp_path / "en.txt").read_bytes()


def test_the_report_speaks_german_and_its_json_stays_english(tmp_path, private_home):
    from quizapp.results.simulate import simulated_class, write_class

    pack, results = write_class(simulated_class(learners=60, questions=6, negative=1, dead=1, seed=3), tmp_path)
    html = tmp_path / "report.html"
    german = quizapp("--lang", "de", "report", str(results), "--pack", str(pack), "--html", str(html),
                     home=private_home)
    assert german.returncode == 0, german.stderr
    assert "Itemanalyse" in german.stdout and "Reliabilität: KR-20 = " in german.stdout
    assert "negatives r -" in german.stdout  # the flagged question's short reason
    assert "Item analysis" not in german.stdout and "Reliability" not in german.stdout
    assert re.search(r"\b0,\d\d\b", german.stdout)  # figures with a decimal comma
    read, wrote = german.stderr.splitlines()[-2:]
    assert re.fullmatch(r"gelesen: \d+ Dateien, [\d.]+ Zeilen, 0 fehlerhaft", read), read
    assert wrote == f"{html} geschrieben"
    page = html.read_text(encoding="utf-8")
    assert '<html lang="de">' in page and "<h2>Markierte Fragen</h2>" in page and "Schwierigkeit" in page
    assert "Flagged questions" not in page
    as_json = quizapp("--lang", "de", "report", str(results), "--pack", str(pack), "--json", home=private_home)
    data = json.loads(as_json.stdout)
    reasons = [f["reason"] for item in data["items"] for f in item["flags"]]
    assert any(r.startswith("negative discrimination: r = -") for r in reasons)
    assert data["reliability"]["note"].startswith("KR-20 = ") and "learners who answered all" in \
        data["reliability"]["note"]


async def test_the_authors_preview_speaks_german(tmp_path):
    import shutil

    from test_preview import text_of, until_loaded

    from quizapp.authoring.preview import PreviewApp

    tour = tmp_path / "tour"
    shutil.copytree(bundled_pack_paths()[0].parent / "format-tour", tour)
    i18n.set_language("de")
    app = PreviewApp(tour, interval=None, engine=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        await until_loaded(pilot, screen, 1)
        status = text_of(screen, "#status")
        assert "Frage 1/5" in status and "Rundgang durch das Format" in status  # the pack's German title
        assert "Keine Probleme" in text_of(screen, "#problems")
        choices = text_of(screen, "#choices")
        assert choices.count("✓ Lösung") == 1 and "key" not in choices
        assert text_of(screen, "#explanation").startswith("**Erklärung.** ")


async def test_t_on_the_home_screen_shows_a_broken_packs_error_in_the_new_language(tmp_path):
    from textual.widgets import Static

    from quizapp.app import QuizApp
    from quizapp.options import Options
    from quizapp.progress.db import open_store

    user = tmp_path / "packs"
    user.mkdir()
    (user / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    i18n.set_language("de")
    catalog = load_catalog([], user, tmp_path / "cache")
    store = open_store()
    app = QuizApp(catalog, Options(user_packs=None, lang="de"), store)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            broken = " ".join(str(app.screen.query_one("#broken", Static).render()).split())
            assert "broken.yaml:10:12: Frage 'q1': unbekanntes Thema 't2'" in broken
            await pilot.press("t")
            await pilot.pause()
            broken = " ".join(str(app.screen.query_one("#broken", Static).render()).split())
            assert "broken.yaml:10:12: question 'q1': unknown topic 't2'" in broken and "Thema" not in broken
    finally:
        store.close()
