"""A problem found in a pack, located the way compilers locate theirs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.texts import N_, _

Severity = Literal["error", "warning", "note"]  # a note tells what was done (an importer saving a file)
# The severity is data (tests, JSON, colours read it); its word is translated where a problem is shown.
SEVERITY_WORDS = {"error": N_("error"), "warning": N_("warning"), "note": N_("note")}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int  # 1-based
    col: int  # 1-based, in characters
    severity: Severity
    message: str

    def __str__(self) -> str:
        # The form editors and terminals know how to jump to.
        return f"{self.path}:{self.line}:{self.col}: {_(SEVERITY_WORDS[self.severity])}: {self.message}"
