"""Every translatable text of the app, the question bank and the engine, read from the source: the first arguments of
_(), N_() and ngettext() calls. Also run as a script to bring a catalogue up to date
(entries in source order, translations kept, new texts as empty entries for a translator,
texts no longer in the source dropped):

    python tests/i18n_extract.py quizapp/locale/de.po
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (ROOT / "quizapp", ROOT / "question_bank", ROOT / "engine")  # one catalogue for all three
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}  # function name → how many leading msgid arguments


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str | None
    where: str  # path:line of the first use


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "i18n":
        return func.attr
    return None


def calls(path: Path):
    """(call node, marker name) for every translation call in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
            yield node, _name(node.func)


def extract(packages: tuple[Path, ...] = PACKAGES) -> tuple[dict[str, Message], list[str]]:
    """msgid → Message, and the places where a marker gets something other than a string literal."""
    found: dict[str, Message] = {}
    dynamic: list[str] = []
    for path in (p for package in packages for p in sorted(package.rglob("*.py"))):
        for node, name in calls(path):
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            args = node.args[:MARKERS[name]]
            if len(args) < MARKERS[name] or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                    for a in args):
                dynamic.append(where)
                continue
            msgid = args[0].value
            plural = args[1].value if name == "ngettext" else None
            found.setdefault(msgid, Message(msgid, plural, where))
    return found, dynamic


def po_quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def render_entry(message: Message, msgstr: list[str]) -> str:
    lines = [f"#: {message.where}", f"msgid {po_quote(message.msgid)}"]
    if message.plural is None:
        lines.append(f"msgstr {po_quote(msgstr[0] if msgstr else '')}")
    else:
        lines.append(f"msgid_plural {po_quote(message.plural)}")
        forms = (msgstr + ["", ""])[:max(2, len(msgstr))]
        lines += [f"msgstr[{i}] {po_quote(form)}" for i, form in enumerate(forms)]
    return "\n".join(lines) + "\n"


def read_catalogue(path: Path):
    """The catalogue as babel reads it (babel.messages.catalog.Catalog)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as source:
        return read_po(source)


def entries(catalogue) -> dict[str, Any]:
    """msgid (the singular of a plural entry) → babel's Message, the header left out."""
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalogue if m.id}


def forms(message) -> list[str]:
    """The translated forms of an entry: one, or one per plural form."""
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def plural_of(message) -> str | None:
    return message.id[1] if isinstance(message.id, tuple) else None


def merge(target: Path, translations: dict[str, list[str]] | None = None) -> tuple[int, int]:
    """Rewrite the catalogue from the source; returns (new entries, dropped entries)."""
    text = target.read_text(encoding="utf-8")
    known = {msgid: forms(m) for msgid, m in entries(read_catalogue(target)).items()}
    known.update(translations or {})
    found, _ = extract()
    header = text[:text.index("\n\n") + 1]  # the leading comments and the header entry, kept as they are
    parts = [header] + [render_entry(m, known.get(m.msgid, [])) for m in found.values()]
    target.write_text("\n".join(parts), encoding="utf-8")
    return sum(1 for m in found if m not in known), sum(1 for m in known if m not in found)


def main(argv: list[str]) -> int:
    target = Path(argv[0])
    new, dropped = merge(target)
    print(f"{target}: {new} new (untranslated) entries, {dropped} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
