"""Exchange questions with Moodle (GIFT, Aiken, Moodle XML) and Anki.

Importers read a file into a Pack and report what they skipped; `write_pack`
writes it as format-1 YAML only after the loader accepts it. Exporters turn a
loaded Pack into text. Nothing here imports textual or torch.

    from question_bank.interchange import gift, aiken, moodle_xml, anki
    result = gift.parse(text, "quiz.gift")          # ImportResult: pack, problems, skipped
    text, notes = gift.export(pack)                 # the file's text and what was left out
"""
from __future__ import annotations

IMPORT_FORMATS = ("gift", "aiken", "moodle-xml")
EXPORT_FORMATS = ("gift", "aiken", "moodle-xml", "anki")
