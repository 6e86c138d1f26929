"""At the start of `quizapp --plain`: the sessions left unfinished, offered for resuming as the TUI does.

A session paused with q, Ctrl+C or the end of input (or left open by a closed terminal, in
either the TUI or the line-by-line mode) stays open in the progress database; this asks
which one to resume, which to discard, or whether to start a new session instead.
"""
from __future__ import annotations

from quizapp.i18n import _
from quizapp.plain.console import Console
from quizapp.progress.db import Store, StoreError
from quizapp.progress.records import SessionRecord

QUIT = {"q", "quit"}
NEW = {"n", "new"}
DISCARD = "d"


class Stop(Exception):
    """The learner quit, or the input ended, at the resume question: nothing more to do."""


def choose_unfinished(console: Console, store: Store) -> SessionRecord | None:
    """The unfinished session the learner resumes; None to start a new one. Raises Stop."""
    try:
        records = store.unfinished_sessions()
    except StoreError as error:
        console.say(str(error))
        return None
    listed = False
    while records:
        if not listed:
            console.say(_("Unfinished sessions (every answer you gave is saved):"), style="bold")
            for number, record in enumerate(records, 1):
                console.say(f"  {number}. {record.describe()}")
            listed = True
        line = console.ask(_("Enter resumes session 1, a number resumes that session, "
                             "d discards session 1 (d 2: session 2), n starts a new session: "))
        if line is None or line.strip().lower() in QUIT:
            raise Stop
        word, _sep, rest = line.strip().lower().partition(" ")
        if not word:
            return records[0]
        if word in NEW:
            return None
        if word.isdigit() and 1 <= int(word) <= len(records) and not rest:
            return records[int(word) - 1]
        if word.startswith(DISCARD):
            number = (word[1:] or rest).strip() or "1"
            if number.isdigit() and 1 <= int(number) <= len(records):
                record = records.pop(int(number) - 1)
                try:
                    store.abandon_session(record.id)
                except StoreError as error:
                    console.say(str(error))
                    return None
                console.say(_("Discarded: {session}").format(session=record.describe()))
                listed = False
                continue
        console.say(_("Please answer with Enter, a number 1–{n}, d with a number, or n.").format(n=len(records)))
    return None
