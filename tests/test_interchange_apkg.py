"""`quizapp export apkg`: a real Anki package, opened here as Anki opens it (a zip holding an
SQLite collection): decks, note type, fields, tags and ids that stay the same across exports."""
import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from question_bank.loader import load_pack
from quizapp.instructor_cli import export_main

PACKS = Path(__file__).resolve().parents[1] / "question_bank" / "packs"
TOUR = PACKS / "format-tour"
COURSE = PACKS / "llm-foundations"


def export_apkg(pack: Path, out: Path, *extra: str) -> tuple[int, str]:
    err = io.StringIO()
    return export_main(["apkg", str(pack), "-o", str(out), *extra], io.StringIO(), err), err.getvalue()


def open_collection(apkg: Path, tmp: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp)
    return sqlite3.connect(tmp / "collection.anki2")


def read_deck(apkg: Path, tmp: Path) -> dict:
    tmp.mkdir(exist_ok=True)
    db = open_collection(apkg, tmp)
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    (model,) = models.values()
    names = [f["name"] for f in model["flds"]]
    notes = {}
    for note_id, guid, mid, tags, flds in db.execute("SELECT id, guid, mid, tags, flds FROM notes"):
        fields = dict(zip(names, flds.split("\x1f")))
        deck_ids = {row[0] for row in db.execute("SELECT did FROM cards WHERE nid = ?", (note_id,))}
        notes[fields["Key"]] = {"guid": guid, "mid": mid, "tags": tags.split(), "fields": fields,
                                "decks": {decks[str(d)]["name"] for d in deck_ids}}
    db.close()
    return {"model": model, "fields": names, "notes": notes,
            "decks": {d["name"]: d["id"] for d in decks.values() if d["name"] != "Default"}}


def test_a_deck_per_pack_a_subdeck_per_topic_and_a_note_per_question(tmp_path):
    status, err = export_apkg(TOUR, tmp_path / "tour.apkg")
    assert status == 0 and "5 notes" in err
    deck = read_deck(tmp_path / "tour.apkg", tmp_path / "x")
    pack = load_pack(TOUR).pack
    assert set(deck["decks"]) == {"Format tour", "Format tour::Format basics", "Format tour::Format extras"}
    assert set(deck["notes"]) == {q.key for q in pack.questions}
    for q in pack.questions:
        note = deck["notes"][q.key]
        assert note["decks"] == {f"Format tour::{pack.topic(q.topic).title}"}
        assert f"format-tour::{q.topic}" in note["tags"] and f"difficulty::{q.difficulty}" in note["tags"]
        assert note["mid"] == int(deck["model"]["id"])


def test_the_note_type_puts_prompt_and_choices_in_front_and_the_key_whys_explanation_behind(tmp_path):
    export_apkg(TOUR, tmp_path / "tour.apkg")
    deck = read_deck(tmp_path / "tour.apkg", tmp_path / "x")
    (template,) = deck["model"]["tmpls"]
    assert "{{Prompt}}" in template["qfmt"] and "{{Choices}}" in template["qfmt"]
    assert "{{Answer}}" not in template["qfmt"] and "{{Whys}}" not in template["qfmt"]
    for name in ("{{FrontSide}}", "{{Answer}}", "{{Whys}}", "{{Explanation}}"):
        assert name in template["afmt"]
    fields = deck["notes"]["format-tour/tour-single-choice"]["fields"]
    assert fields["Prompt"] == "What does a softmax turn a list of scores into?"
    assert "<b>A.</b> Probabilities that are positive and sum to 1." in fields["Choices"]
    assert "<b>D.</b> Scores rounded to 0 or 1." in fields["Choices"]
    assert fields["Answer"].startswith("<div>Answer: A</div>")
    assert "<b>A</b> ✓: Softmax exponentiates each score" in fields["Whys"]
    assert "<b>B</b>: Softmax keeps the order" in fields["Whys"]
    assert "Softmax maps scores" in fields["Explanation"]


def test_both_languages_get_fields_of_their_own(tmp_path):
    export_apkg(TOUR, tmp_path / "tour.apkg")
    deck = read_deck(tmp_path / "tour.apkg", tmp_path / "x")
    assert deck["fields"][-5:] == ["Prompt_de", "Choices_de", "Answer_de", "Whys_de", "Explanation_de"]
    fields = deck["notes"]["format-tour/tour-single-choice"]["fields"]
    assert fields["Prompt_de"] == "Was macht eine Softmax aus einer Liste von Scores?"
    assert "<b>A.</b> Wahrscheinlichkeiten, die positiv sind" in fields["Choices_de"]
    assert "{{Prompt_de}}" in deck["model"]["tmpls"][0]["qfmt"]
    assert fields["Whys_de"] == ""  # the tour translates no whys: the original ones stand for both


def test_translated_whys_get_their_field(tmp_path):
    pack = tmp_path / "whys.yaml"
    pack.write_text("""format: 1
pack: {id: whys, title: Whys, language: en}
topics: [{id: t, title: T}]
questions:
  - id: q
    topic: t
    prompt: Two plus two?
    explanation: Arithmetic.
    choices:
      - {text: "4", correct: true, why: "Two and two make four."}
      - {text: "5", why: "One too many."}
    translations:
      de:
        prompt: Zwei plus zwei?
        choices: ["4", "5"]
        whys: ["Zwei und zwei sind vier.", null]
""", encoding="utf-8")
    assert export_apkg(pack, tmp_path / "whys.apkg")[0] == 0
    fields = read_deck(tmp_path / "whys.apkg", tmp_path / "x")["notes"]["whys/q"]["fields"]
    assert "<b>A</b> ✓: Zwei und zwei sind vier." in fields["Whys_de"]
    assert "<b>B</b>: One too many." in fields["Whys_de"]  # no translation given: the original why


def test_ids_stay_the_same_so_a_reimport_updates_the_notes(tmp_path):
    export_apkg(TOUR, tmp_path / "first.apkg")
    edited = tmp_path / "tour"
    shutil.copytree(TOUR, edited)
    text = (edited / "pack.yaml").read_text(encoding="utf-8")
    (edited / "pack.yaml").write_text(text.replace("turn a list of scores into", "turn a vector of logits into"),
                                      encoding="utf-8")
    export_apkg(edited, tmp_path / "second.apkg")
    first, second = read_deck(tmp_path / "first.apkg", tmp_path / "a"), read_deck(tmp_path / "second.apkg",
                                                                                  tmp_path / "b")
    assert first["model"]["id"] == second["model"]["id"] and first["decks"] == second["decks"]
    assert {k: n["guid"] for k, n in first["notes"].items()} == {k: n["guid"] for k, n in second["notes"].items()}
    assert len({n["guid"] for n in first["notes"].values()}) == len(first["notes"])  # one per question
    key = "format-tour/tour-single-choice"
    assert second["notes"][key]["fields"]["Prompt"] == "What does a softmax turn a vector of logits into?"
    assert export_apkg(COURSE, tmp_path / "course.apkg")[0] == 0
    other = read_deck(tmp_path / "course.apkg", tmp_path / "c")
    assert not set(n["guid"] for n in other["notes"].values()) & set(n["guid"] for n in first["notes"].values())


def test_calculated_questions_are_drawn_or_skipped(tmp_path):
    pack = load_pack(COURSE).pack
    calculated = [q for q in pack.questions if q.type == "calculated"]
    status, err = export_apkg(COURSE, tmp_path / "all.apkg")
    assert status == 0 and "exported as one drawn instance each" in err
    assert len(read_deck(tmp_path / "all.apkg", tmp_path / "a")["notes"]) == len(pack.questions)
    export_apkg(COURSE, tmp_path / "skip.apkg", "--calculated", "skip")
    assert len(read_deck(tmp_path / "skip.apkg", tmp_path / "b")["notes"]) == len(pack.questions) - len(calculated)


def test_the_default_file_is_named_after_the_pack(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert export_main(["apkg", str(TOUR)], io.StringIO(), io.StringIO()) == 0
    assert zipfile.is_zipfile(tmp_path / "format-tour.apkg")


@pytest.mark.parametrize("target, status", [(".", 2), ("missing-folder/deck.apkg", 2)])  # as for every -o
def test_a_target_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, target, status):
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    assert export_main(["apkg", str(TOUR), "-o", target], io.StringIO(), err) == status
    assert err.getvalue().startswith("quizapp export: ") and "Traceback" not in err.getvalue()
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
