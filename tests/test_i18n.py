"""The translation layer: every text has a German entry, no screen shows an English literal
outside it, the language comes from --lang / the saved choice / the locale, numbers follow it."""
import gettext
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from i18n_extract import entries, extract, forms, plural_of, read_catalogue
from i18n_literals import MESSAGE_CHECKED, checked_files, english_words, untranslated
from question_bank.numbers import format_number, localize_number
from quizapp import i18n
from quizapp.po import compile_po

CATALOGUE = Path(i18n.__file__).parent / "locale" / "de.po"
FIELDS = re.compile(r"\{[^{}]*\}|%\(\w+\)[sr]|%[sr]")
TAGS = re.compile(r"\[/?[a-z$][^\]]*\]|\[/\]|\*\*")


def german() -> dict[str, object]:
    return entries(read_catalogue(CATALOGUE))


def test_every_translatable_text_has_a_german_entry():
    found, _ = extract()
    assert len(found) > 150  # the extractor sees the app's texts at all
    entries = german()
    missing = [f"{m.where}: {m.msgid!r}" for m in found.values()
               if m.msgid not in entries or entries[m.msgid].fuzzy or not all(forms(entries[m.msgid]))]
    assert not missing, "no German entry (run python tests/i18n_extract.py quizapp/locale/de.po):\n" + \
        "\n".join(missing)
    stale = sorted(set(entries) - set(found))
    assert not stale, f"entries for texts the source no longer has: {stale}"


def test_german_entries_keep_the_placeholders_and_markup():
    for msgid, entry in german().items():
        fields = set(FIELDS.findall(msgid + (plural_of(entry) or "")))
        for msgstr in forms(entry):
            if plural_of(entry) is None:
                assert sorted(FIELDS.findall(msgstr)) == sorted(FIELDS.findall(msgid)), (msgid, msgstr)
            else:  # a singular form may leave out the number ("the skipped question")
                assert set(FIELDS.findall(msgstr)) <= fields, (msgid, msgstr)
            assert sorted(TAGS.findall(msgstr)) == sorted(TAGS.findall(msgid)), (msgid, msgstr)


def test_plural_entries_have_both_german_forms():
    found, _ = extract()
    entries = german()
    for m in found.values():
        if m.plural is not None:
            assert plural_of(entries[m.msgid]) == m.plural
            assert len(forms(entries[m.msgid])) == 2 and all(forms(entries[m.msgid]))


def test_no_english_literal_on_screen_outside_the_translation_call():
    problems = [p for path in checked_files() for p in untranslated(path)]
    assert not problems, "English shown without _():\n" + "\n".join(problems)


def test_no_english_message_in_the_command_line_modules_outside_the_translation_call():
    files = checked_files(MESSAGE_CHECKED)
    assert len(files) > 40  # the CLI, results, progress and the whole question bank are read
    problems = [p for path in files for p in untranslated(path, messages=True)]
    assert not problems, "English message without _():\n" + "\n".join(problems)


def test_the_message_rule_catches_what_it_should(tmp_path, monkeypatch):
    import i18n_literals

    sample = tmp_path / "command.py"
    sample.write_text(
        'print(f"wrote {path}")\n'
        'print(_("wrote {path}").format(path=path))\n'
        'sys.stderr.write("no such pack\\n")\n'
        'raise argparse.ArgumentTypeError("must be a number")\n'
        'parser.add_argument("--seed", help="seed for drawing")\n'
        'self.error(node, f"unknown key {name}")\n'
        'Problem(path, 1, 1, "error", "the file is empty")\n'
        'Problem(path, 1, 1, "error", _("the file is empty"))\n'
        'raise TypeError("cannot cache a set")\n'
        'out.append(f"ANSWER: {letter}")\n'
        'build_pack(description=f"Imported from {name}")\n', encoding="utf-8")
    monkeypatch.setattr(i18n_literals, "ROOT", tmp_path)
    lines = sorted(int(p.split(":")[1]) for p in untranslated(sample, messages=True))
    assert lines == [1, 3, 4, 5, 6, 7]  # file contents (out.append, a pack's description) and bugs (TypeError) pass


def test_the_literal_rule_catches_what_it_should(tmp_path, monkeypatch):
    import i18n_literals

    sample = tmp_path / "screen.py"
    sample.write_text(
        'Static("Hello there")\n'
        'Static(_("Hello there"))\n'
        'Binding("q", "quit", "Quit")\n'
        'Binding("q", "quit", N_("Quit"))\n'
        'self.notify(f"Saved {n} answers")\n'
        'Text("[b]d_k[/b] = {x}", style="bold")\n'
        'x.tooltip = "temperature of the softmax"\n'
        'HINT = "Type any text"\n'
        'table.add_row("objective = min", num(x))\n'
        'table.add_row(_("objective = min"), "r_t", str(i))\n'
        'Table(title="the curve over r", caption=_("zero gradient"))\n'
        'Table(caption="zero gradient")\n'
        'p.add_argument("--json", help="print the result as JSON")\n'
        'p.add_argument("--json", help=_("print the result as JSON"))\n', encoding="utf-8")
    monkeypatch.setattr(i18n_literals, "ROOT", tmp_path)
    lines = sorted(int(p.split(":")[1]) for p in untranslated(sample))
    assert lines == [1, 3, 5, 7, 8, 9, 11, 12, 13]
    assert english_words("[b $error]✗[/] {path}") == []


def test_the_compiled_catalogue_leaves_out_fuzzy_entries_and_keeps_plurals_and_continued_lines():
    po = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
          'msgid "Back"\nmsgstr "Zurück"\n\n'
          '#, fuzzy\nmsgid "Half done"\nmsgstr "Halb"\n\n'
          'msgid "{n} topic"\nmsgid_plural "{n} topics"\nmsgstr[0] "{n} Thema"\nmsgstr[1] "{n} Themen"\n\n'
          'msgid ""\n"two "\n"lines"\nmsgstr "zwei "\n"Zeilen"\n')
    catalogue = gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    assert catalogue.gettext("Back") == "Zurück"
    assert catalogue.gettext("Half done") == "Half done"  # fuzzy entries are not used
    assert catalogue.ngettext("{n} topic", "{n} topics", 1) == "{n} Thema"
    assert catalogue.ngettext("{n} topic", "{n} topics", 3) == "{n} Themen"
    assert catalogue.gettext("two lines") == "zwei Zeilen"


def test_switching_language_translates_and_english_needs_no_catalogue():
    assert i18n._("Practice") == "Practice"
    assert i18n.set_language("de_DE.UTF-8") == "de"
    assert i18n._("Practice") == "Üben"
    assert i18n.ngettext("{n} question is still open.", "{n} questions are still open.", 2) == \
        "{n} Fragen sind noch offen."
    assert i18n.set_language("fr") == "fr"  # no French catalogue: English texts, French numbers
    assert i18n._("Practice") == "Practice"
    assert i18n.num(0.5, ".1f") == "0,5"


def test_the_engine_and_the_question_bank_translate_with_the_apps_catalogue():
    from engine import texts

    i18n.set_language("de")
    assert texts._("Practice") == "Üben"
    assert texts.ngettext("{n} question is still open.", "{n} questions are still open.", 1) == \
        "{n} Frage ist noch offen."
    i18n.set_language("en")
    assert texts._("Practice") == "Practice"


@pytest.mark.parametrize("asked, saved, env, expected", [
    ("en", "de", {"LANG": "de_DE.UTF-8"}, "en"),        # --lang wins
    (None, "de", {"LANG": "en_GB.UTF-8"}, "de"),        # then the saved choice
    (None, None, {"LANG": "de_DE.UTF-8"}, "de"),        # then the system locale
    (None, None, {"LANGUAGE": "de:en", "LANG": "C.UTF-8"}, "de"),
    (None, None, {"LC_ALL": "C"}, "en"),
    (None, 42, {}, "en"),                               # a damaged setting is ignored
])
def test_language_comes_from_flag_then_setting_then_locale(asked, saved, env, expected):
    assert i18n.choose_language(asked, saved, env) == expected


def test_numbers_follow_the_language():
    # The reference: the German convention (decimal comma, dot between thousands), written out.
    assert format_number(0.873, ".2f", "de") == "0,87"
    assert format_number(50257, ",", "de") == "50.257"
    assert format_number(1234567.891, ",.2f", "de") == "1.234.567,89"
    assert format_number(0.873, ".2f", "en") == "0.87"
    assert format_number(50257, ",", "en") == "50,257"
    assert localize_number("1.5e-05", "de") == "1,5e-05"
    i18n.set_language("de")
    assert i18n.num(0.125, ".3f") == "0,125"


def run(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "quizapp", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_german_locale_starts_the_cli_in_german_and_lang_overrides_it(tmp_path):
    home = {"QUIZAPP_HOME": str(tmp_path)}
    out = run("--help", env_extra={"LANG": "de_DE.UTF-8", **home})
    assert out.returncode == 0
    assert out.stdout.startswith("Aufruf: quizapp")
    assert "diese Hilfe zeigen und beenden" in out.stdout and "Befehle:" in out.stdout
    out = run("--lang", "en", "--help", env_extra={"LANG": "de_DE.UTF-8", **home})
    assert out.stdout.startswith("usage: quizapp")
    out = run("--count", "0", env_extra={"LANG": "de_DE.UTF-8", **home})
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1] == "quizapp: Fehler: Argument --count: muss mindestens 1 sein"


def test_the_compiled_catalogue_is_kept_reused_rebuilt_when_damaged_or_changed(tmp_path, monkeypatch):
    import quizapp.po as po

    source = tmp_path / "de.po"
    source.write_text(CATALOGUE.read_text(encoding="utf-8"), encoding="utf-8")
    cache = tmp_path / "cache"
    first = po.load_translations(source, cache)
    [compiled] = cache.glob("de-*.mo")
    assert first.gettext("Practice") == "Üben"

    monkeypatch.setattr(po, "compile_po", lambda text: pytest.fail("the .po was compiled again"))
    assert po.load_translations(source, cache).gettext("Practice") == "Üben"  # from the compiled copy
    monkeypatch.undo()

    compiled.write_bytes(b"\xde\x12\x04\x95 damaged")
    assert po.load_translations(source, cache).gettext("Practice") == "Üben"
    assert compiled.read_bytes() == po.compile_po(source.read_text(encoding="utf-8"))

    source.write_text(source.read_text(encoding="utf-8").replace('msgstr "Üben"', 'msgstr "Trainieren"'),
                      encoding="utf-8")
    assert po.load_translations(source, cache).gettext("Practice") == "Trainieren"
    assert [p.name for p in cache.glob("de-*.mo")] != [compiled.name] and len(list(cache.glob("de-*.mo"))) == 1


def test_an_unwritable_cache_folder_still_gives_the_catalogue(tmp_path):
    from quizapp.po import load_translations

    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert load_translations(CATALOGUE, blocker).gettext("Practice") == "Üben"
    assert not list(tmp_path.glob(".*.part"))
