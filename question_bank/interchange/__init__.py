"""Exchange questions with Moodle (GIFT, Aiken, Moodle XML) and Anki.

Importers read a file into a Pack and report what they skipped; `pack_yaml`
turns it into format-1 YAML, which `quizapp import` writes only after the
loader accepts it (`pack_file_errors`). Exporters turn a
loaded Pack into text. Nothing here imports textual or torch.

    from question_bank.interchange import gift, aiken, moodle_xml, anki
    result = gift.parse(text, "quiz.gift")          # ImportResult: pack, problems, skipped
    text, notes = gift.export(pack)                 # the file's text and what was left out
"""
from __future__ import annotations

IMPORT_FORMATS = ("gift", "aiken", "moodle-xml")
EXPORT_FORMATS = ("gift", "aiken", "moodle-xml", "anki")
